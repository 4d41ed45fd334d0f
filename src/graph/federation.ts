/**
 * Federation subgraph mode (FEDERATION=true): the same schema plus `_service { sdl }` and
 * `_entities`, with `Dataset`, `Stream` and `User` as entities keyed by their Domo ids (`domoId`).
 * A router's `_entities` call goes through the same per-request loaders as `node(id)`: the datasets
 * of one call are one bulk read, a stream or user asked twice is read once.
 *
 * Built on demand, after `schema` (src/graph/schema.ts): the entity keys and the two plugins are
 * added to the builder only here, for this one build, so the schema served without FEDERATION (and
 * schema/schema.graphql) does not change. Not in builder.ts's plugin list: the directives plugin
 * gives every type of the schema it builds an AST node, graphql-js's shared built-in scalars
 * (`String`, `ID`…) included, which changes what tools in the same process print (codegen's
 * generated types gained descriptions of the built-in scalars).
 */
import { GraphQLDeferDirective, GraphQLStreamDirective } from '@graphql-tools/utils';
import DirectivePlugin from '@pothos/plugin-directives';
import FederationPlugin from '@pothos/plugin-federation';
import type { GraphQLSchema } from 'graphql';
import { builder } from './builder.ts';
import type { GraphContext } from './context.ts';
import { schema } from './schema.ts';
import { assertPrincipalId } from './types/access.ts';
import { DatasetRef, datasetEntry } from './types/dataset.ts';
import { assertStreamId, StreamRef } from './types/stream/node.ts';
import { UserRef } from './types/user.ts';

let built: GraphQLSchema | undefined;

// resolveReference is async: @apollo/subgraph calls it for each representation inside one map,
// so a key refused synchronously (BAD_USER_INPUT) would fail the whole `_entities` field, and
// leave the others' promises unhandled; a rejection fails only its own entity.

/** The subgraph schema (built once): what the gateway serves with FEDERATION=true. */
export function subgraphSchema(): GraphQLSchema {
  if (built) return built;
  // `schema` is built first, so it never sees the keys below.
  void schema;
  builder.asEntity(DatasetRef, {
    key: builder.selection<{ domoId: string }>('domoId'),
    resolveReference: async (ref, ctx: GraphContext) =>
      DatasetRef.getDataloader(ctx).load(datasetEntry(ctx, ref.domoId, 'domoId').toLowerCase()),
  });
  builder.asEntity(StreamRef, {
    // A Long: routers send it as the JSON number (or string) the subgraph answered.
    key: builder.selection<{ domoId: string | number }>('domoId'),
    resolveReference: async (ref, ctx: GraphContext) =>
      StreamRef.getDataloader(ctx).load(assertStreamId(ref.domoId, 'domoId')),
  });
  builder.asEntity(UserRef, {
    key: builder.selection<{ domoId: string }>('domoId'),
    resolveReference: async (ref, ctx: GraphContext) =>
      UserRef.getDataloader(ctx).load(assertPrincipalId(ref.domoId, 'domoId')),
  });
  // Pothos reads the plugin list on every build (its BuildCache): listed for this build only.
  const plugins = builder.options.plugins;
  builder.options.plugins = [...(plugins ?? []), DirectivePlugin, FederationPlugin];
  try {
    built = builder.toSubGraphSchema({
      // The SDL links Federation 2.6, the plugin's default.
      federationDirectives: ['@key'],
      sortSchema: true,
      directives: [GraphQLDeferDirective, GraphQLStreamDirective],
    });
  } finally {
    builder.options.plugins = plugins;
  }
  return built;
}
