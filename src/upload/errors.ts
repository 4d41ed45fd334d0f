/** Why an upload failed, and whether its commit is known not to have happened. */

/**
 * Whether an upload committed, as the gateway knows it. NOT_COMMITTED for every failure before the
 * commit and for a commit Domo refused; after a commit that got no answer (a reset connection, a
 * timeout), what the dataset's data versions showed (commit.ts): COMMITTED, NOT_COMMITTED, or
 * UNKNOWN when they could not tell.
 */
export type CommitState = 'COMMITTED' | 'NOT_COMMITTED' | 'UNKNOWN';
export const COMMIT_STATES = ['COMMITTED', 'NOT_COMMITTED', 'UNKNOWN'] as const satisfies CommitState[];

export interface UploadErrorDetails {
  line?: number;
  column?: string;
  part?: number;
  uploadId?: string;
  /** NOT_COMMITTED or UNKNOWN (a failed upload never answers COMMITTED). */
  commitState?: CommitState;
}

export class UploadError extends Error {
  override name = 'UploadError';
  readonly details: UploadErrorDetails;
  constructor(
    readonly kind: 'data' | 'part' | 'aborted' | 'commit' | 'start',
    message: string,
    details: UploadErrorDetails = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.details = { ...details, commitState: details.commitState ?? 'NOT_COMMITTED' };
  }

  /** True unless the commit may have happened (its answer was lost and the data versions could not tell). */
  get nothingCommitted(): boolean {
    return this.details.commitState === 'NOT_COMMITTED';
  }
}
