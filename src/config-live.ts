/**
 * Settings of subscriptions (src/live): how many may be open, how long one may sit without a new
 * state, and how often the pollers ask Domo. Read by readConfig (config.ts), every name
 * unconditionally. Replicas share pollers over the ops Redis (REDIS_URL), not a setting of their own.
 */
import { type Env, integer } from './config-values.ts';
import type { LiveSettings } from './live/hub.ts';

export function liveSettings(env: Env): LiveSettings {
  const pollBaseMs = integer(env, 'SUBSCRIPTION_POLL_MS', 500, 50, 600_000);
  return {
    perCaller: integer(env, 'SUBSCRIPTIONS_PER_CALLER', 20, 1, 100_000),
    max: integer(env, 'SUBSCRIPTIONS_MAX', 1_000, 1, 1_000_000),
    idleMs: integer(env, 'SUBSCRIPTION_IDLE_MINUTES', 30, 1, 10_080) * 60_000,
    pollBaseMs,
    pollMaxMs: Math.max(pollBaseMs, integer(env, 'SUBSCRIPTION_POLL_MAX_MS', 10_000, 50, 3_600_000)),
  };
}
