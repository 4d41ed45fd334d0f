/** Retry policy: which failures are worth repeating and how long to wait before the next attempt. */
import type { DomoError } from './errors.ts';

export interface RetryPolicy {
  maxRetries: number;
  baseMs: number;
  maxDelayMs: number;
}

const RETRYABLE_STATUS = new Set([429, 502, 503, 504]);

/** Whether a failed attempt may be repeated, for a request that is safe to repeat. */
export function isRetryable(error: DomoError): boolean {
  if (error.kind === 'connection') return true;
  // A connect timeout never reached Domo; a headers or body timeout may have (and a slow upstream
  // would only be slower for a repeat), so those are not retried.
  if (
    error.kind === 'timeout' &&
    (error.cause as { code?: unknown } | undefined)?.code === 'UND_ERR_CONNECT_TIMEOUT'
  )
    return true;
  if (error.kind === 'rate_limited') return true;
  return error.status !== undefined && RETRYABLE_STATUS.has(error.status);
}

/**
 * Retry-After as milliseconds: delta-seconds or an HTTP-date (RFC 9110 §10.2.3). Undefined when
 * absent or unreadable.
 */
export function parseRetryAfter(
  value: string | null | undefined,
  now: number = Date.now(),
): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  // All three HTTP-date forms open with a day name; Date.parse alone would read "-1" or "1.5" as dates.
  if (!/^[A-Za-z]{3,9},? /.test(trimmed)) return undefined;
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

/**
 * Delay before retry number `attempt` (1-based): Retry-After when the server gave one, otherwise
 * exponential backoff with full jitter; both capped by maxDelayMs.
 */
export function retryDelay(
  attempt: number,
  policy: RetryPolicy,
  retryAfterMs: number | undefined,
  random: () => number = Math.random,
): number {
  if (retryAfterMs !== undefined) return Math.min(retryAfterMs, policy.maxDelayMs);
  const ceiling = Math.min(policy.maxDelayMs, policy.baseMs * 2 ** (attempt - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
