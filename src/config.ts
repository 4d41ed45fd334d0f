/**
 * The only reader of the environment. `loadConfig` turns variables into a typed, validated Config;
 * a wrong value throws a ConfigError whose message names the variable and what it accepts.
 */
import { isIP } from 'node:net';
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
  /** Largest page a connection field returns. */
  maxPageSize: number;
  /** Largest number of rows a SQL query field returns. */
  maxQueryRows: number;
  limits: OperationLimitSettings;
  /** Browser origins allowed to call the gateway cross-origin (CORS); empty allows none. */
  corsOrigins: string[];
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  sandbox: SandboxSettings;
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

export function loadConfig(env: Env = process.env): Config {
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

  return {
    port: integer(env, 'PORT', 4000, 0, 65535),
    host: listenHost(env),
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
    },
    maxPageSize: integer(env, 'MAX_PAGE_SIZE', 50, 1, 1000),
    maxQueryRows: integer(env, 'MAX_QUERY_ROWS', 10_000, 1, 1_000_000),
    limits: {
      maxDepth: integer(env, 'MAX_DEPTH', 12, 1, 100),
      maxAliases: integer(env, 'MAX_ALIASES', 200, 0, 10_000),
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
    },
    rows: {
      timeZone: timeZone(env, 'ROWS_TIME_ZONE'),
      maxPageSize: integer(env, 'ROWS_MAX_PAGE_SIZE', 1000, 1, 50_000),
      typedDatasets: typed,
      reloadSeconds: integer(env, 'TYPED_RELOAD_SECONDS', 300, 0, 86_400),
    },
  };
}
