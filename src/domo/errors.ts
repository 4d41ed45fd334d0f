/**
 * Every upstream failure becomes one of these, built in one place (http.ts). They carry what a
 * caller or an operator needs (status, method, path without query, Domo's `toe` trace id) and never
 * a token: the path is the only part of the request they keep, and the text Domo sent (message,
 * `toe`) is redacted here, with the call's secrets and the process's (src/errors/redact.ts).
 * Each kind's public code and HTTP status are in src/errors/codes.ts.
 */
import { redactText } from '../errors/redact.ts';

export type DomoErrorKind =
  | 'unauthenticated'
  | 'forbidden'
  | 'not_found'
  | 'bad_request'
  | 'rate_limited'
  | 'timeout'
  | 'connection'
  | 'aborted'
  | 'upstream'
  /** A body larger than the gateway reads whole (DOMO_MAX_RESPONSE_BYTES): never retried. */
  | 'too_large'
  /** The request spent its budget of upstream calls (call.ts): the call was never sent. */
  | 'over_budget';

export interface DomoErrorInit {
  kind: DomoErrorKind;
  message: string;
  method: string;
  path: string;
  status?: number;
  toe?: string;
  retryAfterMs?: number;
  cause?: unknown;
  /** The call's own secrets (the token sent), redacted from `message` and `toe`; not kept. */
  secrets?: readonly string[];
}

export class DomoError extends Error {
  override name = 'DomoError';
  readonly kind: DomoErrorKind;
  readonly status: number | undefined;
  readonly method: string;
  readonly path: string;
  readonly toe: string | undefined;
  readonly retryAfterMs: number | undefined;

  constructor(init: DomoErrorInit) {
    super(
      redactText(String(init.message), init.secrets),
      init.cause === undefined ? undefined : { cause: init.cause },
    );
    this.kind = init.kind;
    this.status = init.status;
    this.method = init.method;
    this.path = init.path;
    // Support asks for the toe, so it is kept, but a server echoing the token there must not leak it.
    this.toe = init.toe === undefined ? undefined : redactText(String(init.toe), init.secrets);
    this.retryAfterMs = init.retryAfterMs;
  }
}

/** A call refused because its request already made as many upstream calls as it may (call.ts). */
export class CallBudgetError extends DomoError {
  constructor(
    readonly maxCalls: number,
    request: { method: string; path: string },
  ) {
    super({
      kind: 'over_budget',
      method: request.method,
      path: request.path,
      message: `This request already made its ${maxCalls} upstream calls, the limit (DOMO_MAX_CALLS_PER_REQUEST); this one was not sent`,
    });
  }
}

/** Domo's error bodies: `{status, statusReason, message, toe}`, or just `{message}`, or `{errorCode, message}`. */
export interface DomoErrorBody {
  status?: number;
  statusReason?: string;
  message?: string;
  toe?: string;
  errorCode?: string;
  reason?: string;
}

export function kindForStatus(status: number, message: string): DomoErrorKind {
  if (status === 401) return 'unauthenticated';
  // Domo also throttles with 403 and a "rate limit" message.
  if (status === 403) return /rate.?limit|too many requests/i.test(message) ? 'rate_limited' : 'forbidden';
  if (status === 404) return 'not_found';
  if (status === 400 || status === 409 || status === 422) return 'bad_request';
  if (status === 429) return 'rate_limited';
  if (status === 408 || status === 504) return 'timeout';
  return 'upstream';
}
