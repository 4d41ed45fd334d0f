/** What DomoHttp (http.ts) is asked: requests, its options, the shared pool and path building. */
import { Agent, type Dispatcher } from 'undici';
import type { Logger } from '../log.ts';
import type { BodyReader } from './body.ts';
import type { RetryPolicy } from './retry.ts';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';
export type QueryValue = string | number | boolean | null | undefined;

export interface DomoRequest {
  method: HttpMethod;
  /** Path below the base URL, path parameters already encoded (use `apiPath`). */
  path: string;
  query?: Record<string, QueryValue>;
  /** The Accept header (default application/json): `text/csv` for an export. */
  accept?: string;
  /** A JSON body. */
  json?: unknown;
  /**
   * A raw body (CSV parts); a string or bytes can be re-sent, a stream cannot. An array of chunks is
   * sent one after another without joining them (no copy of a large part), and can be re-sent too.
   */
  body?: { data: string | Uint8Array | readonly Uint8Array[]; contentType: string };
  /**
   * The request may be repeated after a retryable failure: reads, and the POSTs that only read
   * (query, search, bulk). Never set for a write.
   */
  idempotent?: boolean;
  /**
   * Reads a 2xx body as it arrives instead of buffering it (DomoHttp.stream): a fresh reader per
   * attempt, told the largest single value it may hold (DOMO_MAX_RESPONSE_BYTES). The call
   * resolves to what the reader's end() returns.
   */
  read?: (maxValueBytes: number) => BodyReader<unknown>;
  /**
   * Cancels this request alone, beside the caller's signal: a streamed read whose consumer went
   * away (src/domo/query-pages.ts).
   */
  signal?: AbortSignal;
}

export interface DomoHttpOptions {
  baseUrl: string;
  dispatcher?: Dispatcher;
  retry: RetryPolicy;
  headersTimeoutMs: number;
  bodyTimeoutMs: number;
  logger?: Logger;
  /** Extra headers on every request (a User-Agent, say). */
  headers?: Record<string, string>;
  /**
   * Largest response body read whole (DOMO_MAX_RESPONSE_BYTES); larger is a `too_large` DomoError,
   * never retried. A streamed body (`read`) is bounded by its reader instead.
   */
  maxResponseBytes?: number;
  /** Called once per attempt, for tests and metrics. */
  onAttempt?: (request: DomoRequest, attempt: number) => void;
}

export interface DispatcherOptions {
  connectTimeoutMs: number;
  connections: number;
}

/** A shared keep-alive pool for one upstream origin set; create once per process. */
export function createDispatcher(options: DispatcherOptions): Agent {
  return new Agent({
    connections: options.connections,
    connect: { timeout: options.connectTimeoutMs, keepAlive: true, noDelay: true },
    keepAliveTimeout: 30_000,
    keepAliveMaxTimeout: 600_000,
    // One request per connection at a time: Domo's edge answers in order, but one slow answer must
    // not hold the ones queued behind it (HTTP/1.1 head-of-line blocking).
    pipelining: 1,
  });
}

/** Builds a path from a template, encoding every interpolated parameter. */
export function apiPath(strings: TemplateStringsArray, ...params: Array<string | number>): string {
  return strings.reduce(
    (path, part, i) => path + part + (i < params.length ? encodeURIComponent(String(params[i])) : ''),
    '',
  );
}
