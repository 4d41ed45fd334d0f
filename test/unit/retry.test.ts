import { describe, expect, it } from 'vitest';
import { DomoError, type DomoErrorKind } from '../../src/domo/errors.ts';
import { isRetryable, parseRetryAfter, retryDelay } from '../../src/domo/retry.ts';

const NOW = Date.parse('2026-01-01T00:00:00Z');
const policy = { maxRetries: 3, baseMs: 100, maxDelayMs: 1_000 };

describe('parseRetryAfter', () => {
  it('reads delta-seconds', () => {
    expect(parseRetryAfter('0', NOW)).toBe(0);
    expect(parseRetryAfter('2', NOW)).toBe(2_000);
    expect(parseRetryAfter(' 120 ', NOW)).toBe(120_000);
  });

  it('reads an HTTP-date, and a past date as no wait', () => {
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:05 GMT', NOW)).toBe(5_000);
    expect(parseRetryAfter('Wed, 31 Dec 2025 23:59:00 GMT', NOW)).toBe(0);
  });

  it('ignores absent and unreadable values', () => {
    for (const value of [undefined, null, '', 'soon', '-1', '1.5', 'NaN']) {
      expect(parseRetryAfter(value, NOW)).toBeUndefined();
    }
  });
});

describe('retryDelay', () => {
  it('grows exponentially with full jitter in [ceiling/2, ceiling]', () => {
    expect(retryDelay(1, policy, undefined, () => 0)).toBe(50);
    expect(retryDelay(1, policy, undefined, () => 1)).toBe(100);
    expect(retryDelay(2, policy, undefined, () => 0)).toBe(100);
    expect(retryDelay(2, policy, undefined, () => 1)).toBe(200);
    expect(retryDelay(3, policy, undefined, () => 0.5)).toBe(300);
  });

  it('never exceeds maxDelayMs, however many attempts', () => {
    for (let attempt = 1; attempt <= 40; attempt++) {
      for (const r of [0, 0.5, 0.999999]) {
        const delay = retryDelay(attempt, policy, undefined, () => r);
        expect(delay).toBeGreaterThanOrEqual(0);
        expect(delay).toBeLessThanOrEqual(policy.maxDelayMs);
      }
    }
    expect(retryDelay(30, policy, undefined, () => 1)).toBe(1_000);
  });

  it('follows Retry-After, capped', () => {
    expect(retryDelay(1, policy, 700, () => 0)).toBe(700);
    expect(retryDelay(1, policy, 0, () => 1)).toBe(0);
    expect(retryDelay(1, policy, 3_600_000, () => 0)).toBe(1_000);
  });
});

describe('isRetryable', () => {
  const error = (kind: DomoErrorKind, status?: number) =>
    new DomoError({ kind, status, message: 'x', method: 'GET', path: '/p' });

  it('retries throttling, gateway failures and connection failures', () => {
    expect(isRetryable(error('rate_limited', 429))).toBe(true);
    expect(isRetryable(error('rate_limited', 403))).toBe(true);
    expect(isRetryable(error('upstream', 502))).toBe(true);
    expect(isRetryable(error('upstream', 503))).toBe(true);
    expect(isRetryable(error('timeout', 504))).toBe(true);
    expect(isRetryable(error('connection'))).toBe(true);
  });

  it('does not retry what another attempt cannot fix', () => {
    expect(isRetryable(error('bad_request', 400))).toBe(false);
    expect(isRetryable(error('unauthenticated', 401))).toBe(false);
    expect(isRetryable(error('forbidden', 403))).toBe(false);
    expect(isRetryable(error('not_found', 404))).toBe(false);
    expect(isRetryable(error('upstream', 500))).toBe(false);
    expect(isRetryable(error('upstream', 200))).toBe(false);
    expect(isRetryable(error('aborted'))).toBe(false);
    // A headers/body timeout may have reached Domo already: the attempt is not repeated.
    expect(isRetryable(error('timeout'))).toBe(false);
  });
});
