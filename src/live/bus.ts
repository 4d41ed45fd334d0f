/**
 * Where a watched object's states travel from its one poller to its subscribers: in this process
 * (memory), or between replicas over Redis pub/sub when REDIS_URL is set. The bus also decides
 * which replica polls: a lease per topic (`SET NX PX`, renewed while polling), so N replicas with
 * subscribers to one object make one poller between them. The last state is kept beside the lease,
 * so a subscriber that joins on another replica starts from it without a call of its own.
 * Redis is an optimisation: when a command fails the replica polls for itself (memory behaviour).
 */
import type { Redis } from 'ioredis';
import type { SharedRedis } from '../ops/redis.ts';

export interface LiveBus {
  /** Sends a state (JSON text) to every subscriber of the topic, here and on other replicas. */
  publish(topic: string, message: string): Promise<void>;
  /** Calls `handler` with each message of the topic until the returned function is called. */
  subscribe(topic: string, handler: (message: string) => void): Promise<() => Promise<void>>;
  /** The last message published on the topic (null when none is known). */
  last(topic: string): Promise<string | null>;
  /** Takes or renews the topic's poll lease for `ms`; true when this replica holds it. */
  lease(topic: string, owner: string, ms: number): Promise<boolean>;
  /** Gives the lease up (when the last local subscriber left). */
  release(topic: string, owner: string): Promise<void>;
  close(): Promise<void>;
}

/** One process: a poller per topic is already guaranteed by the hub, so the lease always holds. */
export function memoryBus(): LiveBus {
  const handlers = new Map<string, Set<(message: string) => void>>();
  const lastByTopic = new Map<string, string>();
  return {
    async publish(topic, message) {
      lastByTopic.set(topic, message);
      for (const handler of handlers.get(topic) ?? []) handler(message);
    },
    async subscribe(topic, handler) {
      const set = handlers.get(topic) ?? new Set();
      handlers.set(topic, set);
      set.add(handler);
      return async () => {
        set.delete(handler);
        if (set.size === 0) {
          handlers.delete(topic);
          lastByTopic.delete(topic);
        }
      };
    },
    async last(topic) {
      return lastByTopic.get(topic) ?? null;
    },
    async lease() {
      return true;
    },
    async release() {},
    async close() {
      handlers.clear();
      lastByTopic.clear();
    },
  };
}

const PREFIX = 'domo-graph:live:';
/** Renews the lease only for its holder (a replica never extends another's). */
const RENEW = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) end
if redis.call('set', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 1 end
return 0`;
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0`;

/**
 * Redis pub/sub: one subscriber connection per gateway (a connection in subscribe mode can do
 * nothing else), channels `domo-graph:live:<topic>`; topics are hashes, never a credential.
 */
export function redisBus(shared: SharedRedis, lastTtlMs: number): LiveBus {
  const client = shared.client;
  let subscriber: Redis | undefined;
  const handlers = new Map<string, Set<(message: string) => void>>();
  const connection = () => {
    if (subscriber) return subscriber;
    subscriber = client.duplicate({ enableOfflineQueue: true });
    subscriber.on('error', (error) => shared.failed('live subscribe', error));
    subscriber.on('message', (channel: string, message: string) => {
      for (const handler of handlers.get(channel.slice(PREFIX.length)) ?? []) handler(message);
    });
    return subscriber;
  };
  return {
    async publish(topic, message) {
      try {
        await client
          .multi()
          .set(`${PREFIX}last:${topic}`, message, 'PX', lastTtlMs)
          .publish(PREFIX + topic, message)
          .exec();
      } catch (error) {
        shared.failed('live publish', error);
        // Without Redis the replica still serves its own subscribers.
        for (const handler of handlers.get(topic) ?? []) handler(message);
      }
    },
    async subscribe(topic, handler) {
      let set = handlers.get(topic);
      if (!set) {
        set = new Set();
        handlers.set(topic, set);
        try {
          await connection().subscribe(PREFIX + topic);
        } catch (error) {
          shared.failed('live subscribe', error);
        }
      }
      set.add(handler);
      return async () => {
        set.delete(handler);
        if (set.size > 0) return;
        handlers.delete(topic);
        try {
          await connection().unsubscribe(PREFIX + topic);
        } catch (error) {
          shared.failed('live unsubscribe', error);
        }
      };
    },
    async last(topic) {
      try {
        return await client.get(`${PREFIX}last:${topic}`);
      } catch (error) {
        shared.failed('live last state', error);
        return null;
      }
    },
    async lease(topic, owner, ms) {
      try {
        return (await client.eval(RENEW, 1, `${PREFIX}lease:${topic}`, owner, String(ms))) === 1;
      } catch (error) {
        // Redis away: poll here rather than leave the subscribers without states.
        shared.failed('live lease', error);
        return true;
      }
    },
    async release(topic, owner) {
      try {
        await client.eval(RELEASE, 1, `${PREFIX}lease:${topic}`, owner);
      } catch (error) {
        shared.failed('live release', error);
      }
    },
    async close() {
      handlers.clear();
      if (subscriber) {
        try {
          await subscriber.quit();
        } catch {
          subscriber.disconnect();
        }
      }
    },
  };
}
