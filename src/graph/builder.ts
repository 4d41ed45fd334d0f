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
  };
}>({
  plugins: [RelayPlugin, DataloaderPlugin, SimpleObjectsPlugin],
  defaultFieldNullability: false,
  relay: {
    clientMutationId: 'omit',
    cursorType: 'String',
    nodeQueryOptions: {
      description: 'Any object with a global id: a dataset, a stream, a card, …',
      args: { id: { description: 'A global id, as the `id` field of any Node gives it.' } },
    },
    nodesQueryOptions: {
      description: 'Several objects by global id, batched through the same loaders.',
      args: { ids: { description: 'Global ids, as the `id` field of any Node gives them.' } },
    },
    nodeTypeOptions: { description: 'An object with a global id, resolvable through `node(id)`.' },
    pageInfoTypeOptions: { description: 'Where a page sits in a connection.' },
    idFieldOptions: {
      description: 'Global id, unique across types: pass it to `node(id)`. The raw Domo id is `domoId`.',
    },
    edgesFieldOptions: { description: 'The edges of this page, in order.' },
    pageInfoFieldOptions: { description: 'Where this page sits, and the cursors to page on.' },
    cursorFieldOptions: {
      description: 'Opaque position of this edge; pass it as `after` for the next page.',
    },
    nodeFieldOptions: { description: 'The object at this edge.' },
    hasNextPageFieldOptions: { description: 'More items follow this page.' },
    hasPreviousPageFieldOptions: { description: 'Items come before this page.' },
    startCursorFieldOptions: { description: 'Cursor of the first edge; null on an empty page.' },
    endCursorFieldOptions: { description: 'Cursor of the last edge; null on an empty page.' },
    firstArgOptions: { description: 'Page size (at most MAX_PAGE_SIZE; default MAX_PAGE_SIZE).' },
    afterArgOptions: { description: 'Return the items after this cursor.' },
    // Domo's lists page forward by offset only: `last` and `before` are accepted for Relay
    // compatibility and not applied.
    lastArgOptions: { description: 'Not applied: Domo lists page forward only (use first/after).' },
    beforeArgOptions: { description: 'Not applied: Domo lists page forward only (use first/after).' },
  },
});

builder.addScalarType('DateTime', DateTimeResolver, {});
builder.addScalarType('Long', LongResolver, {});
builder.addScalarType('JSON', JSONResolver, {});
builder.addScalarType('JSONObject', JSONObjectResolver, {});

builder.queryType({ description: 'Reads from Domo.' });
builder.mutationType({ description: 'Writes to Domo. Never retried automatically.' });
