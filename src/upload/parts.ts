/**
 * Parts in flight: numbered 1..N in the order they were cut, sent in parallel up to a bound, each
 * failed part re-sent under its own number (the only repeat of a write Domo allows: DOMO-NOTES)
 * with the backoff of src/domo/retry.ts. The upload is started on the first part, so an empty or
 * early-invalid file makes no write. The first failure stops everything.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { DomoError } from '../domo/errors.ts';
import { type RetryPolicy, retryDelay } from '../domo/retry.ts';
import type { StartUploadParams, UploadsApi } from '../domo/uploads.ts';
import type { CsvPart } from './csv-text.ts';
import { UploadError } from './errors.ts';

export interface PartSenderOptions {
  start: StartUploadParams;
  /** Parts in flight at once. */
  concurrency: number;
  retry: RetryPolicy;
  /** The upload's own signal: aborted by the caller, or by the first failure (`fail`). */
  controller: AbortController;
  /** After a part is cut or acknowledged. */
  onProgress: () => void;
}

/** Re-sending a part under its number replaces it, so any server-side failure may be retried. */
function partRetryable(error: unknown): boolean {
  if (!(error instanceof DomoError)) return false;
  if (error.kind === 'connection' || error.kind === 'timeout' || error.kind === 'rate_limited') return true;
  return error.status !== undefined && (error.status >= 500 || error.status === 408);
}

export class PartSender {
  /** The first failure; nothing is sent after it. */
  failure: UploadError | undefined;
  uploadId: string | undefined;
  /** Parts cut and handed over so far (the highest part number). */
  parts = 0;
  /** Parts acknowledged. */
  partsDone = 0;
  /** Bytes of the parts handed over (rows only: no header, BOM or blank line). */
  partBytes = 0;
  private starting: Promise<string> | undefined;
  private readonly inflight = new Set<Promise<void>>();

  constructor(
    private readonly uploads: UploadsApi,
    private readonly datasetId: string,
    private readonly options: PartSenderOptions,
  ) {}

  /** Opens the upload, once. */
  start(): Promise<string> {
    this.starting ??= this.uploads.start(this.datasetId, this.options.start).then((answer) => {
      this.uploadId = String(answer.uploadId);
      return this.uploadId;
    });
    return this.starting;
  }

  fail(error: UploadError): void {
    this.failure ??= error;
    this.options.controller.abort(error);
  }

  /** Sends parts in order, waiting for a free slot when all are taken; synchronous while none is. */
  dispatch(parts: CsvPart[]): Promise<void> | undefined {
    const { concurrency } = this.options;
    for (let i = 0; i < parts.length; i++) {
      if (this.failure) return;
      if (this.inflight.size >= concurrency) return this.dispatchLater(parts.slice(i));
      this.launch(parts[i]!);
    }
    return undefined;
  }

  /** Every part in flight settled (sent or given up). */
  async settle(): Promise<void> {
    await Promise.allSettled([...this.inflight]);
  }

  private async dispatchLater(parts: CsvPart[]): Promise<void> {
    for (const part of parts) {
      while (this.inflight.size >= this.options.concurrency && !this.failure) {
        await Promise.race(this.inflight);
      }
      if (this.failure) return;
      this.launch(part);
    }
  }

  /** Starts sending a part now (a slot is free). */
  private launch(data: CsvPart): void {
    const part = ++this.parts;
    this.partBytes += data.byteLength;
    const task: Promise<void> = this.send(part, data).then(
      () => undefined,
      (error: unknown) =>
        this.fail(
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
    const tracked = task.finally(() => this.inflight.delete(tracked));
    this.inflight.add(tracked);
    this.options.onProgress();
  }

  private async send(part: number, data: CsvPart): Promise<void> {
    const id = await this.start();
    const { retry, controller } = this.options;
    const signal = controller.signal;
    for (let attempt = 1; ; attempt++) {
      if (signal.aborted) return;
      try {
        await this.uploads.putPart(this.datasetId, id, part, data.chunks);
        this.partsDone++;
        this.options.onProgress();
        return;
      } catch (error) {
        if (signal.aborted) return;
        if (attempt > retry.maxRetries || !partRetryable(error)) {
          const why = error instanceof Error ? error.message : String(error);
          throw new UploadError(
            'part',
            `part ${part} failed after ${attempt} attempt${attempt === 1 ? '' : 's'}: ${why}`,
            { part, uploadId: id },
            { cause: error },
          );
        }
        const delay = retryDelay(attempt, retry, (error as DomoError).retryAfterMs);
        try {
          await sleep(delay, undefined, { signal });
        } catch {
          return;
        }
      }
    }
  }
}
