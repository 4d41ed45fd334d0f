/**
 * The operations side of one gateway, from its settings: the shared Redis (REDIS_URL), trusted
 * documents, rate limits and the response cache, as the plugins server.ts puts in its list.
 * Every part absent from the settings is off (tests build gateways without them).
 */
import type { Plugin as EnvelopPlugin } from '@envelop/core';
import type { GraphQLSchema } from 'graphql';
import type { Plugin as YogaPlugin } from 'graphql-yoga';
import type { OpsSettings } from '../config-settings.ts';
import type { GraphContext } from '../graph/context.ts';
import type { Logger } from '../log.ts';
import { memoryBuckets, redisBuckets } from './buckets.ts';
import { createResponseCache } from './cache.ts';
import type { OpsSink } from './events.ts';
import { useRateLimits } from './rate-limit.ts';
import { connectRedis, type SharedRedis } from './redis.ts';
import { GRAPHIQL_HEADER, useTrustedDocuments } from './trusted.ts';

export interface Operations {
  redis?: SharedRedis;
  /** First in the list: chooses the document before anything parses it (yoga's onParams). */
  trusted?: YogaPlugin;
  /** After authentication, scopes and cost: rate limits, then the response cache. */
  plugins: EnvelopPlugin<GraphContext>[];
  /** GraphiQL is served (not with TRUSTED_DOCUMENTS=only in production). */
  graphiql: boolean;
  /** Headers GraphiQL adds to what it sends. */
  graphiqlHeaders: Record<string, string>;
  close(): Promise<void>;
}

export function createOperations(
  settings: Partial<OpsSettings>,
  deps: { schema: GraphQLSchema; logger: Logger; ops: OpsSink },
): Operations {
  const redis = settings.redisUrl ? connectRedis(settings.redisUrl, deps.logger) : undefined;
  const plugins: EnvelopPlugin<GraphContext>[] = [];
  if (settings.rateLimit) {
    plugins.push(useRateLimits(settings.rateLimit, redis ? redisBuckets(redis) : memoryBuckets(), deps.ops));
  }
  if (settings.cache?.enabled) {
    const cache = createResponseCache({
      settings: settings.cache,
      schemas: [deps.schema],
      redis,
      ops: deps.ops,
    });
    plugins.push(...cache.plugins);
  }
  const trusted = settings.trustedDocuments;
  const on = trusted !== undefined && trusted.mode !== 'off';
  return {
    redis,
    trusted: on ? useTrustedDocuments(trusted) : undefined,
    plugins,
    graphiql: !(trusted?.mode === 'only' && !trusted.development),
    graphiqlHeaders: on ? { [GRAPHIQL_HEADER]: '1' } : {},
    close: async () => redis?.close(),
  };
}
