/**
 * Per-request loaders for endpoints with no batch form (a stream's history, a dataset's cards, access
 * list, schema, versions, …): one DataLoader per request through Pothos's context cache, so nothing
 * outlives the request, and each distinct key is fetched once. Keys are typed (an id, or a small
 * object); `cacheKey` turns an object key into the loader's cache key, so no fetch decodes a string.
 */
import { createContextCache } from '@pothos/core';
import DataLoader from 'dataloader';
import type { GraphContext } from '../context.ts';

export function perRequestLoader<V, K = string>(
  fetch: (ctx: GraphContext, key: K) => Promise<V>,
  cacheKey?: (key: K) => string,
): (ctx: GraphContext) => DataLoader<K, V, unknown> {
  return createContextCache(
    (ctx: GraphContext) =>
      new DataLoader<K, V, unknown>(
        (keys) =>
          Promise.all(
            keys.map((key) =>
              fetch(ctx, key).catch((error: unknown) =>
                error instanceof Error ? error : new Error(String(error)),
              ),
            ),
          ),
        { batch: false, ...(cacheKey ? { cacheKeyFn: cacheKey } : {}) },
      ),
  );
}

/** A loader key naming a dataset and one option of the endpoint (hidden columns, drill cards, …). */
export interface DatasetKey<T> {
  id: string;
  option: T;
}

export const datasetKey = <T>(key: DatasetKey<T>): string => `${key.id}\u0000${String(key.option)}`;
