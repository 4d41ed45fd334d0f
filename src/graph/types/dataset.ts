/**
 * Dataset: metadata (batched through the bulk endpoint), owner, columns, the indexed schema loader,
 * and `Query.dataset`. Every dataset id a caller names (`dataset`, `datasetsByIds`, `node`, `nodes`,
 * a mutation's `datasetId`) comes in through `datasetEntry`. Lists and search are in dataset-list.ts.
 */
import { decodeGlobalID } from '@pothos/plugin-relay';
import { datasetAllowed, datasetDecision } from '../../auth/scopes.ts';
import { DomoError } from '../../domo/errors.ts';
import type { DomoDataSource, DomoIndexedSchema, DomoSchemaColumn } from '../../domo/types.ts';
import { builder } from '../builder.ts';
import type { GraphContext } from '../context.ts';
import { asNotFound, assertDatasetId, ClientError, notFound } from '../errors.ts';
import { ColumnRef, toColumn } from './column.ts';
import { type DatasetKey, datasetKey, perRequestLoader } from './per-request.ts';

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

export function asDatasetError(error: unknown, id: string): Error {
  return asNotFound(error, `dataset ${id}`);
}

/**
 * A dataset id from the caller, checked before any upstream call: a Domo id (a UUID), or the global
 * id `Dataset.id` returns, so a list's ids can be passed straight back. Every entry point that names
 * a dataset goes through here, which makes it the one place for a per-caller dataset check.
 */
export function datasetEntry(_ctx: GraphContext, raw: string | number, field = 'id'): string {
  const text = String(raw);
  return assertDatasetId(datasetIdFromGlobal(text) ?? text, field);
}

/** The Domo id inside a Dataset global id, or undefined when `text` is not one. */
function datasetIdFromGlobal(text: string): string | undefined {
  if (text.length > 128 || text.includes('-')) return undefined;
  try {
    const { typename, id } = decodeGlobalID(text);
    return typename === 'Dataset' ? id : undefined;
  } catch {
    return undefined;
  }
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
    parse: (id, ctx) => datasetEntry(ctx, id),
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
/** The dataset allow-list as a filter for lists, or undefined when the caller has none. */
export const visibleTo = (ctx: GraphContext) =>
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

/**
 * The indexed schema per dataset and includeHidden, once per request: `Dataset.columns`,
 * `Dataset.schema`, query column types and uploads all read it, so asking several makes one call.
 */
export const indexedSchemaLoader = perRequestLoader(
  async (ctx, { id, option: includeHidden }: DatasetKey<boolean>): Promise<DomoIndexedSchema> => {
    try {
      return await ctx.domo.datasets.schema(id, includeHidden);
    } catch (error) {
      throw asDatasetError(error, id);
    }
  },
  datasetKey,
);

/** The columns of the indexed schema, through `indexedSchemaLoader` (no call of its own). */
export async function datasetColumns(
  ctx: GraphContext,
  id: string,
  includeHidden: boolean,
): Promise<DomoSchemaColumn[]> {
  const schema = await indexedSchemaLoader(ctx).load({ id, option: includeHidden });
  return schema.tables.flatMap((table) => table.columns);
}

builder.objectType(DatasetRef, {
  description: 'A Domo DataSet: its metadata, schema and data.',
  fields: (t) => {
    const time = (key: 'created' | 'lastTouched' | 'lastUpdated' | 'nextUpdate', description: string) =>
      t.expose(key, { type: 'DateTime', nullable: true, description });
    const text = (key: StringKey, description: string) =>
      t.exposeString(key, { nullable: true, description });
    const flag = (key: BooleanKey, description: string) =>
      t.exposeBoolean(key, { nullable: true, description });
    return {
      domoId: t.exposeString('id', { description: 'The dataset id as Domo shows it (a UUID).' }),
      name: t.exposeString('name', { description: 'Name.' }),
      description: text('description', 'Description.'),
      displayType: text('displayType', 'Display type (the connector).'),
      dataProviderType: text('dataProviderType', 'Data provider type, e.g. webform, api, a connector key.'),
      type: text('type', 'Dataset type.'),
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
      status: text('status', 'Status of the last update, e.g. SUCCESS.'),
      state: text('state', 'State, e.g. SUCCESS.'),
      created: time('created', 'When it was created.'),
      lastTouched: time('lastTouched', 'When it was last touched.'),
      lastUpdated: time('lastUpdated', 'When its data last changed.'),
      nextUpdate: time('nextUpdate', 'When its next scheduled update runs.'),
      rowCount: t.expose('rowCount', { type: 'Long', nullable: true, description: 'Rows.' }),
      columnCount: t.exposeInt('columnCount', { nullable: true, description: 'Columns.' }),
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
      properties: t.expose('properties', {
        type: 'JSON',
        nullable: true,
        description: 'Properties as Domo sends them, beast-mode formulas included.',
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
      validConfiguration: flag('validConfiguration', 'Configuration is valid.'),
      validAccount: flag('validAccount', 'Account is valid.'),
      streamId: t.expose('streamId', {
        type: 'Long',
        nullable: true,
        description: 'Id of the stream that feeds it.',
      }),
      transportType: text('transportType', 'Transport, e.g. CONNECTOR, API.'),
      adc: flag('adc', 'Adrenaline dataflow cache.'),
      adcExternal: flag('adcExternal', 'External ADC.'),
      adcSource: text('adcSource', 'ADC source, e.g. DIRECT.'),
      masked: flag('masked', 'Data is masked.'),
      currentUserFullAccess: flag('currentUserFullAccess', 'The caller has full access.'),
      cloudId: text('cloudId', 'Cloud id, e.g. domo.'),
      cloudName: text('cloudName', 'Cloud name.'),
      cloudEngine: text('cloudEngine', 'Cloud engine.'),
      permissions: text('permissions', "The caller's permissions, e.g. READ_WRITE_DELETE_SHARE_ADMIN."),
      hidden: flag('hidden', 'Hidden from the Data Center.'),
      scheduleActive: flag('scheduleActive', 'Its schedule is active.'),
      tags: t.stringList({
        description: 'Tags (Domo stores them as a JSON-encoded list).',
        resolve: (d) => parseTags(d.tags),
      }),
      columns: t.field({
        type: [ColumnRef],
        description: 'Columns, from the indexed schema.',
        args: {
          includeHidden: t.arg.boolean({ defaultValue: false, description: 'Include hidden columns.' }),
        },
        resolve: async (d, args, ctx) =>
          (await datasetColumns(ctx, d.id, args.includeHidden ?? false)).map(toColumn),
      }),
    };
  },
});

type KeysOf<T, V> = { [K in keyof T]-?: NonNullable<T[K]> extends V ? K : never }[keyof T];
type StringKey = Exclude<KeysOf<DomoDataSource, string>, 'id' | 'name' | 'tags'>;
type BooleanKey = KeysOf<DomoDataSource, boolean>;

builder.queryField('dataset', (t) =>
  t.field({
    type: DatasetRef,
    nullable: true,
    description:
      'One dataset by its Domo id (the UUID in its Data Center URL) or its global id (`Dataset.id`); null with a NOT_FOUND error when unknown.',
    args: {
      id: t.arg.id({
        required: true,
        description: 'Domo dataset id, or the global id `Dataset.id` returns.',
      }),
    },
    resolve: (_, args, ctx) => datasetEntry(ctx, args.id),
  }),
);
