/**
 * Settings of the operations side (src/ops): the response cache, rate limits, trusted documents and
 * the Redis they share between replicas. Read by readConfig (config.ts), every name unconditionally.
 */
import { observeSettings } from './config-observe.ts';
import type { OpsSettings } from './config-settings.ts';
import { ConfigError, type Env, flag, integer, oneOf, text } from './config-values.ts';

/**
 * `notProduction`: NODE_ENV is not production (GraphiQL may send any document under
 * TRUSTED_DOCUMENTS=only); `development`: config.ts's development (answers say their cache outcome).
 */
export function opsSettings(env: Env, notProduction: boolean, development: boolean): OpsSettings {
  const redisUrl = redis(env, 'REDIS_URL');
  const perMinute = integer(env, 'RATE_LIMIT_PER_MINUTE', 0, 0, 1_000_000);
  const burst = integer(env, 'RATE_LIMIT_BURST', 0, 0, 1_000_000);
  const enabled = text(env, 'CACHE_ENABLED') === undefined ? true : flag(env, 'CACHE_ENABLED');
  const trusted = oneOf(env, 'TRUSTED_DOCUMENTS', ['off', 'allow', 'only'] as const, 'off');
  const trustedFile = text(env, 'TRUSTED_DOCUMENTS_FILE') ?? null;
  if (trustedFile && trusted === 'off') {
    throw new ConfigError(
      'TRUSTED_DOCUMENTS_FILE is set but TRUSTED_DOCUMENTS is off: set it to allow or only',
    );
  }
  return {
    redisUrl,
    cache: {
      enabled,
      ttlSeconds: integer(env, 'CACHE_TTL_SECONDS', 60, 0, 86_400),
      rowsTtlSeconds: integer(env, 'CACHE_TTL_ROWS_SECONDS', 5, 0, 86_400),
      maxEntries: integer(env, 'CACHE_MAX_ENTRIES', 1_000, 1, 10_000_000),
      showOutcome: development,
    },
    rateLimit: {
      perMinute,
      // A full minute's worth at once unless told otherwise.
      burst: burst || perMinute,
      // Domo documents its search at about 120 requests a minute (DOMO-NOTES.md, Errors and limits).
      searchPerMinute: integer(env, 'RATE_SEARCH_PER_MINUTE', 120, 0, 1_000_000),
    },
    trustedDocuments: { mode: trusted, file: trustedFile, development: notProduction },
    observe: observeSettings(env),
  };
}

/** redis:// or rediss:// (TLS); the password it may carry is never logged (src/ops/redis.ts). */
function redis(env: Env, name: string): string | null {
  const raw = text(env, name);
  if (raw === undefined) return null;
  let url: URL | undefined;
  try {
    url = new URL(raw);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'redis:' && url.protocol !== 'rediss:') || !url.hostname) {
    throw new ConfigError(`${name} must be a redis:// or rediss:// URL, such as redis://127.0.0.1:6379`);
  }
  return raw;
}
