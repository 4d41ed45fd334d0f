/**
 * The only reader of the environment. `loadConfig` turns variables into a typed, validated Config;
 * a wrong value throws a ConfigError whose message names the variable and what it accepts.
 * A variable with one of the project's prefixes (SETTING_PREFIXES) that no setting reads stops the
 * start with a "did you mean" (config-names.ts): the known names are the ones `readConfig` reads,
 * recorded as it reads them, so a new setting needs no second list. Read every variable
 * unconditionally (validate combinations afterwards), so that all of them are recorded.
 */
import type { GatewayAuthSettings } from './auth/settings.ts';
import { gatewayAuthSettings } from './config-auth.ts';
import { liveSettings } from './config-live.ts';
import { recordingEnv, unknownVariablesError } from './config-names.ts';
import { opsSettings } from './config-ops.ts';
import type {
  LaneSettings,
  OperationLimitSettings,
  OpsSettings,
  RowsSettings,
  SandboxSettings,
  ServerSettings,
  StreamSettings,
  UploadSettings,
  UpstreamSettings,
} from './config-settings.ts';
import {
  baseUrl,
  ConfigError,
  type Env,
  flag,
  instanceBaseUrl,
  integer,
  listenHost,
  oneOf,
  origins,
  text,
  timeZone,
  typedDatasets,
} from './config-values.ts';
import type { Credentials } from './domo/auth.ts';
import type { LiveSettings } from './live/hub.ts';

export { isLoopbackHost } from './config-auth.ts';
export type {
  LaneSettings,
  OperationLimitSettings,
  OpsSettings,
  RowsSettings,
  SandboxSettings,
  ServerSettings,
  StreamSettings,
  TypedDatasetSetting,
  UploadSettings,
  UpstreamSettings,
} from './config-settings.ts';
export { ConfigError, instanceBaseUrl } from './config-values.ts';

export interface Config {
  port: number;
  host: string;
  /** Upstream base URL (https://NAME.domo.com or DOMO_BASE_URL); null runs the built-in sandbox. */
  domoBaseUrl: string | null;
  /** The server's own Domo credentials, used when the caller sends none. */
  serverCredentials: Credentials | null;
  upstream: UpstreamSettings;
  uploads: UploadSettings;
  /** Largest page a connection field returns. */
  maxPageSize: number;
  /** Largest number of rows a SQL query field returns. */
  maxQueryRows: number;
  /** `pages` fields under @stream (src/graph/types/row-page.ts). */
  stream: StreamSettings;
  limits: OperationLimitSettings;
  /** Browser origins allowed to call the gateway cross-origin (CORS); empty allows none. */
  corsOrigins: string[];
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  sandbox: SandboxSettings;
  /** NODE_ENV as set (null when unset); `production` never starts the sandbox on its own. */
  nodeEnv: string | null;
  /** The built-in sandbox is the upstream (no Domo configured, and not refused by NODE_ENV). */
  useSandbox: boolean;
  /** Schema introspection (`__schema`, `__type`) is answered (INTROSPECTION). */
  introspection: boolean;
  /** Validation errors keep graphql-js's "Did you mean …" hints (development only). */
  fieldSuggestions: boolean;
  /** FEDERATION=true: serve the Apollo Federation subgraph schema (src/graph/federation.ts). */
  federation: boolean;
  server: ServerSettings;
  /** Gateway authentication (API keys, JWTs); null: callers are not authenticated (src/auth). */
  gatewayAuth: GatewayAuthSettings | null;
  /** ALLOW_ANONYMOUS=true: serve a non-loopback HOST with a server token and no gateway authentication. */
  allowAnonymous: boolean;
  rows: RowsSettings;
  /** Response cache, rate limits, trusted documents and the Redis replicas share (src/ops). */
  ops: OpsSettings;
  /** Subscriptions: limits, idle timeout, poll backoff (src/live). */
  live: LiveSettings;
  /** The lean lane or yoga for /graphql, and the document cache (src/http/lean.ts). */
  lane: LaneSettings;
}

/**
 * Reads and validates the environment. Unknown prefixed variables are refused first (they are
 * often the reason a start goes wrong: `DOMO_INSTANC=acme` would otherwise run the sandbox), then
 * a production start without Domo and without SANDBOX=true.
 */
export function loadConfig(env: Env = process.env, options: LoadOptions = {}): Config {
  const sandboxOnly = options.sandboxOnly ?? false;
  const read = new Set<string>();
  let config: Config | undefined;
  let failure: unknown;
  try {
    config = readConfig(recordingEnv(env, read), sandboxOnly);
  } catch (error) {
    failure = error;
  }
  const unknown = unknownVariablesError(env, read, () => readConfig(recordingEnv({}, read), sandboxOnly));
  if (unknown) throw new ConfigError(unknown);
  if (failure !== undefined || !config) throw failure;
  return config;
}

export interface LoadOptions {
  /** The standalone sandbox (`npm run sandbox`): it needs no Domo, whatever NODE_ENV says. */
  sandboxOnly?: boolean;
}

function readConfig(env: Env, sandboxOnly: boolean): Config {
  const instance = text(env, 'DOMO_INSTANCE');
  const base = text(env, 'DOMO_BASE_URL');
  if (instance && base) throw new ConfigError('set DOMO_INSTANCE or DOMO_BASE_URL, not both');
  const domoBaseUrl = instance ? instanceBaseUrl(instance) : base ? baseUrl(base) : null;

  const developerToken = text(env, 'DOMO_DEVELOPER_TOKEN');
  const sessionToken = text(env, 'DOMO_SESSION_TOKEN');
  if (developerToken && sessionToken) {
    throw new ConfigError('set DOMO_DEVELOPER_TOKEN or DOMO_SESSION_TOKEN, not both');
  }
  const serverCredentials: Credentials | null = developerToken
    ? { kind: 'developer', token: developerToken }
    : sessionToken
      ? { kind: 'session', token: sessionToken }
      : null;
  if (serverCredentials && !domoBaseUrl) {
    throw new ConfigError('a Domo token is set but no DOMO_INSTANCE or DOMO_BASE_URL says where to send it');
  }

  // SANDBOX=true asks for the sandbox on purpose; unset, it runs only when no Domo is configured and
  // NODE_ENV is not production (`npm start` on a fresh clone), so a typo or a missing setting in a
  // deployment never serves demo data.
  const nodeEnvSetting = text(env, 'NODE_ENV');
  const sandboxSetting = oneOf(env, 'SANDBOX', ['true', 'false', 'auto'] as const, 'auto');
  if (sandboxSetting === 'true' && domoBaseUrl) {
    throw new ConfigError(
      'SANDBOX=true runs the built-in sandbox: unset DOMO_INSTANCE and DOMO_BASE_URL, or SANDBOX',
    );
  }
  const refusedBy =
    sandboxSetting === 'false'
      ? 'SANDBOX=false'
      : nodeEnvSetting === 'production'
        ? 'NODE_ENV=production'
        : null;
  if (!domoBaseUrl && sandboxSetting !== 'true' && refusedBy && !sandboxOnly) {
    throw new ConfigError(
      `no Domo is configured: set DOMO_INSTANCE (or DOMO_BASE_URL) and DOMO_DEVELOPER_TOKEN, or SANDBOX=true to run the built-in sandbox with its demo data on purpose (with ${refusedBy} it never starts on its own)`,
    );
  }
  const useSandbox = !domoBaseUrl;
  // Development: NODE_ENV=development, or `npm start` on a laptop (the sandbox, NODE_ENV unset).
  const development = nodeEnvSetting === 'development' || (nodeEnvSetting === undefined && useSandbox);
  const introspectionDefault = development ? 'true' : 'false';
  const introspection = oneOf(env, 'INTROSPECTION', ['true', 'false'] as const, introspectionDefault);

  const serverHeadersTimeoutMs = integer(env, 'SERVER_HEADERS_TIMEOUT_MS', 20_000, 100, 600_000);
  const serverRequestTimeoutMs = integer(env, 'SERVER_REQUEST_TIMEOUT_MS', 300_000, 100, 86_400_000);
  if (serverRequestTimeoutMs < serverHeadersTimeoutMs) {
    throw new ConfigError('SERVER_REQUEST_TIMEOUT_MS must not be smaller than SERVER_HEADERS_TIMEOUT_MS');
  }
  const typed = typedDatasets(env, 'TYPED_DATASETS');
  if (typed?.length && domoBaseUrl && !serverCredentials) {
    throw new ConfigError(
      'TYPED_DATASETS needs the server’s own Domo token (DOMO_DEVELOPER_TOKEN or DOMO_SESSION_TOKEN) to read their schemas at startup',
    );
  }

  const retryBaseMs = integer(env, 'DOMO_RETRY_BASE_MS', 200, 1, 60_000);
  const retryMaxDelayMs = integer(env, 'DOMO_RETRY_MAX_DELAY_MS', 20_000, 1, 300_000);
  if (retryMaxDelayMs < retryBaseMs) {
    throw new ConfigError('DOMO_RETRY_MAX_DELAY_MS must not be smaller than DOMO_RETRY_BASE_MS');
  }

  const host = listenHost(env);
  // No Domo configured: the sandbox runs and the gateway holds the sandbox's token (main.ts).
  const auth = gatewayAuthSettings(env, host, serverCredentials !== null || domoBaseUrl === null);

  return {
    port: integer(env, 'PORT', 4000, 0, 65535),
    host,
    domoBaseUrl,
    serverCredentials,
    upstream: {
      connectTimeoutMs: integer(env, 'DOMO_CONNECT_TIMEOUT_MS', 10_000, 1, 600_000),
      headersTimeoutMs: integer(env, 'DOMO_HEADERS_TIMEOUT_MS', 60_000, 1, 3_600_000),
      bodyTimeoutMs: integer(env, 'DOMO_BODY_TIMEOUT_MS', 60_000, 1, 3_600_000),
      maxRetries: integer(env, 'DOMO_MAX_RETRIES', 3, 0, 10),
      retryBaseMs,
      retryMaxDelayMs,
      connections: integer(env, 'DOMO_CONNECTIONS', 32, 1, 1024),
      maxConcurrencyPerRequest: integer(env, 'DOMO_MAX_CONCURRENCY', 8, 1, 256),
      maxCallsPerRequest: integer(env, 'DOMO_MAX_CALLS_PER_REQUEST', 500, 1, 100_000),
      maxResponseBytes: integer(env, 'DOMO_MAX_RESPONSE_BYTES', 64 * 1024 * 1024, 1024, 256 * 1024 * 1024),
    },
    uploads: {
      partRetries: integer(env, 'UPLOAD_PART_RETRIES', 4, 0, 20),
      commitChecks: integer(env, 'UPLOAD_COMMIT_CHECKS', 5, 1, 20),
    },
    maxPageSize: integer(env, 'MAX_PAGE_SIZE', 50, 1, 1000),
    maxQueryRows: integer(env, 'MAX_QUERY_ROWS', 10_000, 1, 1_000_000),
    stream: {
      maxRows: integer(env, 'MAX_STREAM_ROWS', 1_000_000, 1, 100_000_000),
      maxPageSize: integer(env, 'MAX_STREAM_PAGE_SIZE', 10_000, 1, 100_000),
    },
    limits: {
      maxDepth: integer(env, 'MAX_DEPTH', 12, 1, 100),
      maxAliases: integer(env, 'MAX_ALIASES', 30, 0, 10_000),
      // graphql-js's standard introspection query is under 200 tokens; the floor keeps GraphiQL working.
      maxTokens: integer(env, 'MAX_TOKENS', 10_000, 500, 1_000_000),
    },
    corsOrigins: origins(env, 'CORS_ORIGINS'),
    logLevel: oneOf(env, 'LOG_LEVEL', ['debug', 'info', 'warn', 'error'] as const, 'info'),
    sandbox: {
      dbPath: text(env, 'SANDBOX_DB') ?? null,
      port: integer(env, 'SANDBOX_PORT', 4001, 0, 65535),
      token: text(env, 'SANDBOX_TOKEN') ?? 'sandbox-developer-token',
      sqlShape: oneOf(env, 'SANDBOX_SQL_SHAPE', ['objects', 'columns'] as const, 'objects'),
      largeRows: integer(env, 'SANDBOX_LARGE_ROWS', 200_000, 0, 100_000_000),
      executionSettleMs: integer(env, 'SANDBOX_EXECUTION_MS', 200, 0, 3_600_000),
      indexSettleMs: integer(env, 'SANDBOX_INDEX_MS', 0, 0, 3_600_000),
      queryTimeoutMs: integer(env, 'SANDBOX_QUERY_TIMEOUT_MS', 60_000, 1, 3_600_000),
    },
    nodeEnv: nodeEnvSetting ?? null,
    useSandbox,
    introspection: introspection === 'true',
    fieldSuggestions: development,
    federation: oneOf(env, 'FEDERATION', ['true', 'false'] as const, 'false') === 'true',
    server: {
      headersTimeoutMs: serverHeadersTimeoutMs,
      requestTimeoutMs: serverRequestTimeoutMs,
      keepAliveTimeoutMs: integer(env, 'SERVER_KEEP_ALIVE_MS', 5_000, 1, 600_000),
      maxRequestsPerSocket: integer(env, 'SERVER_MAX_SOCKET_REQUESTS', 1_000, 0, 1_000_000),
      shutdownTimeoutMs: integer(env, 'SHUTDOWN_TIMEOUT_MS', 25_000, 0, 600_000),
    },
    ...auth,
    rows: {
      timeZone: timeZone(env, 'ROWS_TIME_ZONE'),
      maxPageSize: integer(env, 'ROWS_MAX_PAGE_SIZE', 1000, 1, 50_000),
      typedDatasets: typed,
      reloadSeconds: integer(env, 'TYPED_RELOAD_SECONDS', 300, 0, 86_400),
    },
    ops: opsSettings(env, nodeEnvSetting !== 'production', development),
    live: liveSettings(env),
    lane: {
      mode: oneOf(env, 'GATEWAY_LANE', ['lean', 'yoga'] as const, 'lean'),
      documentCacheSize: integer(env, 'GATEWAY_DOCUMENT_CACHE_SIZE', 1_000, 0, 1_000_000),
      documentCacheBytes: integer(env, 'GATEWAY_DOCUMENT_CACHE_BYTES', 4_000_000, 1_000, 1_000_000_000),
      jit: flag(env, 'GATEWAY_JIT'),
    },
  };
}
