/** Schema builder: plugins, context type and scalars. Configuration only; types live in types/. */
import SchemaBuilder from '@pothos/core';
import DataloaderPlugin from '@pothos/plugin-dataloader';
import RelayPlugin from '@pothos/plugin-relay';
import SimpleObjectsPlugin from '@pothos/plugin-simple-objects';
import { DateTimeResolver, JSONObjectResolver, JSONResolver, LongResolver } from 'graphql-scalars';
import type { GraphContext } from './context.ts';
import { badUserInput } from './errors.ts';
import { decodeCallerGlobalId, nodeGlobalId } from './global-id.ts';

/** Largest number of ids `nodes(ids)` and `datasetsByIds(ids)` take in one field. */
export const MAX_IDS_PER_REQUEST = 100;

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
    decodeGlobalID: decodeCallerGlobalId,
    nodeQueryOptions: {
      description:
        'Any object with a global id (a dataset, a stream, a user), through the same loaders as the typed fields; null with an error when unknown, BAD_USER_INPUT when the id is not a global id.',
      args: { id: { description: 'Global id, as the `id` field of a Node returns it.' } },
      resolve: (_, args, _ctx, info, resolveNode) => {
        nodeGlobalId(info, args.id, 'id');
        return resolveNode(args.id);
      },
    },
    nodesQueryOptions: {
      description: `Several objects by global id, in the order asked (null with an error for each unknown id), batched through the same loaders: datasets in one bulk call. At most ${MAX_IDS_PER_REQUEST} ids.`,
      args: { ids: { description: 'Global ids, as the `id` field of a Node returns them.' } },
      resolve: (_, args, _ctx, info, resolveNodes) => {
        if (args.ids.length > MAX_IDS_PER_REQUEST)
          throw badUserInput(`ids must hold at most ${MAX_IDS_PER_REQUEST} ids`, 'ids');
        for (const [i, id] of args.ids.entries()) nodeGlobalId(info, id, `ids[${i}]`);
        return resolveNodes(args.ids);
      },
    },
    nodeTypeOptions: { description: 'An object with a global id, resolvable through `node(id)`.' },
    idFieldOptions: {
      description:
        'Global id (Relay): opaque, for `node(id)` and client caches; `domoId` is the id Domo uses.',
    },
    pageInfoTypeOptions: { description: 'Where a page sits in a connection.' },
    hasNextPageFieldOptions: { description: 'More items follow this page.' },
    hasPreviousPageFieldOptions: { description: 'Items precede this page.' },
    startCursorFieldOptions: { description: 'Cursor of the first item of this page; null when it is empty.' },
    endCursorFieldOptions: { description: 'Cursor of the last item of this page; null when it is empty.' },
    pageInfoFieldOptions: { description: 'Where this page sits, and the cursors to fetch the next one.' },
    edgesFieldOptions: { description: 'The items of this page, each with its cursor.' },
    nodeFieldOptions: { description: 'The item.' },
    cursorFieldOptions: { description: 'Opaque position of this item; pass it as `after` for what follows.' },
    firstArgOptions: { description: 'Items to return from the start (default and maximum: MAX_PAGE_SIZE).' },
    afterArgOptions: {
      description: 'Return the items after this cursor (an `endCursor` or an edge cursor).',
    },
    lastArgOptions: { description: 'Not supported (Domo pages forward only): a BAD_USER_INPUT error.' },
    beforeArgOptions: { description: 'Not supported (Domo pages forward only): a BAD_USER_INPUT error.' },
  },
});

builder.addScalarType('DateTime', DateTimeResolver, {});
builder.addScalarType('Long', LongResolver, {});
builder.addScalarType('JSON', JSONResolver, {});
builder.addScalarType('JSONObject', JSONObjectResolver, {});

builder.queryType({ description: 'Reads from Domo.' });
builder.mutationType({ description: 'Writes to Domo. Never retried automatically.' });
builder.subscriptionType({
  description: 'Progress and changes over SSE, polled from Domo (which has no push): see src/live.',
});
