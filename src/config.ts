/**
 * The only reader of the environment. `loadConfig` turns variables into a typed, validated Config;
 * a wrong value throws a ConfigError whose message names the variable and what it accepts.
 * A variable with one of the project's prefixes (SETTING_PREFIXES) that no setting reads stops the
 * start with a "did you mean" (config-names.ts): the known names are the ones `readConfig` reads,
 * recorded as it reads them, so a new setting needs no second list. Read every variable
 * unconditionally (validate combinations afterwards), so that all of them are recorded.
 */
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { type ApiKeyEntry, parseApiKeyEntries } from './auth/keys.ts';
import {
  type GatewayAuthSettings,
  JWT_ALGORITHMS,
  type JwtAlgorithm,
  type JwtSettings,
} from './auth/settings.ts';
import { recordingEnv, unknownVariablesError } from './config-names.ts';
import type { Credentials } from './domo/auth.ts';

export interface UpstreamSettings {
  /** Milliseconds to open a TCP/TLS connection to Domo. */
  connectTimeoutMs: number;
  /** Milliseconds to wait for the response headers. */
  headersTimeoutMs: number;
  /** Milliseconds of silence allowed while reading a response body. */
  bodyTimeoutMs: number;
  /** Retries after the first attempt, for requests safe to repeat. */
  maxRetries: number;
  /** Base of the exponential backoff, in milliseconds. */
  retryBaseMs: number;
  /** Upper bound of one backoff delay, Retry-After included. */
  retryMaxDelayMs: number;
  /** Pooled keep-alive connections to the upstream origin. */
  connections: number;
  /** Upstream calls one GraphQL request may have in flight at once. */
  maxConcurrencyPerRequest: number;
  /** Upstream calls one GraphQL request may make in all (an upload counts as one). */
  maxCallsPerRequest: number;
  /**
   * Largest Domo answer read whole, and largest single row of a SQL answer (those are read as they
   * arrive, bounded by rows instead). Kept below V8's longest string (~512 MiB). loadConfig always
   * sets it; optional so settings built by hand (tests) get DomoHttp's default.
   */
  maxResponseBytes?: number;
}

/** Upload retries (src/upload/policy.ts); their backoff is DOMO_RETRY_BASE_MS and DOMO_RETRY_MAX_DELAY_MS. */
export interface UploadSettings {
  /** Re-sends of a failed part under its number, after the first attempt. */
  partRetries: number;
  /** Reads of the data versions that decide whether a commit whose answer was lost committed. */
  commitChecks: number;
}

/** Limits an operation must keep to before anything runs (src/graph/limits.ts). */
export interface OperationLimitSettings {
  /** Most fields on one path of an operation. */
  maxDepth: number;
  /** Most aliased fields in one operation, a fragment's counted every time it is spread. */
  maxAliases: number;
  /** Most lexical tokens in a GraphQL document. */
  maxTokens: number;
}

export interface SandboxSettings {
  /** DuckDB file for the sandbox's data; null keeps it in memory. */
  dbPath: string | null;
  /** Port of the sandbox (`npm run sandbox`, or in front of `npm start`); 0 picks a free one. */
  port: number;
  /** Token the sandbox accepts. */
  token: string;
  /** Answer shape of the SQL endpoint: the API doc's row objects, or real instances' columns/rows. */
  sqlShape: 'objects' | 'columns';
  /** Rows of the large demo dataset. */
  largeRows: number;
  /** Milliseconds a stream execution started through the API runs before it succeeds. */
  executionSettleMs: number;
  /** Milliseconds one SQL query may run before the engine is interrupted (Domo documents 60 s). */
  queryTimeoutMs: number;
}

/** The gateway's own HTTP server: slow and idle sockets, and shutdown (src/server.ts). */
export interface ServerSettings {
  /** Milliseconds a client has to send the request headers (Node's `server.headersTimeout`). */
  headersTimeoutMs: number;
  /** Milliseconds a client has to send the whole request, body included (`server.requestTimeout`). */
  requestTimeoutMs: number;
  /** Milliseconds an idle keep-alive socket is kept open (`server.keepAliveTimeout`). */
  keepAliveTimeoutMs: number;
  /** Requests one socket may carry before it is closed; 0 for no bound (`server.maxRequestsPerSocket`). */
  maxRequestsPerSocket: number;
  /** Milliseconds running requests get after SIGTERM before they are cut. */
  shutdownTimeoutMs: number;
}

/** Row queries without SQL (src/rows, src/graph/types/rows*.ts). */
export interface RowsSettings {
  /** IANA time zone whose calendar relative date ranges follow unless a query states its own clock. */
  timeZone: string;
  /** Largest page of rows, groups or distinct values (`first`). */
  maxPageSize: number;
  /** Datasets given typed root fields, by GraphQL name; null when TYPED_DATASETS is not set. */
  typedDatasets: TypedDatasetSetting[] | null;
  /** Seconds between re-reads of the typed datasets' schemas; 0 reads them again only on SIGHUP. */
  reloadSeconds: number;
}

export interface TypedDatasetSetting {
  /** GraphQL name of the root field (`salesTransactions`); types are named after it. */
  name: string;
  datasetId: string;
}

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
  server: ServerSettings;
  /** Gateway authentication (API keys, JWTs); null: callers are not authenticated (src/auth). */
  gatewayAuth: GatewayAuthSettings | null;
  /** ALLOW_ANONYMOUS=true: serve a non-loopback HOST with a server token and no gateway authentication. */
  allowAnonymous: boolean;
  rows: RowsSettings;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

type Env = Record<string, string | undefined>;

const INSTANCE_NAME = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

function text(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === '' ? undefined : value;
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = text(env, name);
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw)) throw new ConfigError(`${name} must be a whole number from ${min} to ${max}`);
  const value = Number(raw);
  if (value < min || value > max)
    throw new ConfigError(`${name} must be a whole number from ${min} to ${max}`);
  return value;
}

function oneOf<T extends string>(env: Env, name: string, values: readonly T[], fallback: T): T {
  const raw = text(env, name);
  if (raw === undefined) return fallback;
  if (!(values as readonly string[]).includes(raw)) {
    throw new ConfigError(`${name} must be one of ${values.join(', ')}`);
  }
  return raw as T;
}

/** A comma-separated list of origins (scheme://host[:port]), or `*` for any. */
function origins(env: Env, name: string): string[] {
  const raw = text(env, name);
  if (raw === undefined) return [];
  const list = raw
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
  for (const origin of list) {
    if (origin === '*') continue;
    let url: URL | undefined;
    try {
      url = new URL(origin);
    } catch {
      url = undefined;
    }
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.origin !== origin) {
      throw new ConfigError(
        `${name} must list origins such as https://app.example.com (no path), or *; got "${origin}"`,
      );
    }
  }
  return list;
}

/** `DOMO_INSTANCE` is a bare instance name; anything that could steer the host elsewhere is refused. */
export function instanceBaseUrl(instance: string): string {
  if (!INSTANCE_NAME.test(instance)) {
    throw new ConfigError(
      'DOMO_INSTANCE must be the instance name only (lowercase letters, digits and hyphens, as in "acme" for https://acme.domo.com)',
    );
  }
  return `https://${instance}.domo.com`;
}

const HOST_NAME =
  /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*$/;

/** `HOST` is the interface to listen on: a host name or an IP address, nothing else. */
function listenHost(env: Env): string {
  const raw = text(env, 'HOST');
  if (raw === undefined) return '127.0.0.1';
  if (isIP(raw) === 0 && !HOST_NAME.test(raw)) {
    throw new ConfigError('HOST must be a host name or an IP address to listen on, such as 0.0.0.0');
  }
  return raw;
}

function baseUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError('DOMO_BASE_URL must be an absolute http(s) URL, such as https://acme.domo.com');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new ConfigError('DOMO_BASE_URL must use http or https');
  }
  if (url.username || url.password) throw new ConfigError('DOMO_BASE_URL must not carry credentials');
  if (url.search || url.hash) throw new ConfigError('DOMO_BASE_URL must not have a query or fragment');
  return url.toString().replace(/\/+$/, '');
}

function timeZone(env: Env, name: string): string {
  const raw = text(env, name) ?? 'UTC';
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: raw });
  } catch {
    throw new ConfigError(`${name} must be an IANA time zone such as UTC or Europe/Paris`);
  }
  return raw;
}

const GRAPHQL_NAME = /^[A-Za-z][_0-9A-Za-z]*$/;
const DATASET_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** `TYPED_DATASETS=salesTransactions=<dataset id>,customers=<dataset id>`. */
function typedDatasets(env: Env, name: string): TypedDatasetSetting[] | null {
  const raw = text(env, name);
  if (raw === undefined) return null;
  const list: TypedDatasetSetting[] = [];
  for (const item of raw
    .split(',')
    .map((i) => i.trim())
    .filter(Boolean)) {
    const [field, id, extra] = item.split('=').map((p) => p.trim());
    if (!field || !id || extra !== undefined || !GRAPHQL_NAME.test(field) || !DATASET_ID.test(id)) {
      throw new ConfigError(
        `${name} must list name=datasetId pairs separated by commas, each name a GraphQL name (letters, digits, _) and each id a dataset UUID; got "${item}"`,
      );
    }
    if (list.some((d) => d.name === field)) throw new ConfigError(`${name} names ${field} twice`);
    list.push({ name: field, datasetId: id.toLowerCase() });
  }
  return list;
}

function flag(env: Env, name: string): boolean {
  const raw = text(env, name);
  if (raw === undefined || raw === 'false' || raw === '0') return false;
  if (raw === 'true' || raw === '1') return true;
  throw new ConfigError(`${name} must be true or false`);
}

/** A PEM given inline (`\n` escapes allowed, for one-line environments) or the path of a PEM file. */
function pem(env: Env, name: string): string | undefined {
  const raw = text(env, name);
  if (raw === undefined) return undefined;
  let value = raw.replace(/\\n/g, '\n');
  if (!value.startsWith('-----BEGIN')) {
    try {
      value = readFileSync(value, 'utf8');
    } catch {
      throw new ConfigError(`${name} must be a PEM public key or the path of a readable PEM file`);
    }
  }
  if (!/-----BEGIN PUBLIC KEY-----/.test(value)) {
    throw new ConfigError(
      `${name} must hold a PEM public key (-----BEGIN PUBLIC KEY-----), never a private key`,
    );
  }
  return value;
}

function apiKeys(env: Env): ApiKeyEntry[] {
  const inline = text(env, 'GATEWAY_API_KEYS');
  const file = text(env, 'GATEWAY_API_KEYS_FILE');
  if (inline && file) throw new ConfigError('set GATEWAY_API_KEYS or GATEWAY_API_KEYS_FILE, not both');
  let source = inline;
  if (file) {
    try {
      source = readFileSync(file, 'utf8');
    } catch {
      throw new ConfigError('GATEWAY_API_KEYS_FILE must be the path of a readable file');
    }
  }
  if (source === undefined) return [];
  try {
    const entries = parseApiKeyEntries(source);
    if (entries.length === 0) throw new Error('it lists no key');
    return entries;
  } catch (error) {
    throw new ConfigError(
      `${file ? 'GATEWAY_API_KEYS_FILE' : 'GATEWAY_API_KEYS'}: ${(error as Error).message}`,
    );
  }
}

const LOOPBACK_NAMES = ['localhost', '::1', '0:0:0:0:0:0:0:1'];

/** Only this machine can reach a socket bound here. */
export function isLoopbackHost(host: string): boolean {
  const name = host.toLowerCase();
  if (LOOPBACK_NAMES.includes(name) || name.endsWith('.localhost')) return true;
  const v4 = name.startsWith('::ffff:') ? name.slice(7) : name;
  return isIP(v4) === 4 && v4.startsWith('127.');
}

function jwtSettings(env: Env): JwtSettings | null {
  const issuer = text(env, 'GATEWAY_JWT_ISSUER');
  const audience = text(env, 'GATEWAY_JWT_AUDIENCE');
  const jwksUrl = text(env, 'GATEWAY_JWT_JWKS_URL');
  const publicKeyPem = pem(env, 'GATEWAY_JWT_PUBLIC_KEY');
  const algorithms = text(env, 'GATEWAY_JWT_ALGORITHMS');
  const scopeClaim = text(env, 'GATEWAY_JWT_SCOPE_CLAIM');
  const datasetsClaim = text(env, 'GATEWAY_JWT_DATASETS_CLAIM');
  if (!issuer && !audience && !jwksUrl && !publicKeyPem) {
    if (algorithms || scopeClaim || datasetsClaim) {
      throw new ConfigError(
        'GATEWAY_JWT_* settings need GATEWAY_JWT_ISSUER, GATEWAY_JWT_AUDIENCE and a key source',
      );
    }
    return null;
  }
  // A token checked against no issuer or audience would accept any token the provider signs for anyone.
  if (!issuer || !audience) {
    throw new ConfigError('JWT authentication needs both GATEWAY_JWT_ISSUER and GATEWAY_JWT_AUDIENCE');
  }
  if (!jwksUrl === !publicKeyPem) {
    throw new ConfigError(
      'JWT authentication needs GATEWAY_JWT_JWKS_URL or GATEWAY_JWT_PUBLIC_KEY (one of them)',
    );
  }
  if (jwksUrl) {
    let url: URL | undefined;
    try {
      url = new URL(jwksUrl);
    } catch {
      url = undefined;
    }
    // Keys fetched over plain HTTP could be swapped on the way: only on this machine.
    const ok =
      url &&
      !url.username &&
      !url.password &&
      (url.protocol === 'https:' ||
        (url.protocol === 'http:' && isLoopbackHost(url.hostname.replace(/^\[|\]$/g, ''))));
    if (!ok)
      throw new ConfigError('GATEWAY_JWT_JWKS_URL must be an https URL (http only on a loopback host)');
  }
  const algs = (algorithms ?? (publicKeyPem ? 'RS256' : 'RS256,PS256,ES256,EdDSA'))
    .split(',')
    .map((a) => a.trim())
    .filter(Boolean);
  for (const alg of algs) {
    if (!(JWT_ALGORITHMS as readonly string[]).includes(alg)) {
      throw new ConfigError(
        `GATEWAY_JWT_ALGORITHMS must list asymmetric algorithms from ${JWT_ALGORITHMS.join(', ')} (never none or HS*); got "${alg.slice(0, 20)}"`,
      );
    }
  }
  const claim = /^[A-Za-z_][A-Za-z0-9_:./-]{0,99}$/;
  for (const [name, value] of [
    ['GATEWAY_JWT_SCOPE_CLAIM', scopeClaim],
    ['GATEWAY_JWT_DATASETS_CLAIM', datasetsClaim],
  ] as const) {
    if (value !== undefined && !claim.test(value)) throw new ConfigError(`${name} must be a claim name`);
  }
  const audiences = audience
    .split(',')
    .map((a) => a.trim())
    .filter(Boolean);
  // An empty list would refuse every token; say so at start instead.
  if (audiences.length === 0) throw new ConfigError('GATEWAY_JWT_AUDIENCE must name at least one audience');
  return {
    issuer,
    audience: audiences,
    jwksUrl: jwksUrl ?? null,
    publicKeyPem: publicKeyPem ?? null,
    algorithms: algs as JwtAlgorithm[],
    scopeClaim: scopeClaim ?? null,
    datasetsClaim: datasetsClaim ?? null,
  };
}

/** The gateway's own authentication, and the rule that a reachable gateway holding a token needs it. */
function gatewayAuthSettings(
  env: Env,
  host: string,
  holdsToken: boolean,
): Pick<Config, 'gatewayAuth' | 'allowAnonymous'> {
  const keys = apiKeys(env);
  const jwt = jwtSettings(env);
  const gatewayAuth = keys.length || jwt ? { apiKeys: keys, jwt } : null;
  const allowAnonymous = flag(env, 'ALLOW_ANONYMOUS');
  if (holdsToken && !gatewayAuth && !allowAnonymous && !isLoopbackHost(host)) {
    throw new ConfigError(
      `HOST=${host} can be reached from other machines and the gateway holds a Domo token (DOMO_DEVELOPER_TOKEN, DOMO_SESSION_TOKEN or the sandbox's): anyone reaching it would use that token. Require gateway authentication (GATEWAY_API_KEYS or GATEWAY_JWT_*), or set ALLOW_ANONYMOUS=true to serve anonymous callers on purpose`,
    );
  }
  return { gatewayAuth, allowAnonymous };
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
      queryTimeoutMs: integer(env, 'SANDBOX_QUERY_TIMEOUT_MS', 60_000, 1, 3_600_000),
    },
    nodeEnv: nodeEnvSetting ?? null,
    useSandbox,
    introspection: introspection === 'true',
    fieldSuggestions: development,
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
  };
}
