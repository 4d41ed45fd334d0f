/** Per-request loaders keyed by the request's context, for endpoints with no batch form. */
import DataLoader from 'dataloader';
import type { GraphContext } from '../context.ts';

/**
 * A loader factory: one DataLoader per request (a WeakMap on the context, so nothing outlives the
 * request), deduping equal keys; `fetch` runs once per distinct key.
 */
export function perRequestLoader<V>(
  fetch: (ctx: GraphContext, key: string) => Promise<V>,
): (ctx: GraphContext) => DataLoader<string, V> {
  const loaders = new WeakMap<GraphContext, DataLoader<string, V>>();
  return (ctx) => {
    let loader = loaders.get(ctx);
    if (!loader) {
      loader = new DataLoader<string, V>(
        (keys) =>
          Promise.all(
            keys.map((key) =>
              fetch(ctx, key).catch((error: unknown) =>
                error instanceof Error ? error : new Error(String(error)),
              ),
            ),
          ),
        { batch: false },
      );
      loaders.set(ctx, loader);
    }
    return loader;
  };
}
