/** The upload routes' answers for refusals and failures: `{ error: { code, message, … } }`. */
import type { ServerResponse } from 'node:http';
import type { Credentials } from '../domo/auth.ts';
import { DomoError } from '../domo/errors.ts';
import { failureKindOf, uploadFailureKind } from '../errors/classify.ts';
import { type FailureKind, failure } from '../errors/codes.ts';
import { redactDeep } from '../errors/redact.ts';
import { currentScope } from '../ops/scope.ts';
import { UploadError } from '../upload/index.ts';

export function sendJson(res: ServerResponse, status: number, body: unknown, close = false) {
  if (res.headersSent || res.destroyed) return;
  // The request's log line names the error code (src/ops/scope.ts).
  const code = (body as { error?: { code?: unknown } } | null)?.error?.code;
  if (typeof code === 'string') currentScope()?.errorCodes.add(code);
  res.writeHead(status, {
    'content-type': 'application/json',
    // An answer sent before the body was read whole: close rather than read the rest.
    ...(close ? { connection: 'close' } : {}),
  });
  res.end(JSON.stringify(body));
}

/** A refusal of the route's own, its code and status from the one table. */
export function refusal(
  kind: FailureKind,
  message: string,
): { status: number; body: Record<string, unknown> } {
  const { code, httpStatus } = failure(kind);
  return { status: httpStatus, body: { error: { code, message } } };
}

/**
 * The JSON answer for a failed upload: code and status from the one table (as GraphQL answers the
 * same failure), every string redacted with the caller's token and the server's before it leaves.
 */
export function errorBody(
  error: unknown,
  credentials: Credentials | null,
): { status: number; body: Record<string, unknown> } {
  const answer = unredactedErrorBody(error);
  return {
    status: answer.status,
    body: redactDeep(answer.body, credentials ? [credentials.token] : []) as Record<string, unknown>,
  };
}

function unredactedErrorBody(error: unknown): { status: number; body: Record<string, unknown> } {
  if (error instanceof UploadError) {
    const cause = error.cause;
    const upstream = cause instanceof DomoError ? cause : undefined;
    const { code, httpStatus: status } = failure(uploadFailureKind(error));
    return {
      status,
      body: {
        error: {
          code,
          message:
            error.kind === 'data' || !error.nothingCommitted
              ? error.message
              : `${error.message}; nothing was committed`,
          ...error.details,
          ...(upstream?.status !== undefined ? { upstreamStatus: upstream.status } : {}),
          ...(upstream?.toe ? { toe: upstream.toe } : {}),
        },
      },
    };
  }
  const { code, httpStatus } = failure(failureKindOf(error));
  if (error instanceof DomoError) {
    return {
      status: httpStatus,
      body: { error: { code, message: error.message, upstreamStatus: error.status } },
    };
  }
  return { status: httpStatus, body: { error: { code, message: 'unexpected error' } } };
}
