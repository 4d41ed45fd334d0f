/**
 * The commit, and what to say when its answer is lost. A commit is a write: it is sent once, never
 * repeated. When it gets no answer from Domo (a reset connection, a timeout, a proxy's 502/504), the
 * upload may or may not have committed, so the dataset's data versions decide: read once just before
 * the commit (the baseline) and again after the failure. Exactly one new version, whose row count
 * (when Domo reports one) is this upload's, is COMMITTED; no new version after every check is
 * NOT_COMMITTED; anything else (a read that fails, several new versions, one that is not clearly
 * this upload's) is UNKNOWN. Data versions name no upload id (DOMO-NOTES), hence the baseline.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { DomoError } from '../domo/errors.ts';
import { retryDelay } from '../domo/retry.ts';
import type { DomoDataVersion, DomoUploadCommitRequest } from '../domo/types.ts';
import type { UploadsApi } from '../domo/uploads.ts';
import type { VersionsApi } from '../domo/versions.ts';
import type { UploadMode } from './args.ts';
import { type CommitState, UploadError } from './errors.ts';
import type { UploadPolicy } from './policy.ts';

export interface CommitOptions {
  mode: UploadMode;
  dataTag?: string;
  restateDataTag?: string;
  index?: boolean;
  message?: string;
}

export interface Committed {
  commit: unknown;
  dataVersion: string | null;
  /** The commit's answer was lost and the data versions showed the commit. */
  answerLost: boolean;
}

/** The API doc's commit body: `{action, index, dataTag?, restateDataTag?, message?}`. */
export function commitBody(options: CommitOptions): DomoUploadCommitRequest {
  const body: DomoUploadCommitRequest = {
    action: options.mode === 'REPLACE' ? 'REPLACE' : 'APPEND',
    index: options.index ?? true,
  };
  if (options.dataTag) body.dataTag = options.dataTag;
  if (options.restateDataTag) body.restateDataTag = options.restateDataTag;
  if (options.message) body.message = options.message;
  return body;
}

function dataVersionOf(commit: unknown): string | null {
  if (!commit || typeof commit !== 'object') return null;
  const record = commit as Record<string, unknown>;
  for (const key of ['dataVersionId', 'dataVersion', 'versionId', 'version']) {
    const value = record[key];
    if (typeof value === 'number' || typeof value === 'string') return String(value);
  }
  return null;
}

/** No answer from Domo itself: the request may have been carried out. */
export function unanswered(error: unknown): boolean {
  if (!(error instanceof DomoError)) return false;
  if (error.status === undefined) return ['connection', 'timeout', 'aborted'].includes(error.kind);
  return error.status === 502 || error.status === 504;
}

interface Apis {
  uploads: UploadsApi;
  versions: VersionsApi;
}

interface Context {
  datasetId: string;
  uploadId: string;
  /** Data rows the upload sent. */
  rows: number;
  policy: UploadPolicy;
  signal: AbortSignal;
}

/** Sends the commit once; when its answer is lost, reads the data versions to say what happened. */
export async function commitUpload(
  api: Apis,
  ctx: Context,
  body: DomoUploadCommitRequest,
): Promise<Committed> {
  const baseline = await versionIds(api, ctx.datasetId);
  // Cancelled during that read: the commit is not sent, so nothing is committed (not UNKNOWN).
  if (ctx.signal.aborted) {
    throw new UploadError('aborted', 'the upload was cancelled before its commit; nothing was committed', {
      uploadId: ctx.uploadId,
    });
  }
  let commit: unknown;
  try {
    commit = await api.uploads.commit(ctx.datasetId, ctx.uploadId, body);
  } catch (error) {
    const why = (error as Error).message;
    if (!unanswered(error)) {
      throw new UploadError(
        'commit',
        `the commit failed: ${why}`,
        { uploadId: ctx.uploadId },
        { cause: error },
      );
    }
    const verdict = await settle(api, ctx, baseline);
    if (verdict.state === 'COMMITTED')
      return { commit: null, dataVersion: verdict.version, answerLost: true };
    const message =
      verdict.state === 'NOT_COMMITTED'
        ? `the commit got no answer (${why}); the dataset's data versions show it did not commit`
        : `the commit got no answer (${why}) and whether it committed is unknown: ${verdict.reason}; read the dataset's data versions before uploading again`;
    throw new UploadError(
      'commit',
      message,
      { uploadId: ctx.uploadId, commitState: verdict.state },
      { cause: error },
    );
  }
  return { commit: commit ?? null, dataVersion: dataVersionOf(commit), answerLost: false };
}

/** The data version ids before the commit; undefined when they cannot be read (the upload goes on). */
async function versionIds(api: Apis, datasetId: string): Promise<Set<string> | undefined> {
  try {
    return new Set((await api.versions.dataVersions(datasetId)).map((v) => String(v.dataVersionId)));
  } catch {
    return undefined;
  }
}

type Verdict =
  | { state: 'COMMITTED'; version: string }
  | { state: Exclude<CommitState, 'COMMITTED'>; reason: string };

/** Reads the data versions up to policy.commitChecks times, until a new one appears. */
async function settle(api: Apis, ctx: Context, baseline: Set<string> | undefined): Promise<Verdict> {
  if (!baseline) return { state: 'UNKNOWN', reason: 'the data versions could not be read before the commit' };
  const { policy, signal } = ctx;
  for (let check = 1; ; check++) {
    let versions: DomoDataVersion[];
    try {
      versions = await api.versions.dataVersions(ctx.datasetId);
    } catch (error) {
      return {
        state: 'UNKNOWN',
        reason: `the data versions could not be read (${(error as Error).message})`,
      };
    }
    const fresh = versions.filter((v) => !baseline.has(String(v.dataVersionId)));
    if (fresh.length > 0) return judge(fresh, ctx.rows);
    if (check >= policy.commitChecks) {
      return { state: 'NOT_COMMITTED', reason: `no new data version after ${check} reads` };
    }
    try {
      await sleep(retryDelay(check, policy.partRetry, undefined), undefined, { signal });
    } catch {
      return { state: 'UNKNOWN', reason: 'the upload was cancelled while reading the data versions' };
    }
  }
}

function judge(fresh: DomoDataVersion[], rows: number): Verdict {
  const [only] = fresh;
  if (fresh.length === 1 && only && (only.rowCount === undefined || only.rowCount === rows)) {
    return { state: 'COMMITTED', version: String(only.dataVersionId) };
  }
  return {
    state: 'UNKNOWN',
    reason:
      fresh.length === 1
        ? `one new data version appeared, with ${only?.rowCount} rows where this upload sent ${rows}`
        : `${fresh.length} new data versions appeared (other writers?)`,
  };
}
