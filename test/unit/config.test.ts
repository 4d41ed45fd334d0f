import { describe, expect, it } from 'vitest';
import { ConfigError, instanceBaseUrl, loadConfig } from '../../src/config.ts';

const fails = (env: Record<string, string>, message: RegExp) => {
  expect(() => loadConfig(env)).toThrow(ConfigError);
  expect(() => loadConfig(env)).toThrow(message);
};

describe('loadConfig defaults', () => {
  it('runs the sandbox with every default when the environment is empty', () => {
    expect(loadConfig({})).toEqual({
      port: 4000,
      host: '127.0.0.1',
      domoBaseUrl: null,
      serverCredentials: null,
      upstream: {
        connectTimeoutMs: 10_000,
        headersTimeoutMs: 60_000,
        bodyTimeoutMs: 60_000,
        maxRetries: 3,
        retryBaseMs: 200,
        retryMaxDelayMs: 20_000,
        connections: 32,
        maxConcurrencyPerRequest: 8,
        maxCallsPerRequest: 500,
        maxResponseBytes: 67_108_864,
      },
      uploads: { partRetries: 4, commitChecks: 5 },
      maxPageSize: 50,
      maxQueryRows: 10_000,
      stream: { maxRows: 1_000_000, maxPageSize: 10_000 },
      limits: { maxDepth: 12, maxAliases: 30, maxTokens: 10_000 },
      corsOrigins: [],
      logLevel: 'info',
      sandbox: {
        dbPath: null,
        port: 4001,
        token: 'sandbox-developer-token',
        sqlShape: 'objects',
        largeRows: 200_000,
        executionSettleMs: 200,
        indexSettleMs: 0,
        queryTimeoutMs: 60_000,
      },
      nodeEnv: null,
      useSandbox: true,
      introspection: true,
      fieldSuggestions: true,
      federation: false,
      server: {
        headersTimeoutMs: 20_000,
        requestTimeoutMs: 300_000,
        keepAliveTimeoutMs: 5_000,
        maxRequestsPerSocket: 1_000,
        shutdownTimeoutMs: 25_000,
      },
      gatewayAuth: null,
      allowAnonymous: false,
      rows: { timeZone: 'UTC', maxPageSize: 1000, typedDatasets: null, reloadSeconds: 300 },
      ops: {
        redisUrl: null,
        cache: { enabled: true, ttlSeconds: 60, rowsTtlSeconds: 5, maxEntries: 1000, showOutcome: true },
        rateLimit: { perMinute: 0, burst: 0, searchPerMinute: 120 },
        trustedDocuments: { mode: 'off', file: null, development: true },
        observe: { metrics: { enabled: true, token: null, port: null }, tracing: { endpoint: null } },
      },
      live: { perCaller: 20, max: 1000, idleMs: 1_800_000, pollBaseMs: 500, pollMaxMs: 10_000 },
      lane: { mode: 'lean', documentCacheSize: 1000, documentCacheBytes: 4_000_000, jit: false },
    });
  });

  it('treats empty and blank values as unset', () => {
    expect(loadConfig({ PORT: '', DOMO_INSTANCE: '   ', LOG_LEVEL: '' })).toMatchObject({
      port: 4000,
      domoBaseUrl: null,
      logLevel: 'info',
    });
  });

  it('reads every variable', () => {
    const config = loadConfig({
      PORT: '8080',
      HOST: '0.0.0.0',
      DOMO_INSTANCE: 'acme',
      DOMO_DEVELOPER_TOKEN: 'tok',
      DOMO_CONNECT_TIMEOUT_MS: '1000',
      DOMO_HEADERS_TIMEOUT_MS: '2000',
      DOMO_BODY_TIMEOUT_MS: '3000',
      DOMO_MAX_RETRIES: '0',
      DOMO_RETRY_BASE_MS: '50',
      DOMO_RETRY_MAX_DELAY_MS: '500',
      DOMO_CONNECTIONS: '4',
      DOMO_MAX_CONCURRENCY: '2',
      DOMO_MAX_CALLS_PER_REQUEST: '40',
      DOMO_MAX_RESPONSE_BYTES: '1048576',
      MAX_PAGE_SIZE: '100',
      MAX_QUERY_ROWS: '20',
      MAX_STREAM_ROWS: '5000000',
      MAX_STREAM_PAGE_SIZE: '2000',
      MAX_DEPTH: '8',
      MAX_ALIASES: '0',
      MAX_TOKENS: '2000',
      GATEWAY_LANE: 'yoga',
      GATEWAY_DOCUMENT_CACHE_SIZE: '50',
      GATEWAY_DOCUMENT_CACHE_BYTES: '100000',
      GATEWAY_JIT: 'true',
      CORS_ORIGINS: 'https://app.example.com, http://localhost:5173',
      LOG_LEVEL: 'debug',
      SANDBOX_DB: '/tmp/x.duckdb',
      SANDBOX_PORT: '0',
      SANDBOX_TOKEN: 'sb',
      SANDBOX_SQL_SHAPE: 'columns',
      SANDBOX_LARGE_ROWS: '10',
      NODE_ENV: 'production',
      INTROSPECTION: 'true',
      FEDERATION: 'true',
      SERVER_HEADERS_TIMEOUT_MS: '1000',
      SERVER_REQUEST_TIMEOUT_MS: '2000',
      SERVER_KEEP_ALIVE_MS: '3000',
      SERVER_MAX_SOCKET_REQUESTS: '0',
      SHUTDOWN_TIMEOUT_MS: '0',
      // HOST 0.0.0.0 with a token and no gateway authentication needs it (test/unit/auth-config.test.ts).
      ALLOW_ANONYMOUS: 'true',
      ROWS_TIME_ZONE: 'Europe/Paris',
      ROWS_MAX_PAGE_SIZE: '200',
      TYPED_DATASETS:
        'sales=3F5A1B2C-7D4E-4F60-9A8B-1C2D3E4F5A60, customers_2=8c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f',
      TYPED_RELOAD_SECONDS: '0',
      REDIS_URL: 'redis://redis:6379/2',
      CACHE_ENABLED: 'false',
      CACHE_TTL_SECONDS: '30',
      CACHE_TTL_ROWS_SECONDS: '2',
      CACHE_MAX_ENTRIES: '50',
      RATE_LIMIT_PER_MINUTE: '600',
      RATE_LIMIT_BURST: '20',
      RATE_SEARCH_PER_MINUTE: '100',
      TRUSTED_DOCUMENTS: 'only',
      TRUSTED_DOCUMENTS_FILE: '/etc/domo-graph/documents.json',
      METRICS_ENABLED: 'true',
      METRICS_TOKEN: 'metrics-token-0123456789',
      METRICS_PORT: '9464',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://otel:4318/',
      SUBSCRIPTIONS_PER_CALLER: '3',
      SUBSCRIPTIONS_MAX: '50',
      SUBSCRIPTION_IDLE_MINUTES: '5',
      SUBSCRIPTION_POLL_MS: '250',
      SUBSCRIPTION_POLL_MAX_MS: '5000',
      SANDBOX_INDEX_MS: '900',
    });
    expect(config).toEqual({
      port: 8080,
      host: '0.0.0.0',
      domoBaseUrl: 'https://acme.domo.com',
      serverCredentials: { kind: 'developer', token: 'tok' },
      upstream: {
        connectTimeoutMs: 1000,
        headersTimeoutMs: 2000,
        bodyTimeoutMs: 3000,
        maxRetries: 0,
        retryBaseMs: 50,
        retryMaxDelayMs: 500,
        connections: 4,
        maxConcurrencyPerRequest: 2,
        maxCallsPerRequest: 40,
        maxResponseBytes: 1_048_576,
      },
      uploads: { partRetries: 4, commitChecks: 5 },
      maxPageSize: 100,
      maxQueryRows: 20,
      stream: { maxRows: 5_000_000, maxPageSize: 2000 },
      limits: { maxDepth: 8, maxAliases: 0, maxTokens: 2000 },
      corsOrigins: ['https://app.example.com', 'http://localhost:5173'],
      logLevel: 'debug',
      sandbox: {
        dbPath: '/tmp/x.duckdb',
        port: 0,
        token: 'sb',
        sqlShape: 'columns',
        largeRows: 10,
        executionSettleMs: 200,
        indexSettleMs: 900,
        queryTimeoutMs: 60_000,
      },
      nodeEnv: 'production',
      useSandbox: false,
      introspection: true,
      fieldSuggestions: false,
      federation: true,
      server: {
        headersTimeoutMs: 1000,
        requestTimeoutMs: 2000,
        keepAliveTimeoutMs: 3000,
        maxRequestsPerSocket: 0,
        shutdownTimeoutMs: 0,
      },
      gatewayAuth: null,
      allowAnonymous: true,
      rows: {
        timeZone: 'Europe/Paris',
        maxPageSize: 200,
        typedDatasets: [
          { name: 'sales', datasetId: '3f5a1b2c-7d4e-4f60-9a8b-1c2d3e4f5a60' },
          { name: 'customers_2', datasetId: '8c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f' },
        ],
        reloadSeconds: 0,
      },
      ops: {
        redisUrl: 'redis://redis:6379/2',
        cache: { enabled: false, ttlSeconds: 30, rowsTtlSeconds: 2, maxEntries: 50, showOutcome: false },
        rateLimit: { perMinute: 600, burst: 20, searchPerMinute: 100 },
        trustedDocuments: { mode: 'only', file: '/etc/domo-graph/documents.json', development: false },
        observe: {
          metrics: { enabled: true, token: 'metrics-token-0123456789', port: 9464 },
          tracing: { endpoint: 'http://otel:4318' },
        },
      },
      live: { perCaller: 3, max: 50, idleMs: 300_000, pollBaseMs: 250, pollMaxMs: 5_000 },
      lane: { mode: 'yoga', documentCacheSize: 50, documentCacheBytes: 100_000, jit: true },
    });
  });

  it('refuses bad metrics and tracing settings', () => {
    expect(() => loadConfig({ METRICS_ENABLED: 'yes' })).toThrow(/METRICS_ENABLED must be true or false/);
    expect(() => loadConfig({ METRICS_TOKEN: 'short' })).toThrow(/METRICS_TOKEN must be at least 16/);
    expect(() => loadConfig({ METRICS_PORT: '70000' })).toThrow(/METRICS_PORT must be a whole number/);
    expect(() => loadConfig({ METRICS_ENABLED: 'false', METRICS_PORT: '9464' })).toThrow(
      /need METRICS_ENABLED=true/,
    );
    expect(() => loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'grpc://otel:4317' })).toThrow(
      /OTEL_EXPORTER_OTLP_ENDPOINT must be an http/,
    );
    expect(() => loadConfig({ METRICS_TOKN: 'x' })).toThrow(/METRICS_TOKEN/);
    expect(loadConfig({ METRICS_ENABLED: 'false' }).ops.observe.metrics.enabled).toBe(false);
  });

  it('refuses a bad REDIS_URL, a bad TRUSTED_DOCUMENTS and a manifest file without the mode', () => {
    expect(() => loadConfig({ REDIS_URL: 'http://redis:6379' })).toThrow(/REDIS_URL must be a redis:\/\//);
    expect(() => loadConfig({ TRUSTED_DOCUMENTS: 'yes' })).toThrow(
      /TRUSTED_DOCUMENTS must be one of off, allow, only/,
    );
    expect(() => loadConfig({ TRUSTED_DOCUMENTS_FILE: '/x.json' })).toThrow(/TRUSTED_DOCUMENTS is off/);
    expect(() => loadConfig({ CACHE_TTL_SECOND: '5' })).toThrow(/did you mean CACHE_TTL_SECONDS/);
  });

  it('refuses a bad time zone, bad typed datasets, and typed datasets without a server token', () => {
    expect(() => loadConfig({ ROWS_TIME_ZONE: 'Mars/Base' })).toThrow(/ROWS_TIME_ZONE/);
    for (const bad of [
      'sales',
      'sales=',
      '=3f5a1b2c-7d4e-4f60-9a8b-1c2d3e4f5a60',
      'sales=x',
      '1sales=3f5a1b2c-7d4e-4f60-9a8b-1c2d3e4f5a60',
      'a=3f5a1b2c-7d4e-4f60-9a8b-1c2d3e4f5a60,a=3f5a1b2c-7d4e-4f60-9a8b-1c2d3e4f5a60',
    ])
      expect(() => loadConfig({ TYPED_DATASETS: bad }), bad).toThrow(/TYPED_DATASETS/);
    expect(() =>
      loadConfig({ DOMO_INSTANCE: 'acme', TYPED_DATASETS: 'sales=3f5a1b2c-7d4e-4f60-9a8b-1c2d3e4f5a60' }),
    ).toThrow(/server’s own Domo token/);
  });
});

describe('DOMO_INSTANCE', () => {
  it.each(['acme', 'acme-corp', 'a1', 'x', '123'])('accepts %s', (name) => {
    expect(loadConfig({ DOMO_INSTANCE: name }).domoBaseUrl).toBe(`https://${name}.domo.com`);
  });

  it.each([
    'evil.com/x',
    'a@b',
    'acme.domo.com',
    '127.0.0.1',
    '10.0.0.1:80',
    'acme.',
    'ACME',
    'Acme',
    '-acme',
    'acme-',
    'ac me',
    'acme/',
    'acme#',
    'acme?x=1',
    'https://acme.domo.com',
    'a'.repeat(64),
    'acmé',
  ])('refuses %j', (name) => {
    fails({ DOMO_INSTANCE: name }, /DOMO_INSTANCE must be the instance name only/);
  });

  it('builds the URL only from a valid name', () => {
    expect(instanceBaseUrl('acme')).toBe('https://acme.domo.com');
    expect(() => instanceBaseUrl('evil.com/x')).toThrow(ConfigError);
  });
});

describe('DOMO_BASE_URL', () => {
  it('accepts http(s) URLs and drops trailing slashes', () => {
    expect(loadConfig({ DOMO_BASE_URL: 'https://acme.domo.com/' }).domoBaseUrl).toBe('https://acme.domo.com');
    expect(loadConfig({ DOMO_BASE_URL: 'http://127.0.0.1:4001' }).domoBaseUrl).toBe('http://127.0.0.1:4001');
    expect(loadConfig({ DOMO_BASE_URL: 'https://proxy.example.com/domo/' }).domoBaseUrl).toBe(
      'https://proxy.example.com/domo',
    );
  });

  it.each([
    ['acme.domo.com', /absolute http\(s\) URL/],
    ['not a url', /absolute http\(s\) URL/],
    ['ftp://acme.domo.com', /http or https/],
    ['file:///etc/passwd', /http or https/],
    ['https://user:pw@acme.domo.com', /must not carry credentials/],
    ['https://acme.domo.com/?x=1', /query or fragment/],
    ['https://acme.domo.com/#x', /query or fragment/],
  ])('refuses %j', (url, message) => {
    fails({ DOMO_BASE_URL: url }, message);
  });

  it('refuses both DOMO_INSTANCE and DOMO_BASE_URL', () => {
    fails({ DOMO_INSTANCE: 'acme', DOMO_BASE_URL: 'https://acme.domo.com' }, /not both/);
  });
});

describe('server credentials', () => {
  it('takes a developer token or a session token', () => {
    expect(loadConfig({ DOMO_INSTANCE: 'acme', DOMO_DEVELOPER_TOKEN: ' dev ' }).serverCredentials).toEqual({
      kind: 'developer',
      token: 'dev',
    });
    expect(loadConfig({ DOMO_INSTANCE: 'acme', DOMO_SESSION_TOKEN: 'ses' }).serverCredentials).toEqual({
      kind: 'session',
      token: 'ses',
    });
  });

  it('runs without server credentials against a real Domo (callers forward their own)', () => {
    expect(loadConfig({ DOMO_INSTANCE: 'acme' }).serverCredentials).toBeNull();
  });

  it('refuses both tokens, and a token with nowhere to send it', () => {
    fails(
      { DOMO_INSTANCE: 'acme', DOMO_DEVELOPER_TOKEN: 'a', DOMO_SESSION_TOKEN: 'b' },
      /DOMO_DEVELOPER_TOKEN or DOMO_SESSION_TOKEN, not both/,
    );
    fails({ DOMO_DEVELOPER_TOKEN: 'a' }, /no DOMO_INSTANCE or DOMO_BASE_URL/);
  });

  it('never puts a token in an error message', () => {
    try {
      loadConfig({ DOMO_DEVELOPER_TOKEN: 'secret-value-42' });
    } catch (error) {
      expect(String(error)).not.toContain('secret-value-42');
    }
  });
});

describe('numbers and choices', () => {
  it.each([
    ['PORT', '-1'],
    ['PORT', '65536'],
    ['PORT', '80.5'],
    ['PORT', 'abc'],
    ['PORT', '1e3'],
    ['PORT', '0x10'],
    ['DOMO_CONNECT_TIMEOUT_MS', '0'],
    ['DOMO_HEADERS_TIMEOUT_MS', '0'],
    ['DOMO_BODY_TIMEOUT_MS', '3600001'],
    ['DOMO_MAX_RETRIES', '11'],
    ['DOMO_RETRY_BASE_MS', '0'],
    ['DOMO_RETRY_MAX_DELAY_MS', '300001'],
    ['DOMO_CONNECTIONS', '0'],
    ['DOMO_MAX_CONCURRENCY', '257'],
    ['MAX_PAGE_SIZE', '0'],
    ['MAX_PAGE_SIZE', '1001'],
    ['MAX_QUERY_ROWS', '0'],
    ['MAX_STREAM_ROWS', '0'],
    ['MAX_STREAM_PAGE_SIZE', '100001'],
    ['DOMO_MAX_CALLS_PER_REQUEST', '0'],
    ['DOMO_MAX_CALLS_PER_REQUEST', '100001'],
    ['DOMO_MAX_RESPONSE_BYTES', '1023'],
    ['DOMO_MAX_RESPONSE_BYTES', '268435457'],
    ['MAX_DEPTH', '0'],
    ['MAX_DEPTH', '101'],
    ['MAX_ALIASES', '-1'],
    ['MAX_ALIASES', '10001'],
    ['MAX_TOKENS', '499'],
    ['MAX_TOKENS', '1000001'],
    ['SANDBOX_PORT', '70000'],
    ['SANDBOX_LARGE_ROWS', '-5'],
    ['SANDBOX_QUERY_TIMEOUT_MS', '0'],
    ['SANDBOX_QUERY_TIMEOUT_MS', '3600001'],
    ['UPLOAD_PART_RETRIES', '21'],
    ['UPLOAD_PART_RETRIES', '-1'],
    ['UPLOAD_COMMIT_CHECKS', '0'],
    ['UPLOAD_COMMIT_CHECKS', '2.5'],
  ])('refuses %s=%s naming the variable and its range', (name, value) => {
    fails({ [name]: value }, new RegExp(`^${name} must be a whole number from \\d+ to \\d+$`));
  });

  it('accepts the bounds', () => {
    expect(loadConfig({ PORT: '0' }).port).toBe(0);
    expect(loadConfig({ PORT: '65535' }).port).toBe(65535);
    expect(loadConfig({ DOMO_MAX_RETRIES: '10' }).upstream.maxRetries).toBe(10);
    expect(loadConfig({ SANDBOX_QUERY_TIMEOUT_MS: '1' }).sandbox.queryTimeoutMs).toBe(1);
    expect(loadConfig({ SANDBOX_QUERY_TIMEOUT_MS: '3600000' }).sandbox.queryTimeoutMs).toBe(3_600_000);
    expect(loadConfig({ UPLOAD_PART_RETRIES: '0', UPLOAD_COMMIT_CHECKS: '20' }).uploads).toEqual({
      partRetries: 0,
      commitChecks: 20,
    });
    expect(loadConfig({ DOMO_MAX_CALLS_PER_REQUEST: '1' }).upstream.maxCallsPerRequest).toBe(1);
    expect(loadConfig({ DOMO_MAX_CALLS_PER_REQUEST: '100000' }).upstream.maxCallsPerRequest).toBe(100_000);
    expect(loadConfig({ MAX_DEPTH: '1', MAX_ALIASES: '10000', MAX_TOKENS: '500' }).limits).toEqual({
      maxDepth: 1,
      maxAliases: 10_000,
      maxTokens: 500,
    });
    expect(loadConfig({ MAX_DEPTH: '100', MAX_TOKENS: '1000000' }).limits).toMatchObject({
      maxDepth: 100,
      maxTokens: 1_000_000,
    });
  });

  it('refuses a retry cap below the backoff base', () => {
    fails({ DOMO_RETRY_BASE_MS: '500', DOMO_RETRY_MAX_DELAY_MS: '100' }, /DOMO_RETRY_MAX_DELAY_MS/);
  });

  it.each([
    ['LOG_LEVEL', 'verbose', /LOG_LEVEL must be one of debug, info, warn, error/],
    ['LOG_LEVEL', 'INFO', /LOG_LEVEL must be one of/],
    ['SANDBOX_SQL_SHAPE', 'rows', /SANDBOX_SQL_SHAPE must be one of objects, columns/],
  ])('refuses %s=%s', (name, value, message) => {
    fails({ [name]: value }, message);
  });

  it.each(['', ' ', 'local host', 'http://x', 'a/b'])(
    'refuses HOST %j when it is not a host name',
    (host) => {
      if (host.trim() === '') {
        expect(loadConfig({ HOST: host }).host).toBe('127.0.0.1');
      } else {
        fails({ HOST: host }, /HOST must be/);
      }
    },
  );

  it('accepts host names and IP addresses for HOST', () => {
    for (const host of ['localhost', '0.0.0.0', '::', '::1', '10.1.2.3', 'gateway.internal']) {
      // ALLOW_ANONYMOUS: the sandbox's token on a reachable HOST needs it (test/unit/auth-config.test.ts).
      expect(loadConfig({ HOST: host, ALLOW_ANONYMOUS: 'true' }).host).toBe(host);
    }
  });
});

describe('CORS_ORIGINS', () => {
  it('takes * and exact origins, and refuses anything with a path, a bad scheme or garbage', () => {
    expect(loadConfig({ CORS_ORIGINS: '*' }).corsOrigins).toEqual(['*']);
    for (const bad of [
      'https://app.example.com/',
      'https://a.example.com/x',
      'ftp://a.example.com',
      'app.example.com',
    ]) {
      expect(() => loadConfig({ CORS_ORIGINS: bad }), bad).toThrow(/CORS_ORIGINS/);
    }
  });
});
