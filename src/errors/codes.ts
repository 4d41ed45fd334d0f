/**
 * The one error vocabulary: every way a request can fail, by internal kind, and the stable
 * `code` (GraphQL `extensions.code`, the upload routes' `error.code`, the CLI's exit message) and
 * HTTP status (the non-GraphQL routes; yoga keeps its own for GraphQL) it becomes. Kinds are the
 * gateway's words for a failure and may be added freely; codes are public API, listed in the
 * README's "Errors" table (test/unit/error-codes.test.ts checks the two both ways).
 *
 * Imports nothing at run time, GraphQL least of all: src/domo, src/http, src/graph and the CLI all
 * read it.
 */
import type { DomoErrorKind } from '../domo/errors.ts';

/** Failures the gateway finds itself, beside Domo's (DomoErrorKind, src/domo/errors.ts). */
export type GatewayFailureKind =
  | 'bad_input'
  | 'operation_limit'
  | 'csrf'
  | 'gateway_unauthenticated'
  | 'scope_forbidden'
  | 'upload_failed'
  | 'body_too_large'
  | 'malformed_request'
  | 'method_not_allowed'
  | 'shutting_down'
  | 'introspection_off'
  | 'throttled'
  | 'untrusted_document'
  | 'persisted_not_found'
  | 'too_many_subscriptions'
  | 'subscription_idle'
  | 'internal';

export type FailureKind = DomoErrorKind | GatewayFailureKind;

export interface Failure {
  code: string;
  httpStatus: number;
}

export const FAILURES = {
  // --- Domo answered, or could not be asked (DomoHttp.request builds these; src/domo/errors.ts) ---
  /** Domo refused the credentials (401), or the request carried none and the server holds none. */
  unauthenticated: { code: 'UNAUTHENTICATED', httpStatus: 401 },
  /** Domo refused access (403 without a rate-limit message). */
  forbidden: { code: 'FORBIDDEN', httpStatus: 403 },
  /** Domo does not know the object, or does not show it to these credentials (404). */
  not_found: { code: 'NOT_FOUND', httpStatus: 404 },
  /** Domo refused the request itself (400, 409, 422): bad SQL, a bad schema. */
  bad_request: { code: 'BAD_USER_INPUT', httpStatus: 400 },
  /** Domo throttled (429, or 403 with a rate-limit message), after the retries. */
  rate_limited: { code: 'RATE_LIMITED', httpStatus: 429 },
  /** Domo did not answer in time, or answered 408 or 504. */
  timeout: { code: 'UPSTREAM_TIMEOUT', httpStatus: 504 },
  /** Domo could not be reached (refused, reset, DNS). */
  connection: { code: 'UPSTREAM_ERROR', httpStatus: 502 },
  /** The caller went away or the server is shutting down: the work stopped (nginx's 499). */
  aborted: { code: 'CANCELLED', httpStatus: 499 },
  /** Domo failed (5xx), or answered something that is not the JSON it documents. */
  upstream: { code: 'UPSTREAM_ERROR', httpStatus: 502 },
  /** Domo's answer is larger than DOMO_MAX_RESPONSE_BYTES (a SQL answer: one row that large); never retried. */
  too_large: { code: 'UPSTREAM_RESPONSE_TOO_LARGE', httpStatus: 502 },
  /** The request already made DOMO_MAX_CALLS_PER_REQUEST upstream calls (src/domo/call.ts). */
  over_budget: { code: 'OPERATION_TOO_COMPLEX', httpStatus: 400 },

  // --- The gateway refused or failed before (or without) asking Domo ---
  /** An argument, a query parameter or a CSV row is wrong (with `field`, or `line` and `column`). */
  bad_input: { code: 'BAD_USER_INPUT', httpStatus: 400 },
  /** Over MAX_TOKENS, MAX_DEPTH or MAX_ALIASES: refused before any call (src/graph/limits.ts). */
  operation_limit: { code: 'OPERATION_TOO_COMPLEX', httpStatus: 400 },
  /** A request a cross-site page could have sent without the caller's consent (src/http/csrf.ts). */
  csrf: { code: 'CSRF_PREVENTED', httpStatus: 403 },
  /** Gateway authentication: no API key or JWT where one is required, or one that does not verify. */
  gateway_unauthenticated: { code: 'UNAUTHENTICATED', httpStatus: 401 },
  /** Gateway authentication: the key or token is valid but its scopes or dataset allow-list exclude the call. */
  scope_forbidden: { code: 'FORBIDDEN', httpStatus: 403 },
  /** An upload's start, part or commit failed without an answer from Domo to classify it by. */
  upload_failed: { code: 'UPSTREAM_ERROR', httpStatus: 502 },
  /** The request body is over the gateway's limit (src/body-limit.ts). */
  body_too_large: { code: 'REQUEST_ENTITY_TOO_LARGE', httpStatus: 413 },
  /** The HTTP request itself is malformed (an invalid Content-Length, say). */
  malformed_request: { code: 'BAD_REQUEST', httpStatus: 400 },
  /** A route called with a method it does not take (the upload route is PUT only). */
  method_not_allowed: { code: 'METHOD_NOT_ALLOWED', httpStatus: 405 },
  /** The server is draining after SIGTERM: the request was not started; send it again elsewhere. */
  shutting_down: { code: 'SHUTTING_DOWN', httpStatus: 503 },
  /** `__schema` or `__type` asked while introspection is off (src/graph/exposure.ts). */
  introspection_off: { code: 'INTROSPECTION_OFF', httpStatus: 400 },
  /** The caller's rate limit, or the shared budget of Domo's search, is spent (src/ops/rate-limit.ts). */
  throttled: { code: 'RATE_LIMITED', httpStatus: 429 },
  /** TRUSTED_DOCUMENTS=only and the request sent a document instead of a known hash (src/ops/trusted.ts). */
  untrusted_document: { code: 'UNTRUSTED_DOCUMENT', httpStatus: 403 },
  /** A document hash (or documentId) that no trusted-document manifest holds. */
  persisted_not_found: { code: 'PERSISTED_QUERY_NOT_FOUND', httpStatus: 404 },
  /** SUBSCRIPTIONS_PER_CALLER or SUBSCRIPTIONS_MAX open subscriptions already (src/live/hub.ts). */
  too_many_subscriptions: { code: 'TOO_MANY_SUBSCRIPTIONS', httpStatus: 429 },
  /** A subscription saw no new state for SUBSCRIPTION_IDLE_MINUTES and was ended (src/live/hub.ts). */
  subscription_idle: { code: 'SUBSCRIPTION_IDLE', httpStatus: 408 },
  /** A bug: masked as "Unexpected error." (yoga's own code for it), logged in full on the server. */
  internal: { code: 'INTERNAL_SERVER_ERROR', httpStatus: 500 },
} as const satisfies Record<FailureKind, Failure>;

/** Every public error code. */
export type ErrorCode = (typeof FAILURES)[FailureKind]['code'];

/** The code and status of a failure kind. */
export function failure(kind: FailureKind): { code: ErrorCode; httpStatus: number } {
  return FAILURES[kind];
}

/** Every code once, with its HTTP status (a code has one status whatever kind it came from). */
export function errorCodes(): Map<ErrorCode, number> {
  const codes = new Map<ErrorCode, number>();
  for (const { code, httpStatus } of Object.values(FAILURES)) codes.set(code, httpStatus);
  return codes;
}
