/**
 * The response cache: envelop's useResponseCache (an onExecute plugin, so yoga and the lean lane
 * share it), in memory or on Redis (redis-cache.ts). Answers are kept per caller (session = the
 * caller's hash, src/ops/caller.ts), for CACHE_TTL_SECONDS, or CACHE_TTL_ROWS_SECONDS when they hold
 * SQL results or rows; mutations and `Cache-Control: no-cache` bypass it; a mutation invalidates the
 * answers mentioning the datasets and streams it names (cache-entities.ts) or returns. A store that
 * fails (Redis gone) is a miss, never an error: the request is answered from Domo.
 */

import { createHash } from 'node:crypto';
import type { Plugin } from '@envelop/core';
import {
  type Cache,
  type CacheEntityRecord,
  createInMemoryCache,
  useResponseCache,
} from '@envelop/response-cache';
import { BREAK, type DocumentNode, type GraphQLSchema, getOperationAST, visit } from 'graphql';
import type { CacheSettings } from '../config-settings.ts';
import type { GraphContext } from '../graph/context.ts';
import { argumentEntities, normalEntity } from './cache-entities.ts';
import type { OpsSink } from './events.ts';
import type { SharedRedis } from './redis.ts';
import { createRedisCache } from './redis-cache.ts';

/** Types whose presence in an answer means SQL results or rows (typed roots' types are added per schema). */
const ROW_TYPES = ['QueryResult', 'RowConnection', 'AggregateConnection', 'DistinctConnection'];
const TYPED_ROW_TYPE = /(?:RowConnection|GroupConnection)$/;

export interface ResponseCache {
  /** Before the scope and cost checks would be wrong: put it after them in the plugin list. */
  plugins: Plugin<GraphContext>[];
}

export function createResponseCache(options: {
  settings: CacheSettings;
  /** Every schema the gateway may serve, for the names of typed roots' row types. */
  schemas: GraphQLSchema[];
  redis?: SharedRedis;
  ops: OpsSink;
}): ResponseCache {
  const { settings, redis, ops } = options;
  const store: Cache = redis
    ? createRedisCache(redis.client)
    : createInMemoryCache({ max: settings.maxEntries });
  const failed = (what: string, error: unknown) => redis?.failed(`cache ${what}`, error);
  // Answers filed under the datasets and streams their arguments name, found before execution.
  const named = new WeakMap<object, CacheEntityRecord[]>();
  // Invalidations a mutation started: its answer waits for them, so the next read, through any
  // replica, cannot get what the mutation changed.
  const pending = new WeakMap<object, Promise<unknown>[]>();

  // Operations with @stream or @defer: the plugin would merge every payload into one answer to
  // keep it, so a streamed million rows would pile up in memory. They bypass the cache.
  const incremental = new WeakSet<object>();
  const streamed: Plugin<GraphContext> = {
    onExecute({ args }) {
      if (usesIncrementalDelivery(args.document)) incremental.add(args.contextValue as object);
    },
  };

  const views = new WeakMap<object, Cache>();
  const viewFor = (context: object): Cache => {
    let view = views.get(context);
    if (view) return view;
    const track = (promise: Promise<unknown>) => {
      const list = pending.get(context) ?? [];
      list.push(promise);
      pending.set(context, list);
    };
    view = {
      async get(id) {
        try {
          const answer = await store.get(id);
          ops.emit({ type: 'cache', outcome: answer ? 'hit' : 'miss' });
          return answer;
        } catch (error) {
          failed('read', error);
          ops.emit({ type: 'cache', outcome: 'miss' });
          return undefined;
        }
      },
      set(id, data, entities, ttl) {
        const all = [...entities].map(normalEntity).concat(named.get(context) ?? []);
        // Not awaited by the plugin: a failure must not become an unhandled rejection.
        void Promise.resolve()
          .then(() => store.set(id, data, all, ttl))
          .catch((error: unknown) => failed('write', error));
      },
      invalidate(entities) {
        const all = [...entities].map(normalEntity);
        track(
          Promise.resolve()
            .then(() => store.invalidate(all))
            .catch((error: unknown) => failed('invalidate', error)),
        );
      },
    };
    views.set(context, view);
    return view;
  };

  const ttlPerSchemaCoordinate: Record<string, number> = {};
  for (const type of rowTypes(options.schemas)) ttlPerSchemaCoordinate[type] = settings.rowsTtlSeconds * 1000;

  const cache = useResponseCache<GraphContext>({
    cache: viewFor,
    ttl: settings.ttlSeconds * 1000,
    ttlPerSchemaCoordinate,
    // The caller's hash: two callers never share an entry, and no credential is in a key.
    session: (context) => context.caller?.id ?? 'anonymous',
    // A mutation always goes through (its invalidation is the plugin's); no-cache skips the lookup.
    enabled: (context) => context.caller?.noCache !== true && !incremental.has(context),
    invalidateViaMutation: true,
    // The plugin's key (document, operation, variables, session), hashed synchronously: its default
    // goes through WebCrypto's async digest, a promise and a TextEncoder per lookup.
    buildResponseCacheKey: ({ documentString, operationName, variableValues, sessionId }) =>
      createHash('sha256')
        .update(
          `${documentString}|${operationName ?? ''}|${stableJson(variableValues ?? {})}|${sessionId ?? ''}`,
        )
        .digest('hex'),
    // In development answers say whether they came from the cache (README's example shows it).
    includeExtensionMetadata: settings.showOutcome === true,
    // Answers with errors are not kept (the plugin's default, without its console.warn), nor large
    // ones: a SQL answer of a million rows must not stay in memory for its TTL.
    shouldCacheResult: ({ result }) => !result.errors?.length && withinItems(result.data, MAX_CACHED_ITEMS),
  });

  // After useResponseCache: names the entities before the answer is stored, and holds a
  // mutation's answer until its invalidations are done.
  const entities: Plugin<GraphContext> = {
    onExecute({ args }) {
      const context = args.contextValue as GraphContext & object;
      const operation = getOperationAST(args.document, args.operationName)?.operation;
      const found = argumentEntities(
        args.document,
        args.operationName,
        args.variableValues as Record<string, unknown> | undefined,
      );
      if (operation !== 'mutation') {
        if (context.caller?.noCache || incremental.has(context))
          ops.emit({ type: 'cache', outcome: 'bypass' });
        if (found.length) named.set(context, found);
        return;
      }
      ops.emit({ type: 'cache', outcome: 'bypass' });
      return {
        async onExecuteDone() {
          if (found.length) viewFor(context).invalidate(found);
          await Promise.all(pending.get(context) ?? []);
        },
      };
    },
  };
  return { plugins: [streamed, cache, entities] };
}

/** Per document (parsed documents are cached, so this walk runs once for each). */
const incrementalDocuments = new WeakMap<DocumentNode, boolean>();

/** Whether a document asks for incremental delivery anywhere (`@stream` or `@defer`). */
function usesIncrementalDelivery(document: DocumentNode): boolean {
  let found = incrementalDocuments.get(document);
  if (found !== undefined) return found;
  found = false;
  visit(document, {
    Directive(node) {
      if (node.name.value === 'stream' || node.name.value === 'defer') {
        found = true;
        return BREAK;
      }
    },
  });
  incrementalDocuments.set(document, found);
  return found;
}

/** Values (list items and fields) an answer may hold and still be kept. */
const MAX_CACHED_ITEMS = 20_000;

/** Whether `value` holds at most `max` values, counted until the bound (so a large answer costs little). */
function withinItems(value: unknown, max: number): boolean {
  let left = max;
  const walk = (item: unknown): boolean => {
    if (--left < 0) return false;
    if (item === null || typeof item !== 'object') return true;
    for (const child of Array.isArray(item) ? item : Object.values(item)) if (!walk(child)) return false;
    return true;
  };
  return walk(value);
}

/** Names of the types that mean rows or SQL results, in every schema served. */
function rowTypes(schemas: GraphQLSchema[]): Set<string> {
  const names = new Set(ROW_TYPES);
  for (const schema of schemas) {
    for (const type of Object.values(schema.getTypeMap())) {
      // By name, not isObjectType: under vitest graphql's CommonJS and ESM builds can both be loaded.
      if (TYPED_ROW_TYPE.test(type.name)) names.add(type.name);
    }
  }
  return names;
}

/** JSON with object keys sorted, so equal variables give one key whatever their order. */
function stableJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  const keys = Object.keys(value).sort();
  return `{${keys
    .filter((key) => (value as Record<string, unknown>)[key] !== undefined)
    .map((key) => `${JSON.stringify(key)}:${stableJson((value as Record<string, unknown>)[key])}`)
    .join(',')}}`;
}
