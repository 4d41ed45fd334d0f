/**
 * CSV uploads: the three REST stages (start, parts, commit) and `uploadCsv`, the pipeline that
 * streams a file of any size through them: split on row boundaries (csv.ts), parts numbered 1..N
 * sent in parallel with a bound on parts in flight, each failed part re-sent under the same number
 * with backoff, and a commit only once every part succeeded. Any failure leaves the upload
 * uncommitted, which is how Domo abandons one (it has no abort endpoint; DOMO-NOTES.md).
 */
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Call } from './call.ts';
import { unexpectedShape } from './call.ts';
import { type CsvColumn, CsvInputError, type CsvPart, CsvPartSplitter } from './csv.ts';
import type { DatasetsApi } from './datasets.ts';
import { DomoError } from './errors.ts';
import { apiPath, type DomoRequest } from './http.ts';
import type {
  DomoSchemaColumn,
  DomoUploadAppendId,
  DomoUploadCommitRequest,
  DomoUploadStartRequest,
  DomoUploadStartResponse,
} from './types.ts';

export { type CsvColumn, CsvInputError, type CsvPart, CsvPartSplitter, csvField, partBytes } from './csv.ts';

export const UPLOAD_MODES = ['APPEND', 'REPLACE', 'UPSERT', 'DELETE'] as const;
export type UploadMode = (typeof UPLOAD_MODES)[number];

export interface StartUploadParams {
  appendId?: DomoUploadAppendId;
  action?: 'APPEND' | 'REPLACE' | null;
  dataTag?: string;
  restateDataTag?: string;
  includeHistory?: boolean;
}

export class UploadsApi {
  constructor(private readonly call: Call) {}

  /**
   * `POST /api/data/v3/datasources/:id/uploads?dataTag&restateDataTag&includeHistory` with
   * `{appendId?, action?}`: opens an upload and answers its id.
   */
  async start(datasetId: string, params: StartUploadParams = {}): Promise<DomoUploadStartResponse> {
    const json: DomoUploadStartRequest = {};
    if (params.appendId) json.appendId = params.appendId;
    if (params.action !== undefined) json.action = params.action;
    const request: DomoRequest = {
      method: 'POST',
      path: apiPath`/api/data/v3/datasources/${datasetId}/uploads`,
      query: {
        dataTag: params.dataTag,
        restateDataTag: params.restateDataTag,
        includeHistory: params.includeHistory,
      },
      json,
    };
    const body = await this.call<DomoUploadStartResponse>(request);
    if (!body || (typeof body.uploadId !== 'number' && typeof body.uploadId !== 'string')) {
      throw unexpectedShape(request, 'no uploadId');
    }
    return body;
  }

  /**
   * `PUT /api/data/v3/datasources/:id/uploads/:uploadId/parts/:part` with `Content-Type: text/csv`
   * (rows without a header). Re-sending a part number replaces that part. `data` may be a list of
   * chunks, sent in order as one body.
   */
  async putPart(
    datasetId: string,
    uploadId: number | string,
    part: number,
    data: Uint8Array | string | readonly Uint8Array[],
  ) {
    return this.call<unknown>({
      method: 'PUT',
      path: apiPath`/api/data/v3/datasources/${datasetId}/uploads/${uploadId}/parts/${part}`,
      body: { data, contentType: 'text/csv' },
    });
  }

  /**
   * `PUT /api/data/v3/datasources/:id/uploads/:uploadId/commit` with `{action, index, dataTag?,
   * restateDataTag?, message?}`. Domo documents no answer: it is passed on as it came.
   */
  async commit(
    datasetId: string,
    uploadId: number | string,
    body: DomoUploadCommitRequest,
  ): Promise<unknown> {
    return this.call<unknown>({
      method: 'PUT',
      path: apiPath`/api/data/v3/datasources/${datasetId}/uploads/${uploadId}/commit`,
      json: body,
    });
  }
}

/** Why an upload failed; nothing was committed. */
export class UploadError extends Error {
  override name = 'UploadError';
  constructor(
    readonly kind: 'data' | 'part' | 'aborted' | 'commit' | 'start',
    message: string,
    readonly details: { line?: number; column?: string; part?: number; uploadId?: number | string } = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export interface UploadProgress {
  bytes: number;
  rows: number;
  /** Parts sent and acknowledged. */
  partsDone: number;
  /** Parts cut from the file so far. */
  parts: number;
}

export interface UploadCsvOptions {
  mode: UploadMode;
  /** Partition tag (`dataTag`), sent on start and commit. */
  dataTag?: string;
  /** The older name of the partition tag, for servers that want it. */
  restateDataTag?: string;
  index?: boolean;
  message?: string;
  hasHeader?: boolean;
  partSizeBytes?: number;
  /** Parts in flight at once. */
  concurrency?: number;
  /** Attempts per part before the upload fails. */
  maxPartAttempts?: number;
  retryBaseMs?: number;
  /** DELETE: the key columns the file holds (else its header, else the schema's leading columns). */
  keyColumns?: string[];
  /** The dataset's columns when the caller already has them (saves the schema read). */
  schema?: DomoSchemaColumn[];
  signal?: AbortSignal;
  onProgress?: (progress: UploadProgress) => void;
}

export interface UploadCsvResult {
  uploadId: number | string;
  /** The data version the commit created, when the commit's answer names one. */
  dataVersion: number | string | null;
  parts: number;
  rows: number;
  bytes: number;
  durationMs: number;
  /** The commit's answer, as Domo sent it. */
  commit: unknown;
}

export const DEFAULT_PART_SIZE = 8 * 1024 * 1024;
export const DEFAULT_CONCURRENCY = 4;

/** Columns a file must match, from the schema, the header, the mode and the key columns. */
export function columnsResolver(
  schema: DomoSchemaColumn[],
  mode: UploadMode,
  keyColumns?: string[],
): (header: string[] | null, firstRowFields: number) => CsvColumn[] {
  const byName = new Map(schema.map((c) => [c.name, c]));
  const pick = (name: string, position: number): CsvColumn => {
    const column = byName.get(name);
    if (!column) {
      throw new CsvInputError(
        `line 1, column ${position + 1}: "${name}" is not a column of the dataset`,
        1,
        name,
      );
    }
    return { name: column.name, type: String(column.type) };
  };
  return (header, firstRowFields) => {
    if (mode === 'DELETE') {
      const names = header ?? keyColumns ?? schema.slice(0, firstRowFields).map((c) => c.name);
      const seen = new Set<string>();
      const columns = names.map((name, i) => {
        if (seen.has(name)) throw new CsvInputError(`line 1: column "${name}" appears twice`, 1, name);
        seen.add(name);
        return pick(name, i);
      });
      if (
        header &&
        keyColumns &&
        (header.length !== keyColumns.length || header.some((h, i) => h !== keyColumns[i]))
      ) {
        throw new CsvInputError(
          `line 1: a DELETE file holds only the key columns (${keyColumns.join(', ')}), found ${header.join(', ')}`,
          1,
        );
      }
      return columns;
    }
    if (header) {
      for (let i = 0; i < Math.max(header.length, schema.length); i++) {
        const expected = schema[i]?.name;
        const found = header[i];
        if (expected === found) continue;
        throw new CsvInputError(
          found === undefined
            ? `line 1: the header lacks column "${expected}" (column ${i + 1})`
            : expected === undefined
              ? `line 1, column ${i + 1}: "${found}" is not a column of the dataset`
              : `line 1, column ${i + 1}: the header names "${found}" where the dataset has "${expected}" (names are case-sensitive, in schema order)`,
          1,
          expected ?? found,
        );
      }
    }
    return schema.map((c) => ({ name: c.name, type: String(c.type) }));
  };
}

function partRetryable(error: unknown): boolean {
  if (!(error instanceof DomoError)) return false;
  if (error.kind === 'connection' || error.kind === 'timeout' || error.kind === 'rate_limited') return true;
  // Re-sending a part under its number replaces it, so any server-side failure may be retried.
  return error.status !== undefined && (error.status >= 500 || error.status === 408);
}

function dataVersionOf(commit: unknown): number | string | null {
  if (!commit || typeof commit !== 'object') return null;
  const record = commit as Record<string, unknown>;
  for (const key of ['dataVersionId', 'dataVersion', 'versionId', 'version']) {
    const value = record[key];
    if (typeof value === 'number' || typeof value === 'string') return value;
  }
  return null;
}

/**
 * The source, ended early when the signal aborts: a caller whose body stalls (or a server that shuts
 * down mid-upload) must not keep the upload waiting for bytes that may never come.
 */
async function* abortable(source: AsyncIterable<Uint8Array>, signal: AbortSignal): AsyncIterable<Uint8Array> {
  const iterator = source[Symbol.asyncIterator]();
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<IteratorResult<Uint8Array>>((resolve) => {
    onAbort = () => resolve({ done: true, value: undefined });
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    for (;;) {
      const next = await Promise.race([iterator.next(), aborted]);
      if (next.done) return;
      yield next.value;
    }
  } finally {
    if (onAbort) signal.removeEventListener('abort', onAbort);
    // Ends the source (a request body is destroyed); not awaited, as a stalled source may never settle.
    void iterator.return?.()?.catch(() => undefined);
  }
}

interface UploadApis {
  uploads: UploadsApi;
  datasets: DatasetsApi;
}

/** A DomoClient, or just the two APIs an upload uses. */
export interface UploadClient extends UploadApis {
  asOneCall?(): UploadApis;
}

/**
 * Feeds every chunk of `source` to `onChunk` until the source ends, the signal aborts (resolves
 * early, even while the source stalls) or onChunk throws (rejects). onChunk answers a
 * promise when the caller must wait before the next chunk (parts in flight at their bound). A Node
 * stream is read by its 'data' events, paused while waiting: async iteration costs several promises
 * per chunk, and a request body comes in chunks of 64 KB at most (about 1,700 per 100 MB).
 */
const ignore = () => undefined;

export async function pump(
  source: AsyncIterable<Uint8Array>,
  signal: AbortSignal,
  onChunk: (chunk: Uint8Array) => Promise<void> | undefined,
): Promise<void> {
  if (!(source instanceof Readable)) {
    for await (const chunk of abortable(source, signal)) {
      const wait = onChunk(chunk);
      if (wait) await wait;
      if (signal.aborted) return;
    }
    return;
  }
  const stream = source;
  if (stream.readableEnded) return;
  await new Promise<void>((resolve, reject) => {
    let done = false;
    const finish = (error?: unknown) => {
      if (done) return;
      done = true;
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.off('close', onClose);
      stream.off('error', finish);
      signal.removeEventListener('abort', onAbort);
      if (error === undefined) resolve();
      else reject(error);
    };
    // Stopping early leaves the stream paused, not destroyed: its owner still answers on the same
    // connection (a request body is drained by the HTTP route), and a later error is its to report.
    const stop = (error?: unknown) => {
      if (done) return;
      finish(error);
      stream.pause();
      stream.on('error', ignore);
    };
    const onData = (chunk: Uint8Array) => {
      let wait: Promise<void> | undefined;
      try {
        wait = onChunk(chunk);
      } catch (error) {
        stop(error);
        return;
      }
      if (!wait) return;
      stream.pause();
      wait.then(
        () => {
          if (!done) stream.resume();
        },
        (error: unknown) => stop(error),
      );
    };
    const onEnd = () => finish();
    const onClose = () => finish(stream.readableEnded ? undefined : new Error('the body was cut short'));
    const onAbort = () => stop();
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    stream.on('error', finish);
    stream.on('end', onEnd);
    stream.on('close', onClose);
    stream.on('data', onData);
  });
}

/**
 * Streams CSV bytes into a dataset. Reads the schema to validate rows, opens the upload only once
 * the first part is ready (an empty or early-invalid file makes no write), and commits only after
 * every part was acknowledged. Memory: about (concurrency + 1) × part size.
 */
export async function uploadCsv(
  client: UploadClient,
  datasetId: string,
  source: AsyncIterable<Uint8Array>,
  options: UploadCsvOptions,
): Promise<UploadCsvResult> {
  // A whole upload is one call against the request's call budget: a 1 GB file is 130+ part calls,
  // and a budget that stopped it halfway would only leave an uncommitted upload behind.
  const api = client.asOneCall?.() ?? client;
  const started = performance.now();
  const concurrency = Math.max(1, options.concurrency ?? DEFAULT_CONCURRENCY);
  const maxAttempts = Math.max(1, options.maxPartAttempts ?? 5);
  const retryBaseMs = options.retryBaseMs ?? 250;
  const controller = new AbortController();
  const onAbort = () => controller.abort(options.signal?.reason);
  if (options.signal?.aborted) onAbort();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  const signal = controller.signal;

  const columns =
    options.schema ?? (await api.datasets.schema(datasetId, true)).tables.flatMap((t) => t.columns);
  const splitter = new CsvPartSplitter({
    partSizeBytes: options.partSizeBytes ?? DEFAULT_PART_SIZE,
    hasHeader: options.hasHeader ?? true,
    resolveColumns: columnsResolver(columns, options.mode, options.keyColumns),
  });

  const tag = { dataTag: options.dataTag, restateDataTag: options.restateDataTag };
  let uploadId: number | string | undefined;
  let starting: Promise<number | string> | undefined;
  const start = () => {
    starting ??= api.uploads
      .start(datasetId, {
        appendId: options.mode.toLowerCase() as DomoUploadAppendId,
        ...tag,
      })
      .then((answer) => {
        uploadId = answer.uploadId;
        return answer.uploadId;
      });
    return starting;
  };

  const inflight = new Set<Promise<void>>();
  let failure: UploadError | undefined;
  let partNumber = 0;
  let partsDone = 0;
  const progress = () =>
    options.onProgress?.({ bytes: splitter.bytes, rows: splitter.rows, partsDone, parts: partNumber });

  const fail = (error: UploadError) => {
    failure ??= error;
    controller.abort(error);
  };

  const sendPart = async (part: number, data: CsvPart) => {
    const id = await start();
    for (let attempt = 1; ; attempt++) {
      if (signal.aborted) return;
      try {
        await api.uploads.putPart(datasetId, id, part, data.chunks);
        partsDone++;
        progress();
        return;
      } catch (error) {
        if (signal.aborted) return;
        if (attempt >= maxAttempts || !partRetryable(error)) {
          const why = error instanceof Error ? error.message : String(error);
          throw new UploadError(
            'part',
            `part ${part} failed after ${attempt} attempt${attempt === 1 ? '' : 's'}: ${why}`,
            { part, uploadId: id },
            { cause: error },
          );
        }
        const ceiling = Math.min(10_000, retryBaseMs * 2 ** (attempt - 1));
        try {
          await sleep(Math.round(ceiling / 2 + (Math.random() * ceiling) / 2), undefined, { signal });
        } catch {
          return;
        }
      }
    }
  };

  /** Starts sending a part now (a slot is free). */
  const launch = (data: CsvPart) => {
    const part = ++partNumber;
    const task: Promise<void> = sendPart(part, data).then(
      () => undefined,
      (error: unknown) =>
        fail(
          error instanceof UploadError
            ? error
            : new UploadError(
                'start',
                `could not start the upload: ${(error as Error).message}`,
                {},
                { cause: error },
              ),
        ),
    );
    const tracked = task.finally(() => inflight.delete(tracked));
    inflight.add(tracked);
    progress();
  };

  /** Sends parts in order, waiting for a free slot when all are taken; synchronous while none is. */
  const dispatch = (parts: CsvPart[]): Promise<void> | undefined => {
    for (let i = 0; i < parts.length; i++) {
      if (failure) return;
      if (inflight.size >= concurrency) {
        return (async () => {
          for (const part of parts.slice(i)) {
            while (inflight.size >= concurrency && !failure) await Promise.race(inflight);
            if (failure) return;
            launch(part);
          }
        })();
      }
      launch(parts[i]!);
    }
    return undefined;
  };

  try {
    try {
      await pump(source, signal, (chunk) => (failure ? undefined : dispatch(splitter.write(chunk))));
      if (!failure && !signal.aborted) await dispatch(splitter.end());
    } catch (error) {
      if (error instanceof CsvInputError) {
        fail(
          new UploadError(
            'data',
            error.message,
            { line: error.line, column: error.column },
            { cause: error },
          ),
        );
      } else if (!failure) {
        fail(
          new UploadError(
            'aborted',
            `reading the file failed: ${(error as Error).message ?? String(error)}`,
            { line: splitter.rows > 0 ? undefined : 1 },
            { cause: error },
          ),
        );
      }
    }
    await Promise.allSettled([...inflight]);
    if (!failure && signal.aborted) {
      fail(new UploadError('aborted', 'the upload was cancelled before its commit; nothing was committed'));
    }
    if (failure) {
      if (uploadId !== undefined) failure.details.uploadId ??= uploadId;
      throw failure;
    }
    const id = uploadId ?? (await start());
    const commitBody: DomoUploadCommitRequest = {
      action: options.mode === 'REPLACE' ? 'REPLACE' : 'APPEND',
      index: options.index ?? true,
    };
    if (options.dataTag) commitBody.dataTag = options.dataTag;
    if (options.restateDataTag) commitBody.restateDataTag = options.restateDataTag;
    if (options.message) commitBody.message = options.message;
    let commit: unknown;
    try {
      commit = await api.uploads.commit(datasetId, id, commitBody);
    } catch (error) {
      throw new UploadError(
        'commit',
        `the commit failed: ${(error as Error).message}`,
        { uploadId: id },
        { cause: error },
      );
    }
    return {
      uploadId: id,
      dataVersion: dataVersionOf(commit),
      parts: partNumber,
      rows: splitter.rows,
      bytes: splitter.bytes,
      durationMs: Math.round(performance.now() - started),
      commit: commit ?? null,
    };
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
  }
}
