/**
 * Dataset management: the indexed schema as a field of Dataset, and the mutations that create a
 * dataset, alter its schema and change its properties and tags (indexing is in indexing.ts). Each
 * answers with the dataset re-read after the write.
 */
import { DOMO_COLUMN_TYPES, type DomoColumnType, type DomoIndexedSchema } from '../../domo/types.ts';
import { builder } from '../builder.ts';
import type { GraphContext } from '../context.ts';
import { badUserInput, ClientError } from '../errors.ts';
import { checkTags, DATASET_ID_ARG } from './args.ts';
import { ColumnRef, ColumnTypeRef, toColumn } from './column.ts';
import { DatasetRef, datasetEntry, indexedSchemaLoader, parseTags } from './dataset.ts';
import { knownInput } from './enums.ts';

// --- reads ---------------------------------------------------------------------------------------

const SchemaTableRef = builder
  .objectRef<{ columns: DomoIndexedSchema['tables'][number]['columns'] }>('SchemaTable')
  .implement({
    description: 'A table of an indexed schema.',
    fields: (t) => ({
      columns: t.field({
        type: [ColumnRef],
        description: 'Columns, in order.',
        resolve: (s) => s.columns.map(toColumn),
      }),
    }),
  });

const IndexedSchemaRef = builder.objectRef<DomoIndexedSchema>('IndexedSchema').implement({
  description: "A dataset's indexed schema, as Domo's query engine sees it.",
  fields: (t) => ({
    name: t.exposeString('name', { nullable: true, description: 'Schema name (Domo sends "schema").' }),
    dataSourceId: t.exposeString('dataSourceId', { nullable: true, description: 'Id of the dataset.' }),
    tables: t.expose('tables', { type: [SchemaTableRef], description: 'Tables (one for a dataset).' }),
  }),
});

builder.objectField(DatasetRef, 'schema', (t) =>
  t.field({
    type: IndexedSchemaRef,
    description: 'The indexed schema; shares its upstream call with `columns` in the same request.',
    args: { includeHidden: t.arg.boolean({ defaultValue: false, description: 'Include hidden columns.' }) },
    resolve: (d, args, ctx) =>
      indexedSchemaLoader(ctx).load({ id: d.id, option: args.includeHidden ?? false }),
  }),
);

// --- mutations -----------------------------------------------------------------------------------

interface DatasetPayload {
  datasetId: string;
}

const DatasetPayloadRef = builder.objectRef<DatasetPayload>('DatasetPayload').implement({
  description: 'The outcome of a dataset change: the dataset re-read after the write.',
  fields: (t) => ({
    datasetId: t.exposeID('datasetId', { description: 'Domo id of the dataset.' }),
    dataset: t.expose('datasetId', {
      type: DatasetRef,
      nullable: true,
      description: 'The dataset after the change (null with an error if the re-read fails).',
    }),
  }),
});

const NewColumnInput = builder.inputType('NewColumnInput', {
  description: 'A column of a new dataset.',
  fields: (t) => ({
    name: t.string({ required: true, description: 'Column name (unique, ignoring case).' }),
    type: t.field({ type: ColumnTypeRef, required: true, description: 'Domo type.' }),
  }),
});

const SchemaColumnInput = builder.inputType('SchemaColumnInput', {
  description: 'A column of the schema a dataset should have.',
  fields: (t) => ({
    name: t.string({ required: true, description: 'Column name (unique, ignoring case).' }),
    id: t.string({
      description:
        'Column id; default the name. An existing column id with a different name renames that column.',
    }),
    type: t.field({ type: ColumnTypeRef, required: true, description: 'Domo type.' }),
    visible: t.boolean({ defaultValue: true, description: 'Visible (false hides the column).' }),
  }),
});

/**
 * Column names: non-empty, unique ignoring case (Domo SQL does not tell `a` from `A`); types known
 * (UNKNOWN names a type Domo reported, not one to send).
 */
function checkColumns<T extends { name: string; type: DomoColumnType | 'UNKNOWN' }>(
  columns: readonly T[],
  field: string,
): Array<T & { type: DomoColumnType }> {
  if (columns.length === 0) throw badUserInput(`${field} must not be empty`, field);
  const seen = new Set<string>();
  return columns.map((c, i) => {
    const name = c.name.trim();
    if (name === '') throw badUserInput(`${field}[${i}].name must not be empty`, `${field}[${i}].name`);
    if (seen.has(name.toLowerCase())) {
      throw badUserInput(`${field}[${i}].name repeats column ${name}`, `${field}[${i}].name`);
    }
    seen.add(name.toLowerCase());
    return { ...c, name, type: knownInput(c.type, `${field}[${i}].type`, DOMO_COLUMN_TYPES) };
  });
}

/** After a write: forget what this request had read of the dataset, so the payload re-reads it. */
function changed(ctx: GraphContext, datasetId: string, schemaToo = false): DatasetPayload {
  DatasetRef.getDataloader(ctx).clear(datasetId);
  if (schemaToo) {
    for (const option of [false, true]) indexedSchemaLoader(ctx).clear({ id: datasetId, option });
  }
  return { datasetId };
}

/** Reads the tags as they are now (not what this request saw earlier), for a read-modify-write. */
async function currentTags(ctx: GraphContext, datasetId: string): Promise<string[]> {
  const loader = DatasetRef.getDataloader(ctx);
  loader.clear(datasetId);
  const dataset = await loader.load(datasetId);
  if (dataset instanceof Error) throw dataset;
  return parseTags(dataset.tags);
}

/**
 * The API doc marks `dataProviderType` required in the properties body: when the caller changes only
 * the name or description, the dataset's current type goes along (read through the loader).
 */
async function withProviderType(
  ctx: GraphContext,
  datasetId: string,
  body: { dataProviderType?: string; name?: string; description?: string },
) {
  if (body.dataProviderType) return body;
  const current = await DatasetRef.getDataloader(ctx).load(datasetId);
  return current.dataProviderType ? { dataProviderType: current.dataProviderType, ...body } : body;
}

builder.mutationFields((t) => ({
  createDataset: t.field({
    type: DatasetPayloadRef,
    description: 'Creates an empty dataset with the given columns (POST /api/data/v2/datasources).',
    args: {
      name: t.arg.string({ required: true, description: 'Name of the new dataset.' }),
      description: t.arg.string({ description: 'Description.' }),
      type: t.arg.string({ defaultValue: 'api', description: 'User-defined type (Domo default: api).' }),
      columns: t.arg({ type: [NewColumnInput], required: true, description: 'Columns, in order.' }),
    },
    resolve: async (_, args, ctx) => {
      const name = args.name.trim();
      if (name === '') throw badUserInput('name must not be empty', 'name');
      const type = (args.type ?? 'api').trim();
      if (type === '') throw badUserInput('type must not be empty', 'type');
      const columns = checkColumns(args.columns, 'columns');
      // The create body is exactly the API doc's; a description follows through the properties
      // endpoint, which the doc gives for name, description and provider type.
      const { id } = await ctx.domo.datasets.create({
        userDefinedType: type,
        dataSourceName: name,
        schema: { columns: columns.map((c) => ({ type: c.type, name: c.name })) },
      });
      const datasetId = id.toLowerCase();
      if (args.description) {
        try {
          const body = await withProviderType(ctx, datasetId, { description: args.description });
          await ctx.domo.datasets.updateProperties(datasetId, body);
        } catch (error) {
          throw new ClientError(
            'UPSTREAM_ERROR',
            `dataset ${datasetId} was created, but setting its description failed: ${(error as Error).message}; retry with updateDatasetProperties`,
            { datasetId },
          );
        }
      }
      return changed(ctx, datasetId);
    },
  }),
  alterDatasetSchema: t.field({
    type: DatasetPayloadRef,
    description:
      'Sets the columns a dataset has: new names are added, missing ones dropped, changed types converted.',
    args: {
      datasetId: t.arg.id(DATASET_ID_ARG),
      columns: t.arg({ type: [SchemaColumnInput], required: true, description: 'Every column, in order.' }),
    },
    resolve: async (_, args, ctx) => {
      const datasetId = datasetEntry(ctx, args.datasetId, 'datasetId');
      const columns = checkColumns(args.columns, 'columns').map((c) => ({
        ...c,
        id: c.id?.trim() || c.name,
      }));
      const ids = new Set<string>();
      for (const [i, c] of columns.entries()) {
        if (ids.has(c.id.toLowerCase())) {
          throw badUserInput(`columns[${i}].id repeats column ${c.id}`, `columns[${i}].id`);
        }
        ids.add(c.id.toLowerCase());
      }
      await ctx.domo.datasets.alterSchema(datasetId, {
        columns: columns.map((c, order) => ({
          name: c.name,
          id: c.id,
          type: c.type,
          visible: c.visible ?? true,
          order,
        })),
        objects: [],
        views: [],
      });
      return changed(ctx, datasetId, true);
    },
  }),
  updateDatasetProperties: t.field({
    type: DatasetPayloadRef,
    description: 'Changes the data provider type, name or description; absent ones stay as they are.',
    args: {
      datasetId: t.arg.id(DATASET_ID_ARG),
      dataProviderType: t.arg.string({ description: 'Data provider type, e.g. domo-jupyterdata.' }),
      name: t.arg.string({ description: 'New name.' }),
      description: t.arg.string({ description: 'New description.' }),
    },
    resolve: async (_, args, ctx) => {
      const datasetId = datasetEntry(ctx, args.datasetId, 'datasetId');
      const body: { dataProviderType?: string; name?: string; description?: string } = {};
      for (const key of ['dataProviderType', 'name'] as const) {
        const value = args[key];
        if (value === null || value === undefined) continue;
        if (value.trim() === '') throw badUserInput(`${key} must not be empty`, key);
        body[key] = value.trim();
      }
      if (typeof args.description === 'string') body.description = args.description;
      if (Object.keys(body).length === 0) {
        throw badUserInput('give at least one of dataProviderType, name, description', 'dataProviderType');
      }
      await ctx.domo.datasets.updateProperties(datasetId, await withProviderType(ctx, datasetId, body));
      return changed(ctx, datasetId);
    },
  }),
  setDatasetTags: t.field({
    type: DatasetPayloadRef,
    description: "Replaces a dataset's tags with this list (an empty list removes them all).",
    args: {
      datasetId: t.arg.id(DATASET_ID_ARG),
      tags: t.arg.stringList({ required: true, description: 'The whole tag list.' }),
    },
    resolve: async (_, args, ctx) => {
      const datasetId = datasetEntry(ctx, args.datasetId, 'datasetId');
      const tags = checkTags(args.tags, 'tags', true);
      await ctx.domo.datasets.setTags(datasetId, tags);
      return changed(ctx, datasetId);
    },
  }),
  addDatasetTags: t.field({
    type: DatasetPayloadRef,
    description:
      'Adds tags: reads the current list, writes it back with these added (not atomic against other writers).',
    args: {
      datasetId: t.arg.id(DATASET_ID_ARG),
      tags: t.arg.stringList({ required: true, description: 'Tags to add.' }),
    },
    resolve: async (_, args, ctx) => {
      const datasetId = datasetEntry(ctx, args.datasetId, 'datasetId');
      const adding = checkTags(args.tags, 'tags', false);
      const current = await currentTags(ctx, datasetId);
      const next = [...current, ...adding.filter((tag) => !current.includes(tag))];
      if (next.length !== current.length) await ctx.domo.datasets.setTags(datasetId, next);
      return changed(ctx, datasetId);
    },
  }),
  removeDatasetTags: t.field({
    type: DatasetPayloadRef,
    description:
      'Removes tags: reads the current list, writes it back without these (not atomic against other writers).',
    args: {
      datasetId: t.arg.id(DATASET_ID_ARG),
      tags: t.arg.stringList({ required: true, description: 'Tags to remove.' }),
    },
    resolve: async (_, args, ctx) => {
      const datasetId = datasetEntry(ctx, args.datasetId, 'datasetId');
      const removing = checkTags(args.tags, 'tags', false);
      const current = await currentTags(ctx, datasetId);
      const next = current.filter((tag) => !removing.includes(tag));
      if (next.length !== current.length) await ctx.domo.datasets.setTags(datasetId, next);
      return changed(ctx, datasetId);
    },
  }),
}));
