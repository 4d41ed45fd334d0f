/**
 * The response cache's store on Redis (envelop's Cache interface), so replicas share answers and
 * invalidations. Written here rather than taken from @envelop/response-cache-redis, which pins
 * @envelop/response-cache 8 (we run 9), keeps its entity sets without expiry (they grow for ever)
 * and invalidates with KEYS. Here one script stores an answer and files it under each entity it
 * mentions, entity sets expire with the longest answer they hold, and one script invalidates: both
 * atomic, so a replica never reads an answer half-invalidated.
 *
 * Keys (every part a hash or an id, never a credential): `domo-graph:cache:r:<sha256>` holds an
 * answer; `domo-graph:cache:e:<Type>` and `domo-graph:cache:e:<Type>:<id>` the answers mentioning them.
 */
import type { Cache, CacheEntityRecord } from '@envelop/response-cache';
import type { ExecutionResult } from 'graphql';
import type { Redis } from 'ioredis';

export const CACHE_KEY_PREFIX = 'domo-graph:cache:';

const SET_SCRIPT = `
local ttl = tonumber(ARGV[2])
redis.call('SET', KEYS[1], ARGV[1], 'PX', ttl)
for i = 2, #KEYS do
  redis.call('SADD', KEYS[i], ARGV[3])
  if redis.call('PTTL', KEYS[i]) < ttl then redis.call('PEXPIRE', KEYS[i], ttl) end
end
return 1`;

const INVALIDATE_SCRIPT = `
local removed = 0
for i = 1, #KEYS do
  local answers = redis.call('SMEMBERS', KEYS[i])
  for _, id in ipairs(answers) do removed = removed + redis.call('DEL', ARGV[1] .. 'r:' .. id) end
  redis.call('DEL', KEYS[i])
end
return removed`;

export function createRedisCache(redis: Redis, prefix = CACHE_KEY_PREFIX): Cache {
  const answerKey = (id: string) => `${prefix}r:${id}`;
  const entityKeys = (entity: CacheEntityRecord) =>
    entity.id == null
      ? [`${prefix}e:${entity.typename}`]
      : [`${prefix}e:${entity.typename}`, `${prefix}e:${entity.typename}:${entity.id}`];
  return {
    async get(id) {
      const raw = await redis.get(answerKey(id));
      return raw == null ? undefined : (JSON.parse(raw) as ExecutionResult);
    },
    async set(id, data, entities, ttl) {
      // Infinity is the plugin's "no TTL"; a day bounds it anyway.
      const ms = Number.isFinite(ttl) ? Math.max(1, Math.round(ttl)) : 86_400_000;
      const keys = new Set<string>();
      for (const entity of entities) for (const key of entityKeys(entity)) keys.add(key);
      await redis.eval(SET_SCRIPT, 1 + keys.size, answerKey(id), ...keys, JSON.stringify(data), ms, id);
    },
    async invalidate(entities) {
      const keys = new Set<string>();
      for (const entity of entities) {
        // Invalidating a type drops every answer mentioning it; an id, those mentioning that one.
        keys.add(
          entity.id == null ? `${prefix}e:${entity.typename}` : `${prefix}e:${entity.typename}:${entity.id}`,
        );
      }
      if (keys.size > 0) await redis.eval(INVALIDATE_SCRIPT, keys.size, ...keys, prefix);
    },
  };
}
