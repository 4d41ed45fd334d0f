/** The typed settings groups of Config (config.ts), one per part of the gateway that reads them. */
import type { ObserveSettings } from './config-observe.ts';

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
  /**
   * Milliseconds an indexing run takes (QUEUED the first half, RUNNING the second, then COMPLETE);
   * 0: each status read moves it one step instead.
   */
  indexSettleMs: number;
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

/** Row pages streamed with @stream (MAX_STREAM_ROWS, MAX_STREAM_PAGE_SIZE). */
/** How /graphql is served (GATEWAY_LANE) and the parsed-document cache both lanes share. */
export interface LaneSettings {
  /** `lean`: JSON queries and mutations straight from node:http (src/http/lean.ts); `yoga`: all through yoga. */
  mode: 'lean' | 'yoga';
  /** GATEWAY_DOCUMENT_CACHE_SIZE: most distinct documents kept parsed and validated. */
  documentCacheSize: number;
  /** GATEWAY_DOCUMENT_CACHE_BYTES: most document text kept, summed over the cached documents. */
  documentCacheBytes: number;
  /**
   * GATEWAY_JIT (default false, experimental): operations compiled with graphql-jit where it can run
   * them. Off by default: jit does not take a list field answered by an async iterable
   * (QueryResult.pages without @stream), nor mask a scalar that fails to serialise as graphql-js does.
   */
  jit: boolean;
}

export interface StreamSettings {
  /**
   * Most rows one streamed `pages` field returns: it holds a few pages at a time, so it may be far
   * above MAX_QUERY_ROWS (which still bounds `pages` without @stream, as every row is then held).
   */
  maxRows: number;
  /** Largest `size` of a page. */
  maxPageSize: number;
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

/** The operations side (src/ops): response cache, rate limits, trusted documents, shared Redis. */
export interface OpsSettings {
  /** REDIS_URL: cache entries and rate-limit buckets shared by every replica; null keeps them in memory. */
  redisUrl: string | null;
  cache: CacheSettings;
  rateLimit: RateLimitSettings;
  trustedDocuments: TrustedDocumentSettings;
  /** Metrics and traces (config-observe.ts). */
  observe: ObserveSettings;
}

export interface CacheSettings {
  /** CACHE_ENABLED: answers of queries reused per caller (src/ops/cache.ts). */
  enabled: boolean;
  /** Seconds a metadata answer is reused. */
  ttlSeconds: number;
  /** Seconds an answer holding SQL results or rows is reused (the shorter wins). */
  rowsTtlSeconds: number;
  /** Entries kept in memory (least recently used go first); Redis evicts by its own policy. */
  maxEntries: number;
  /** Answers say `extensions.responseCache` (hit or not, TTL): development only. */
  showOutcome?: boolean;
}

export interface RateLimitSettings {
  /** Operations one caller may send a minute (token bucket); 0: no limit. */
  perMinute: number;
  /** Operations one caller may send at once, the bucket's size. */
  burst: number;
  /** Operations using Domo's search every caller together may send a minute; 0: no limit. */
  searchPerMinute: number;
}

export interface TrustedDocumentSettings {
  /** off: any document; allow: a known hash or any document; only: known hashes only. */
  mode: 'off' | 'allow' | 'only';
  /** A deployment's own manifest ({sha256: document}) beside schema/persisted-documents.json. */
  file: string | null;
  /** Development (not NODE_ENV=production): GraphiQL may send any document even with `only`. */
  development: boolean;
}
