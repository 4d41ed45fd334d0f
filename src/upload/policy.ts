/**
 * How hard an upload retries: parts re-sent under their number with the one backoff of
 * src/domo/retry.ts, and the data version reads that settle a commit whose answer was lost. Built
 * from config (UPLOAD_PART_RETRIES, UPLOAD_COMMIT_CHECKS, DOMO_RETRY_BASE_MS, DOMO_RETRY_MAX_DELAY_MS).
 */
import type { RetryPolicy } from '../domo/retry.ts';

export interface UploadPolicy {
  /** Re-sends of a failed part (maxRetries) and their backoff. */
  partRetry: RetryPolicy;
  /** Reads of the data versions after a commit got no answer, spaced by partRetry's backoff. */
  commitChecks: number;
}

/** For callers without config (tests, scripts): 5 attempts per part, 5 version reads. */
export const DEFAULT_UPLOAD_POLICY: UploadPolicy = {
  partRetry: { maxRetries: 4, baseMs: 250, maxDelayMs: 10_000 },
  commitChecks: 5,
};

export function uploadPolicy(
  upstream: { retryBaseMs: number; retryMaxDelayMs: number },
  uploads: { partRetries: number; commitChecks: number } | undefined,
): UploadPolicy {
  return {
    partRetry: {
      maxRetries: uploads?.partRetries ?? DEFAULT_UPLOAD_POLICY.partRetry.maxRetries,
      baseMs: upstream.retryBaseMs,
      maxDelayMs: upstream.retryMaxDelayMs,
    },
    commitChecks: uploads?.commitChecks ?? DEFAULT_UPLOAD_POLICY.commitChecks,
  };
}
