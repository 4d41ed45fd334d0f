/**
 * DomoHttp's failures (http.ts): an answer's status or a transport failure made a DomoError, the
 * single place every upstream failure gets its kind and its (redacted) message.
 */
import { errors as undiciErrors } from 'undici';
import { DomoError, type DomoErrorBody, kindForStatus } from './errors.ts';
import type { DomoRequest } from './http-request.ts';
import { parseRetryAfter } from './retry.ts';

const CONNECTION_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
]);
const TIMEOUT_CODES = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

export function errorCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; current && depth < 4; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

export function abortedError(request: DomoRequest): DomoError {
  return new DomoError({
    kind: 'aborted',
    message: 'the request was cancelled',
    method: request.method,
    path: request.path,
  });
}

export function statusError(
  status: number,
  text: string,
  contentType: string,
  retryAfter: string | string[] | undefined,
  where: { method: string; path: string },
  secrets: readonly string[],
): DomoError {
  let parsed: DomoErrorBody | undefined;
  try {
    const value: unknown = JSON.parse(text);
    if (value && typeof value === 'object' && !Array.isArray(value)) parsed = value as DomoErrorBody;
  } catch {
    // not JSON: an HTML block or maintenance page, or plain text
  }
  const upstreamMessage = parsed?.message ?? parsed?.statusReason ?? parsed?.reason ?? parsed?.errorCode;
  const message = parsed
    ? (upstreamMessage ?? `Domo answered ${status}`)
    : looksLikeHtml(text, contentType)
      ? `Domo answered ${status} with an HTML page (${htmlTitle(text) ?? 'no title'})`
      : `Domo answered ${status}`;
  return new DomoError({
    ...where,
    kind: kindForStatus(status, message),
    status,
    // message (from Domo's message, statusReason, reason or errorCode, or an HTML title) and toe
    // are redacted by DomoError with these.
    secrets,
    message,
    toe: typeof parsed?.toe === 'string' ? parsed.toe : undefined,
    retryAfterMs: parseRetryAfter(Array.isArray(retryAfter) ? retryAfter[0] : retryAfter),
  });
}

export function transportError(
  error: unknown,
  where: { method: string; path: string },
  signal?: AbortSignal,
): DomoError {
  if (signal?.aborted || (error as { name?: string })?.name === 'AbortError') {
    return new DomoError({ ...where, kind: 'aborted', message: 'the request was cancelled', cause: error });
  }
  const code = errorCode(error);
  if (code && TIMEOUT_CODES.has(code)) {
    const phase =
      code === 'UND_ERR_CONNECT_TIMEOUT'
        ? 'connecting'
        : code === 'UND_ERR_HEADERS_TIMEOUT'
          ? 'waiting for headers'
          : 'reading the body';
    return new DomoError({ ...where, kind: 'timeout', message: `Domo timed out (${phase})`, cause: error });
  }
  if (error instanceof undiciErrors.UndiciError || (code && CONNECTION_CODES.has(code))) {
    return new DomoError({
      ...where,
      kind: 'connection',
      message: `could not reach Domo (${code ?? 'connection failed'})`,
      cause: error,
    });
  }
  return new DomoError({ ...where, kind: 'connection', message: 'could not reach Domo', cause: error });
}

export function looksLikeHtml(text: string, contentType: string): boolean {
  return contentType.includes('text/html') || /^\s*<(!doctype|html)/i.test(text);
}

export function htmlTitle(text: string): string | undefined {
  return text.match(/<title[^>]*>([^<]{0,120})<\/title>/i)?.[1]?.trim();
}
