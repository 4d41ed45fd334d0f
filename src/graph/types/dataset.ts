/** Dataset: metadata (batched through the bulk endpoint), owner, columns, and root lookups. */
import { cursorToOffset, offsetToCursor } from '@pothos/plugin-relay';
import { datasetAllowed, datasetDecision } from '../../auth/scopes.ts';
import { DATASET_ORDER_FIELDS } from '../../domo/datasets.ts';
import { DomoError } from '../../domo/errors.ts';
import type { DomoDataSource, DomoIndexedSchema, DomoSchemaColumn } from '../../domo/types.ts';
import { builder } from '../builder.ts';
import type { GraphContext } from '../context.ts';
import { assertDatasetId, badUserInput, ClientError, notFound } from '../errors.ts';
import { ColumnRef, toColumn } from './column.ts';
import { perRequestLoader } from './per-request.ts';

const outsideAllowList = (id: string) =>
  new ClientError('FORBIDDEN', `dataset ${id} is outside this credential's dataset allow-list`);

/**
 * Every dataset load passes the gateway's dataset allow-list (src/auth): an id it denies makes no
 * upstream call; one only its tags can decide is checked once its metadata is read.
 */
async function loadDatasets(
  ids: readonly string[],
  ctx: GraphContext,
): Promise<Array<DomoDataSource | Error>> {
  if (!ctx.auth?.datasets) return fetchDatasets(ids, ctx);
  const open = ids.filter((id) => datasetDecision(ctx.auth, id) !== 'denied');
  const fetched = open.length ? await fetchDatasets(open, ctx) : [];
  const byId = new Map(open.map((id, i) => [id, fetched[i]]));
  return ids.map((id) => {
    const dataset = byId.get(id);
    if (!dataset) return outsideAllowList(id);
    if (dataset instanceof Error || datasetAllowed(ctx.auth, dataset)) return dataset;
    return outsideAllowList(id);
  });
}

/** Loads dataset metadata: one GET for a single id, the bulk endpoint for several. */
async function fetchDatasets(
  ids: readonly string[],
  ctx: GraphContext,
): Promise<Array<DomoDataSource | Error>> {
  if (ids.length === 1) {
    try {
      return [await ctx.domo.datasets.get(ids[0]!)];
    } catch (error) {
      return [asDatasetError(error, ids[0]!)];
    }
  }
  let found: DomoDataSource[];
  try {
    found = await ctx.domo.datasets.bulk(ids);
  } catch (error) {
    // A server without the bulk endpoint (it is in DOMO-NOTES.md, not the API doc): one GET per id.
    if (error instanceof DomoError && (error.status === 404 || error.status === 405)) {
      return Promise.all(
        ids.map((id) => ctx.domo.datasets.get(id).catch((e: unknown) => asDatasetError(e, id))),
      );
    }
    throw error;
  }
  const byId = new Map(found.map((d) => [d.id.toLowerCase(), d]));
  return ids.map(
    (id) => byId.get(id.toLowerCase()) ?? notFound(`dataset ${id} was not found or is not visible to you`),
  );
}

function asDatasetError(error: unknown, id: string): Error {
  if (error instanceof DomoError && error.kind === 'not_found') {
    return notFound(`dataset ${id} was not found or is not visible to you`);
  }
  return error instanceof Error ? error : new Error(String(error));
}

export const OwnerRef = builder.simpleObject('DatasetOwner', {
  description:
    'The user or group that owns a dataset, from the metadata; for a user, `user` is the User node.',
  fields: (t) => ({
    id: t.id({ description: 'Domo id of the owner.' }),
    name: t.string({ nullable: true, description: 'Display name.' }),
    type: t.string({ nullable: true, description: 'USER or GROUP.' }),
    group: t.boolean({ nullable: true, description: 'Whether the owner is a group.' }),
  }),
});

export const CardInfoRef = builder.simpleObject('CardInfo', {
  description: 'How many cards use a dataset and how often they are viewed.',
  fields: (t) => ({
    cardCount: t.int({ nullable: true, description: 'Cards built on the dataset.' }),
    cardViewCount: t.int({ nullable: true, description: 'Views of those cards.' }),
  }),
});

export const DatasetRef = builder.loadableNodeRef<DomoDataSource | Error, string>('Dataset', {
  id: {
    resolve: (dataset) => dataset.id.toLowerCase(),
    // A global id that does not hold a UUID is bad input, refused before any upstream call.
    parse: (id) => assertDatasetId(id),
  },
  load: loadDatasets,
  // Datasets that arrive whole (from a list, a search, a stream) fill the cache for later lookups.
  cacheResolved: (dataset) => dataset.id.toLowerCase(),
});

/** Makes datasets already fetched visible to later lookups in the same request. */
export function primeDatasets(ctx: GraphContext, datasets: DomoDataSource[]): DomoDataSource[] {
  const loader = DatasetRef.getDataloader(ctx);
  for (const dataset of datasets) {
    // One outside the allow-list stays out of the cache: a later lookup goes through loadDatasets.
    if (datasetAllowed(ctx.auth, dataset)) loader.prime(dataset.id.toLowerCase(), dataset);
  }
  return datasets;
}

/** A list page keeps only datasets the allow-list lets the caller see (src/auth). */
const visibleTo = (ctx: GraphContext) =>
  ctx.auth?.datasets ? (dataset: DomoDataSource) => datasetAllowed(ctx.auth, dataset) : undefined;

export function parseTags(raw: string | undefined): string[] {
  if (!raw) return [];
  try {
    const value: unknown = JSON.parse(raw);
    return Array.isArray(value) ? value.map(String) : [];
  } catch {
    return [];
  }
}

export const columnsLoaderKey = (id: string, includeHidden: boolean) => `${id}|${includeHidden}`;

builder.objectType(DatasetRef, {
  description: 'A Domo DataSet: its metadata, schema and data.',
  fields: (t) => ({
    domoId: t.string({ description: 'The dataset id as Domo shows it (a UUID).', resolve: (d) => d.id }),
    name: t.exposeString('name', { description: 'Name.' }),
    description: t.exposeString('description', { nullable: true, description: 'Description.' }),
    displayType: t.exposeString('displayType', {
      nullable: true,
      description: 'Display type (the connector).',
    }),
    dataProviderType: t.exposeString('dataProviderType', {
      nullable: true,
      description: 'Data provider type, e.g. webform, api, a connector key.',
    }),
    type: t.exposeString('type', { nullable: true, description: 'Dataset type.' }),
    owner: t.field({
      type: OwnerRef,
      nullable: true,
      description: 'Owner, from the metadata itself (no extra call).',
      resolve: (d) =>
        d.owner
          ? {
              ...d.owner,
              name: d.owner.name ?? null,
              type: d.owner.type ?? null,
              group: d.owner.group ?? null,
            }
          : null,
    }),
    status: t.exposeString('status', {
      nullable: true,
      description: 'Status of the last update, e.g. SUCCESS.',
    }),
    state: t.exposeString('state', { nullable: true, description: 'State, e.g. SUCCESS.' }),
    created: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'When it was created.',
      resolve: (d) => d.created ?? null,
    }),
    lastTouched: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'When it was last touched.',
      resolve: (d) => d.lastTouched ?? null,
    }),
    lastUpdated: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'When its data last changed.',
      resolve: (d) => d.lastUpdated ?? null,
    }),
    nextUpdate: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'When its next scheduled update runs.',
      resolve: (d) => d.nextUpdate ?? null,
    }),
    rowCount: t.field({
      type: 'Long',
      nullable: true,
      description: 'Rows.',
      resolve: (d) => d.rowCount ?? null,
    }),
    columnCount: t.int({ nullable: true, description: 'Columns.', resolve: (d) => d.columnCount ?? null }),
    cardInfo: t.field({
      type: CardInfoRef,
      nullable: true,
      description: 'Card counts.',
      resolve: (d) =>
        d.cardInfo
          ? { cardCount: d.cardInfo.cardCount ?? null, cardViewCount: d.cardInfo.cardViewCount ?? null }
          : null,
    }),
    cardCount: t.int({
      nullable: true,
      description: 'Cards built on the dataset.',
      resolve: (d) => d.cardCount ?? d.cardInfo?.cardCount ?? null,
    }),
    properties: t.field({
      type: 'JSON',
      nullable: true,
      description: 'Properties as Domo sends them, beast-mode formulas included.',
      resolve: (d) => d.properties ?? null,
    }),
    formulas: t.field({
      type: 'JSON',
      nullable: true,
      description: 'Beast-mode formulas by id (properties.formulas.formulas).',
      resolve: (d) => {
        const formulas = (d.properties?.formulas as { formulas?: unknown } | undefined)?.formulas;
        return formulas ?? null;
      },
    }),
    validConfiguration: t.exposeBoolean('validConfiguration', {
      nullable: true,
      description: 'Configuration is valid.',
    }),
    validAccount: t.exposeBoolean('validAccount', { nullable: true, description: 'Account is valid.' }),
    streamId: t.field({
      type: 'Long',
      nullable: true,
      description: 'Id of the stream that feeds it.',
      resolve: (d) => d.streamId ?? null,
    }),
    transportType: t.exposeString('transportType', {
      nullable: true,
      description: 'Transport, e.g. CONNECTOR, API.',
    }),
    adc: t.exposeBoolean('adc', { nullable: true, description: 'Adrenaline dataflow cache.' }),
    adcExternal: t.exposeBoolean('adcExternal', { nullable: true, description: 'External ADC.' }),
    adcSource: t.exposeString('adcSource', { nullable: true, description: 'ADC source, e.g. DIRECT.' }),
    masked: t.exposeBoolean('masked', { nullable: true, description: 'Data is masked.' }),
    currentUserFullAccess: t.exposeBoolean('currentUserFullAccess', {
      nullable: true,
      description: 'The caller has full access.',
    }),
    cloudId: t.exposeString('cloudId', { nullable: true, description: 'Cloud id, e.g. domo.' }),
    cloudName: t.exposeString('cloudName', { nullable: true, description: 'Cloud name.' }),
    cloudEngine: t.exposeString('cloudEngine', { nullable: true, description: 'Cloud engine.' }),
    permissions: t.exposeString('permissions', {
      nullable: true,
      description: "The caller's permissions, e.g. READ_WRITE_DELETE_SHARE_ADMIN.",
    }),
    hidden: t.exposeBoolean('hidden', { nullable: true, description: 'Hidden from the Data Center.' }),
    scheduleActive: t.exposeBoolean('scheduleActive', {
      nullable: true,
      description: 'Its schedule is active.',
    }),
    tags: t.stringList({
      description: 'Tags (Domo stores them as a JSON-encoded list).',
      resolve: (d) => parseTags(d.tags),
    }),
    columns: t.field({
      type: [ColumnRef],
      description: 'Columns, from the indexed schema.',
      args: { includeHidden: t.arg.boolean({ defaultValue: false, description: 'Include hidden columns.' }) },
      resolve: async (d, args, ctx) => {
        const schema = await schemaLoader(ctx).load(columnsLoaderKey(d.id, args.includeHidden ?? false));
        return schema.map(toColumn);
      },
    }),
  }),
});

/**
 * The indexed schema per (dataset, includeHidden) key (`columnsLoaderKey`), once per request:
 * `Dataset.columns` and `Dataset.schema` both read it, so asking both makes one call.
 */
export const indexedSchemaLoader = perRequestLoader(async (ctx, key): Promise<DomoIndexedSchema> => {
  const [id, hidden] = key.split('|') as [string, string];
  try {
    return await ctx.domo.datasets.schema(id, hidden === 'true');
  } catch (error) {
    throw asDatasetError(error, id);
  }
});

/** The columns of the indexed schema per key, through `indexedSchemaLoader` (no call of its own). */
export const schemaLoader = perRequestLoader(
  async (ctx, key): Promise<DomoSchemaColumn[]> =>
    (await indexedSchemaLoader(ctx).load(key)).tables.flatMap((table) => table.columns),
);

const DatasetOrder = builder.enumType('DatasetOrder', {
  description: 'Orders of the dataset list.',
  values: Object.fromEntries(
    DATASET_ORDER_FIELDS.map((field) => [
      field.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase(),
      { value: field, description: `By ${field}.` },
    ]),
  ) as Record<string, { value: (typeof DATASET_ORDER_FIELDS)[number]; description: string }>,
});

const DatasetSearchSort = builder.enumType('DatasetSearchSort', {
  description: 'Sorts of a dataset search.',
  values: {
    CREATED: { value: 'create_date', description: 'By creation date.' },
    NAME: { value: 'name_sort', description: 'By name.' },
    LAST_UPDATED: { value: 'last_updated', description: 'By last data update.' },
  },
});

const SortOrder = builder.enumType('SortOrder', {
  description: 'Direction of a sort.',
  values: { ASC: { description: 'Ascending.' }, DESC: { description: 'Descending.' } },
});

/** Page bounds from Relay arguments, capped at the maximum page size. */
export function pageArgs(
  args: { first?: number | null; after?: string | null; last?: number | null; before?: string | null },
  max: number,
): { limit: number; offset: number } {
  // Domo's lists page forward by offset only; silently ignoring backward arguments would mislead.
  if (args.last !== undefined && args.last !== null)
    throw badUserInput('last is not supported: page forward with first and after', 'last');
  if (args.before !== undefined && args.before !== null)
    throw badUserInput('before is not supported: page forward with first and after', 'before');
  const first = args.first ?? max;
  if (first < 0) throw badUserInput('first must not be negative', 'first');
  if (first > max) throw badUserInput(`first must be at most ${max}`, 'first');
  let offset = 0;
  if (args.after) {
    try {
      offset = cursorToOffset(args.after) + 1;
    } catch {
      throw badUserInput('after is not a cursor from this connection', 'after');
    }
    if (!Number.isInteger(offset) || offset < 0)
      throw badUserInput('after is not a cursor from this connection', 'after');
  }
  return { limit: first, offset };
}

/** A connection from one page of an offset-paged upstream list. */
export function offsetPage<T>(
  items: T[],
  offset: number,
  limit: number,
  totalCount: number | undefined,
  /** Filters the page after cursors are given (the dataset allow-list), so paging still follows Domo. */
  keep?: (item: T) => boolean,
) {
  const page = items.slice(0, limit);
  const hasNextPage =
    totalCount !== undefined ? offset + page.length < totalCount : items.length >= limit && limit > 0;
  const edges = page.map((node, i) => ({ cursor: offsetToCursor(offset + i), node }));
  return {
    // Domo's count includes what the filter hides: unknown, rather than wrong or telling.
    totalCount: keep ? null : (totalCount ?? null),
    edges: keep ? edges.filter((edge) => keep(edge.node)) : edges,
    // The page's bounds stay Domo's, so `after: endCursor` continues past hidden items.
    pageInfo: {
      hasNextPage,
      hasPreviousPage: offset > 0,
      startCursor: page.length ? offsetToCursor(offset) : null,
      endCursor: page.length ? offsetToCursor(offset + page.length - 1) : null,
    },
  };
}

builder.queryFields((t) => ({
  dataset: t.field({
    type: DatasetRef,
    nullable: true,
    description:
      'One dataset by its Domo id (the UUID in its Data Center URL); null with a NOT_FOUND error when unknown.',
    args: { id: t.arg.id({ required: true, description: 'Domo dataset id.' }) },
    resolve: (_, args) => assertDatasetId(String(args.id)),
  }),
  datasets: t.connection(
    {
      type: DatasetRef,
      description: 'Datasets the caller can see, filtered and ordered, a page at a time.',
      args: {
        nameContains: t.arg.string({ description: 'Only names containing this text (case-insensitive).' }),
        ownerId: t.arg.id({ description: 'Only datasets of this owner.' }),
        dataProviderType: t.arg.string({ description: 'Only datasets from this provider, e.g. webform.' }),
        orderBy: t.arg({ type: DatasetOrder, description: 'Order (default by name).' }),
      },
      resolve: async (_, args, ctx) => {
        const { limit, offset } = pageArgs(args, ctx.settings.maxPageSize);
        const page = await ctx.domo.datasets.list({
          limit,
          offset,
          nameLike: args.nameContains ?? undefined,
          ownerId: args.ownerId ? String(args.ownerId) : undefined,
          dataProviderType: args.dataProviderType ?? undefined,
          orderBy: args.orderBy ?? undefined,
        });
        return offsetPage(
          primeDatasets(ctx, page.dataSources),
          offset,
          limit,
          page.totalCount,
          visibleTo(ctx),
        );
      },
    },
    {
      description: 'A page of datasets.',
      fields: (c) => ({
        totalCount: c.int({
          nullable: true,
          description: 'Matches in all.',
          resolve: (p) => (p as { totalCount: number | null }).totalCount,
        }),
      }),
    },
    { description: 'A dataset in a page.' },
  ),
  searchDatasets: t.connection(
    {
      type: DatasetRef,
      description: "Datasets whose name matches text, through Domo's Data Center search.",
      args: {
        text: t.arg.string({ description: 'Text anywhere in the name.' }),
        sort: t.arg({ type: DatasetSearchSort, description: 'Sort field (default creation date).' }),
        order: t.arg({ type: SortOrder, description: 'Sort direction (default DESC).' }),
      },
      resolve: async (_, args, ctx) => {
        const { limit, offset } = pageArgs(args, ctx.settings.maxPageSize);
        const page = await ctx.domo.datasets.search({
          text: args.text ?? undefined,
          count: limit,
          offset,
          sortField: args.sort ?? undefined,
          sortOrder: args.order ?? undefined,
        });
        return offsetPage(
          primeDatasets(ctx, page.dataSources),
          offset,
          limit,
          page.totalCount,
          visibleTo(ctx),
        );
      },
    },
    {
      description: 'A page of search results.',
      fields: (c) => ({
        totalCount: c.int({
          nullable: true,
          description: 'Matches in all.',
          resolve: (p) => (p as { totalCount: number | null }).totalCount,
        }),
      }),
    },
    { description: 'A dataset in search results.' },
  ),
}));
