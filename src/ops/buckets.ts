/**
 * Token buckets for rate limits: in memory (one replica), or on Redis (every replica draws from the
 * same bucket; the clock is Redis's own, so replicas' clocks need not agree). A Redis that fails is
 * not a reason to refuse or to fail a request: its buckets fall back to memory until it is back.
 */
import type { SharedRedis } from './redis.ts';

export interface Bucket {
  /** Most tokens it holds (the burst), and tokens added a second. */
  capacity: number;
  perSecond: number;
}

/** Taken, or refused with the seconds until `cost` tokens are there again. */
export type Take = { ok: true } | { ok: false; retryAfterSeconds: number };

export interface Buckets {
  take(key: string, bucket: Bucket, cost?: number): Promise<Take>;
}

/** Keys kept in memory at most; the least recently created go first (a full bucket is no loss). */
const MAX_MEMORY_KEYS = 100_000;

export function memoryBuckets(now: () => number = Date.now): Buckets {
  const state = new Map<string, { tokens: number; at: number }>();
  return {
    async take(key, bucket, cost = 1) {
      const at = now();
      const previous = state.get(key);
      const tokens = previous
        ? Math.min(bucket.capacity, previous.tokens + ((at - previous.at) / 1000) * bucket.perSecond)
        : bucket.capacity;
      if (!previous && state.size >= MAX_MEMORY_KEYS) state.delete(state.keys().next().value as string);
      if (tokens >= cost) {
        state.set(key, { tokens: tokens - cost, at });
        return { ok: true };
      }
      state.set(key, { tokens, at });
      return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((cost - tokens) / bucket.perSecond)) };
    },
  };
}

export const BUCKET_KEY_PREFIX = 'domo-graph:rate:';

// KEYS[1] the bucket; ARGV capacity, tokens a second, cost. Returns {1, 0} or {0, retry seconds}.
const TAKE_SCRIPT = `
local capacity = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1])
local at = tonumber(state[2])
if tokens == nil then tokens = capacity else tokens = math.min(capacity, tokens + (now - at) / 1000 * rate) end
local ttl = math.ceil(capacity / rate * 1000) + 1000
if tokens >= cost then
  redis.call('HSET', KEYS[1], 'tokens', tostring(tokens - cost), 'at', tostring(now))
  redis.call('PEXPIRE', KEYS[1], ttl)
  return {1, 0}
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('PEXPIRE', KEYS[1], ttl)
return {0, math.max(1, math.ceil((cost - tokens) / rate))}`;

export function redisBuckets(redis: SharedRedis, fallback: Buckets = memoryBuckets()): Buckets {
  return {
    async take(key, bucket, cost = 1) {
      try {
        const [ok, retry] = (await redis.client.eval(
          TAKE_SCRIPT,
          1,
          `${BUCKET_KEY_PREFIX}${key}`,
          bucket.capacity,
          bucket.perSecond,
          cost,
        )) as [number, number];
        return ok === 1 ? { ok: true } : { ok: false, retryAfterSeconds: retry };
      } catch (error) {
        redis.failed('rate limit', error);
        return fallback.take(key, bucket, cost);
      }
    },
  };
}
