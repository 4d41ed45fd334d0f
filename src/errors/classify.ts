/**
 * Which kind of failure an error is, so every way out (GraphQL, the upload routes, the CLI) reads
 * its code and status from the one table (codes.ts).
 */
import { DomoError } from '../domo/errors.ts';
import { type FailureKind, failure } from './codes.ts';

/**
 * An upload pipeline failure (UploadError's `kind` and `cause`): rejected data is the caller's;
 * a part, start or commit that failed takes the kind of Domo's failure behind it.
 */
export function uploadFailureKind(error: { kind: string; cause?: unknown }): FailureKind {
  if (error.kind === 'data') return 'bad_input';
  if (error.kind === 'aborted') return 'aborted';
  return error.cause instanceof DomoError ? error.cause.kind : 'upload_failed';
}

/** The kind of any error that is not an upload failure: Domo's own, or a bug. */
export function failureKindOf(error: unknown): FailureKind {
  return error instanceof DomoError ? error.kind : 'internal';
}

export { failure };
