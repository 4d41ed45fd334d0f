/** The per-request context: a Domo client bound to the caller, and the settings resolvers need. */
import type { Principal } from '../auth/scopes.ts';
import type { DomoClient } from '../domo/client.ts';
import type { Caller } from '../ops/caller.ts';
import type { OpsSink } from '../ops/events.ts';
import type { UploadPolicy } from '../upload/policy.ts';
import type { StreamFlow } from './stream-flow.ts';
import type { LiveContext } from './types/live.ts';

export interface GraphSettings {
  /** Largest page a connection field returns. */
  maxPageSize: number;
  /** Largest number of rows a SQL query field returns. */
  maxQueryRows: number;
  /** Row queries: default time zone of relative dates, largest page (ROWS_TIME_ZONE, ROWS_MAX_PAGE_SIZE). */
  rows?: { timeZone: string; maxPageSize: number };
  /** `pages` under @stream: most rows in all, largest page (MAX_STREAM_ROWS, MAX_STREAM_PAGE_SIZE). */
  stream?: { maxRows: number; maxPageSize: number };
}

export interface GraphContext {
  /** Upstream client bound to this request's credentials and cancellation signal. */
  domo: DomoClient;
  settings: GraphSettings;
  /** Files of a multipart request streamed in front of yoga, and the signal that cancels uploads. */
  uploads?: UploadContext;
  /** The caller as gateway authentication knows it (src/auth): scopes and dataset allow-list. */
  auth?: Principal;
  /** The request's cancellation: aborted when the caller goes away (a streamed field stops). */
  signal?: AbortSignal;
  /** Who takes the payloads of an incremental (@stream) answer, and when (src/graph/stream-flow.ts). */
  streamFlow?: StreamFlow;
  /** Where resolvers and plugins report what happened (src/ops/events.ts); absent in unit tests. */
  ops?: OpsSink;
  /** The caller as a hash of its credential, for the response cache and rate limits (src/ops/caller.ts). */
  caller?: Caller;
  /** Subscriptions' hub and a Domo client for their pollers (src/live); absent in unit tests. */
  live?: LiveContext;
}

export interface UploadContext {
  /** Streamed files by the marker id their variable carries (src/http/uploads.ts). */
  files?: Map<string, AsyncIterable<Uint8Array>>;
  /** Aborted when the caller goes away or the server shuts down. */
  signal?: AbortSignal;
  /** Part retries and commit checks, from config. */
  policy?: UploadPolicy;
}

/** Marker a streamed file's variable carries: `{"streamedUpload": "<id>"}`. */
export const STREAMED_UPLOAD_KEY = 'streamedUpload';
