/**
 * The one Redis connection of a gateway (REDIS_URL), shared by the response cache and rate limits.
 * Redis is an optimisation, never a dependency of an answer: commands fail fast while it is away
 * (no offline queue, a short command timeout), callers then fall back (no cache, in-memory buckets),
 * the outage is logged once at warn and its end once at info, and /ready says 503 meanwhile.
 */
import { Redis } from 'ioredis';
import type { Logger } from '../log.ts';

export interface SharedRedis {
  readonly client: Redis;
  /** Connected and answering now (for /ready: a PING within the timeout). */
  healthy(): Promise<boolean>;
  /** Reports a failed command: logged at warn the first time in an outage, then silent. */
  failed(what: string, error: unknown): void;
  close(): Promise<void>;
}

/** Milliseconds a command may take before it counts as failed (the request goes on without Redis). */
const COMMAND_TIMEOUT_MS = 500;

export function connectRedis(url: string, logger: Logger): SharedRedis {
  const client = new Redis(url, {
    // While disconnected, fail at once rather than queue: a request must not wait for Redis.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: COMMAND_TIMEOUT_MS,
    connectTimeout: 2_000,
    // Reconnect for ever, at most every 2 s, so a Redis back after an outage is used again.
    retryStrategy: (times) => Math.min(100 * times, 2_000),
    lazyConnect: false,
  });
  let down = false;
  let closing = false;
  const failed = (what: string, error: unknown) => {
    if (down || closing) return;
    down = true;
    // The URL may hold a password: say where by host only.
    logger.warn('redis unavailable: going on without it', {
      what,
      redis: safeTarget(url),
      error: error instanceof Error ? error.message : String(error),
    });
  };
  // Without a listener ioredis prints every reconnect failure on stderr itself.
  client.on('error', (error) => failed('connection', error));
  client.on('ready', () => {
    if (!down) return;
    down = false;
    logger.info('redis available again', { redis: safeTarget(url) });
  });
  return {
    client,
    failed,
    async healthy() {
      if (client.status !== 'ready') return false;
      try {
        return (await client.ping()) === 'PONG';
      } catch (error) {
        failed('ping', error);
        return false;
      }
    },
    async close() {
      closing = true;
      try {
        await client.quit();
      } catch {
        client.disconnect();
      }
    },
  };
}

function safeTarget(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}`;
  } catch {
    return 'redis';
  }
}
