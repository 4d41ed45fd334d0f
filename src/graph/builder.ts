/** Schema builder: plugins, context type and scalars. Configuration only; types live in types/. */
import SchemaBuilder from '@pothos/core';
import DataloaderPlugin from '@pothos/plugin-dataloader';
import RelayPlugin from '@pothos/plugin-relay';
import SimpleObjectsPlugin from '@pothos/plugin-simple-objects';
import { DateTimeResolver, JSONObjectResolver, JSONResolver, LongResolver } from 'graphql-scalars';
import type { GraphContext } from './context.ts';

export const builder = new SchemaBuilder<{
  Context: GraphContext;
  DefaultFieldNullability: false;
  Scalars: {
    /** Epoch milliseconds or ISO strings in, ISO-8601 out. */
    DateTime: { Input: Date; Output: Date | number | string };
    Long: { Input: number; Output: number | bigint };
    JSON: { Input: unknown; Output: unknown };
    JSONObject: { Input: Record<string, unknown>; Output: Record<string, unknown> };
    ID: { Input: string; Output: string | number };
    /** A file of the GraphQL multipart request spec; streamed by the gateway (types/upload.ts). */
    Upload: { Input: unknown; Output: never };
  };
}>({
  plugins: [RelayPlugin, DataloaderPlugin, SimpleObjectsPlugin],
  defaultFieldNullability: false,
  relay: {
    clientMutationId: 'omit',
    cursorType: 'String',
    nodeQueryOptions: { description: 'Any object with a global id: a dataset, a stream, a card, …' },
    nodesQueryOptions: { description: 'Several objects by global id, batched through the same loaders.' },
    nodeTypeOptions: { description: 'An object with a global id, resolvable through `node(id)`.' },
    pageInfoTypeOptions: { description: 'Where a page sits in a connection.' },
  },
});

builder.addScalarType('DateTime', DateTimeResolver, {});
builder.addScalarType('Long', LongResolver, {});
builder.addScalarType('JSON', JSONResolver, {});
builder.addScalarType('JSONObject', JSONObjectResolver, {});

builder.queryType({ description: 'Reads from Domo.' });
builder.mutationType({ description: 'Writes to Domo. Never retried automatically.' });
