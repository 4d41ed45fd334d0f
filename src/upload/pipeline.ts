/**
 * `uploadCsv`: streams a file of any size into a dataset, in steps: read the schema (the column
 * rules, columns.ts), take the bytes in (pump.ts) and cut them into parts on row boundaries checking
 * every value (splitter.ts), send the parts in parallel (parts.ts), and commit once every part was
 * acknowledged (commit.ts). Any failure leaves the upload uncommitted, which is how Domo abandons
 * one (it has no abort endpoint; DOMO-NOTES.md). Memory: about (concurrency + 1) × part size.
 */
import type { DatasetsApi } from '../domo/datasets.ts';
import type { DomoSchemaColumn, DomoUploadAppendId } from '../domo/types.ts';
import type { UploadsApi } from '../domo/uploads.ts';
import type { VersionsApi } from '../domo/versions.ts';
import { currentScope } from '../ops/scope.ts';
import { DEFAULT_CONCURRENCY, DEFAULT_PART_SIZE, type UploadMode } from './args.ts';
import { columnsResolver } from './columns.ts';
import { commitBody, commitUpload } from './commit.ts';
import { CsvInputError } from './csv-text.ts';
import { UploadError } from './errors.ts';
import { PartSender } from './parts.ts';
import { DEFAULT_UPLOAD_POLICY, type UploadPolicy } from './policy.ts';
import { pump } from './pump.ts';
import { CsvPartSplitter } from './splitter.ts';

interface UploadApis {
  uploads: UploadsApi;
  datasets: DatasetsApi;
  versions: VersionsApi;
}

/** A DomoClient, or just the APIs an upload uses. */
export interface UploadClient extends UploadApis {
  asOneCall?(): UploadApis;
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
  /** Part retries and commit checks (default DEFAULT_UPLOAD_POLICY; the gateway's from config). */
  policy?: UploadPolicy;
  /** DELETE: the key columns the file holds (else its header, else the schema's leading columns). */
  keyColumns?: string[];
  /** The dataset's columns when the caller already has them (saves the schema read). */
  schema?: DomoSchemaColumn[];
  signal?: AbortSignal;
  onProgress?: (progress: UploadProgress) => void;
}

export interface UploadCsvResult {
  /** Domo's upload id, as text (an ID in GraphQL, the same string on the PUT route). */
  uploadId: string;
  /** The data version the commit created, when the commit's answer (or the data versions) named it. */
  dataVersion: string | null;
  /** Always COMMITTED on a result; failures carry theirs (UploadError.details.commitState). */
  commitState: 'COMMITTED';
  /** The commit's answer was lost (reset, timeout) and the data versions showed the commit. */
  commitAnswerLost: boolean;
  parts: number;
  rows: number;
  bytes: number;
  durationMs: number;
  /** The commit's answer, as Domo sent it (null when it was lost). */
  commit: unknown;
}

/** Streams CSV bytes into a dataset and commits them, all or nothing. */
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
  const policy = options.policy ?? DEFAULT_UPLOAD_POLICY;
  const controller = new AbortController();
  const onAbort = () => controller.abort(options.signal?.reason);
  if (options.signal?.aborted) onAbort();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const splitter = await openSplitter(api, datasetId, options);
    const sender = new PartSender(api.uploads, datasetId, {
      start: { appendId: options.mode.toLowerCase() as DomoUploadAppendId, ...tags(options) },
      concurrency: Math.max(1, options.concurrency ?? DEFAULT_CONCURRENCY),
      retry: policy.partRetry,
      controller,
      onProgress: () =>
        options.onProgress?.({
          bytes: splitter.bytes,
          rows: splitter.rows,
          partsDone: sender.partsDone,
          parts: sender.parts,
        }),
    });
    await intake(source, splitter, sender, controller.signal);
    const uploadId = await partsSent(sender, controller.signal);
    const ctx = { datasetId, uploadId, rows: splitter.rows, policy, signal: controller.signal };
    const committed = await commitUpload(api, ctx, commitBody(options));
    // To the request's metrics, whichever transport carried the file (src/ops/scope.ts).
    currentScope()?.ops.emit({ type: 'upload', bytes: splitter.bytes, rows: splitter.rows });
    return {
      uploadId,
      dataVersion: committed.dataVersion,
      commitState: 'COMMITTED',
      commitAnswerLost: committed.answerLost,
      parts: sender.parts,
      rows: splitter.rows,
      bytes: splitter.bytes,
      durationMs: Math.round(performance.now() - started),
      commit: committed.commit,
    };
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
  }
}

function tags(options: UploadCsvOptions) {
  return { dataTag: options.dataTag, restateDataTag: options.restateDataTag };
}

/** The splitter, with the columns rows must match (the schema read unless the caller has it). */
async function openSplitter(
  api: UploadApis,
  datasetId: string,
  options: UploadCsvOptions,
): Promise<CsvPartSplitter> {
  const columns =
    options.schema ?? (await api.datasets.schema(datasetId, true)).tables.flatMap((t) => t.columns);
  return new CsvPartSplitter({
    partSizeBytes: options.partSizeBytes ?? DEFAULT_PART_SIZE,
    hasHeader: options.hasHeader ?? true,
    resolveColumns: columnsResolver(columns, options.mode, options.keyColumns),
  });
}

/** Reads the source to its end, handing parts over as they are cut; a failure is kept in `sender`. */
async function intake(
  source: AsyncIterable<Uint8Array>,
  splitter: CsvPartSplitter,
  sender: PartSender,
  signal: AbortSignal,
): Promise<void> {
  try {
    await pump(source, signal, (chunk) =>
      sender.failure ? undefined : sender.dispatch(splitter.write(chunk)),
    );
    if (!sender.failure && !signal.aborted) await sender.dispatch(splitter.end());
  } catch (error) {
    if (error instanceof CsvInputError) {
      sender.fail(
        new UploadError('data', error.message, { line: error.line, column: error.column }, { cause: error }),
      );
    } else if (!sender.failure) {
      sender.fail(
        new UploadError(
          'aborted',
          `reading the file failed: ${(error as Error).message ?? String(error)}`,
          { line: splitter.rows > 0 ? undefined : 1 },
          { cause: error },
        ),
      );
    }
  }
}

/** Waits for the parts in flight; throws the first failure (or a cancellation), else the upload id. */
async function partsSent(sender: PartSender, signal: AbortSignal): Promise<string> {
  await sender.settle();
  if (!sender.failure && signal.aborted) {
    sender.fail(
      new UploadError('aborted', 'the upload was cancelled before its commit; nothing was committed'),
    );
  }
  const failure = sender.failure;
  if (failure) {
    if (sender.uploadId !== undefined) failure.details.uploadId ??= sender.uploadId;
    throw failure;
  }
  return sender.uploadId ?? (await sender.start());
}
