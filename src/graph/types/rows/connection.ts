/** Connection types of row queries: edges, nodes, Relay's PageInfo and a totalCount asked separately. */

import { builder } from '../../builder.ts';
import { COUNT_COST } from '../../field-extensions.ts';
import type { Connection } from './run.ts';

/** Connection and edge types named `<name>Connection` / `<name>Edge` over a node output type. */
export function connectionType<T>(
  name: string,
  // biome-ignore lint/suspicious/noExplicitAny: a node may be a scalar name or an object ref.
  node: any,
  what: string,
  withCount: boolean,
): ReturnType<typeof builder.objectRef<Connection<T>>> {
  const edge = builder.objectRef<{ cursor: string; node: T }>(`${name}Edge`).implement({
    description: `${what} in a page, with its cursor.`,
    fields: (t) => ({
      cursor: t.exposeString('cursor', {
        description: 'Opaque position; pass it as `after` for what follows.',
      }),
      node: t.field({
        type: node,
        description: `The ${what.toLowerCase()}.`,
        resolve: (e) => e.node as never,
      }),
    }),
  });
  return builder.objectRef<Connection<T>>(`${name}Connection`).implement({
    description: `A page of ${what.toLowerCase()}s.`,
    fields: (t) => ({
      edges: t.field({
        type: [edge],
        description: 'The items of this page, each with its cursor.',
        resolve: (c) => c.edges,
      }),
      nodes: t.field({
        type: [node],
        description: 'The items of this page, without cursors.',
        resolve: (c) => c.edges.map((e) => e.node) as never,
      }),
      pageInfo: t.field({
        type: builder.pageInfoRef(),
        description: 'Where this page sits, and the cursors to fetch the next one.',
        resolve: (c) => c.pageInfo,
      }),
      ...(withCount
        ? {
            totalCount: t.field({
              type: 'Long',
              description:
                'Matches in all, through a COUNT statement of its own that runs only when this field is asked.',
              // Its COUNT is an upstream call of its own (the call estimate, src/graph/cost.ts).
              extensions: { domoCost: COUNT_COST },
              resolve: (c) => (c.totalCount ? c.totalCount() : 0),
            }),
          }
        : {}),
    }),
  }) as never;
}
