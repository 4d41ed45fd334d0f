/**
 * Data versions and partitions: `Dataset.dataVersions`, `Dataset.partitions` (a connection over
 * partition/list), `Dataset.partitionTags` (the plain list) and `Dataset.magicDataVersions`. The
 * mutations deleting a partition's data version or its tag are in version-mutations.ts.
 */
import type { DomoDataVersion, DomoPartition, DomoPartitionListRequest } from '../../domo/types.ts';
import { builder } from '../builder.ts';
import type { GraphContext } from '../context.ts';
import { badUserInput, notFound } from '../errors.ts';
import { DatasetRef, datasetEntry } from './dataset.ts';
import { pageArgs, pageOf } from './paging.ts';
import { perRequestLoader } from './per-request.ts';

type Version = DomoDataVersion;
type Partition = DomoPartition & { datasetId: string };

/** Per request: one data-version list per dataset. */
const versionsLoader = perRequestLoader(
  async (ctx, id: string): Promise<Version[]> =>
    (await ctx.domo.versions.dataVersions(id)).map((v) => ({ ...v, dataSourceId: v.dataSourceId ?? id })),
);

/** Per request: one plain partition list per dataset. */
const partitionsLoader = perRequestLoader(
  async (ctx, id: string): Promise<Partition[]> =>
    (await ctx.domo.versions.partitions(id)).map((p) => ({ ...p, datasetId: id })),
);

/**
 * The raw id of a DataVersion or Partition (`<datasetId>/<id>`, what its global id holds) is also its
 * loader key: Relay ids must be strings or numbers. It is split here only, and a caller's id is
 * checked on the way in (the dataset part through `datasetEntry`, like every way to name a dataset).
 */
function splitId(raw: string): { datasetId: string; id: string } {
  const slash = raw.indexOf('/');
  return { datasetId: raw.slice(0, slash), id: raw.slice(slash + 1) };
}

function parseId(ctx: GraphContext, raw: string): string {
  const slash = raw.indexOf('/');
  if (slash < 1 || slash === raw.length - 1)
    throw badUserInput('id is not the global id of a data version or partition', 'id');
  return `${datasetEntry(ctx, raw.slice(0, slash))}/${raw.slice(slash + 1)}`;
}

const rawId = (datasetId: string, id: string | number) => `${datasetId.toLowerCase()}/${id}`;

export const DataVersionRef = builder.loadableNodeRef<Version | Error, string>('DataVersion', {
  id: { resolve: (v) => rawId(v.dataSourceId, v.dataVersionId), parse: (id, ctx) => parseId(ctx, id) },
  load: (keys, ctx: GraphContext) =>
    Promise.all(
      keys.map(async (key) => {
        const { datasetId, id } = splitId(key);
        const list = await versionsLoader(ctx).load(datasetId);
        return list.find((v) => String(v.dataVersionId) === id) ?? notFound(`data version ${key} not found`);
      }),
    ),
  cacheResolved: (v) => rawId(v.dataSourceId, v.dataVersionId),
});

export const PartitionRef = builder.loadableNodeRef<Partition | Error, string>('Partition', {
  id: { resolve: (p) => rawId(p.datasetId, p.partitionId), parse: (id, ctx) => parseId(ctx, id) },
  load: (keys, ctx: GraphContext) =>
    Promise.all(
      keys.map(async (key) => {
        const { datasetId, id } = splitId(key);
        const list = await partitionsLoader(ctx).load(datasetId);
        return list.find((p) => p.partitionId === id) ?? notFound(`partition ${key} not found`);
      }),
    ),
  cacheResolved: (p) => rawId(p.datasetId, p.partitionId),
});

const time = (value: number | string | null | undefined) =>
  value === undefined || value === '' ? null : value;

builder.objectType(DataVersionRef, {
  description: "One version of a dataset's data: what one upload or run committed.",
  fields: (t) => ({
    domoId: t.id({ description: "Domo's data version id.", resolve: (v) => v.dataVersionId }),
    dataset: t.field({
      type: DatasetRef,
      description: 'The dataset.',
      resolve: (v) => v.dataSourceId.toLowerCase(),
    }),
    schemaId: t.exposeID('schemaId', { nullable: true, description: 'Schema the version was written with.' }),
    dataVersionId: t.id({ description: 'Same as domoId.', resolve: (v) => v.dataVersionId }),
    status: t.exposeString('status', { nullable: true, description: 'SUCCESS, DELETED, …' }),
    statusMessage: t.exposeString('statusMessage', {
      nullable: true,
      description: 'Message, e.g. the commit message.',
    }),
    recordedAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'When it was recorded.',
      resolve: (v) => time(v.datetimeRecorded),
    }),
    uploadCompletedAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'When its upload completed.',
      resolve: (v) => time(v.datetimeUploadCompleted),
    }),
    runDurationSeconds: t.exposeFloat('runDurationSeconds', {
      nullable: true,
      description: 'Seconds the load took.',
    }),
    sizeBytes: t.expose('sizeBytes', { type: 'Long', nullable: true, description: 'Bytes loaded.' }),
    rowCount: t.expose('rowCount', { type: 'Long', nullable: true, description: 'Rows loaded.' }),
  }),
});

builder.objectType(PartitionRef, {
  description: 'A partition of a dataset: the rows uploaded under one tag (`dataTag`).',
  fields: (t) => ({
    domoId: t.id({ description: 'The partition id (its tag).', resolve: (p) => p.partitionId }),
    partitionId: t.string({ description: 'The partition tag.', resolve: (p) => p.partitionId }),
    dataset: t.field({
      type: DatasetRef,
      description: 'The dataset.',
      resolve: (p) => p.datasetId.toLowerCase(),
    }),
    dataVersionId: t.exposeID('dataVersionId', {
      nullable: true,
      description: 'Data version holding its rows.',
    }),
    dataVersion: t.field({
      type: DataVersionRef,
      nullable: true,
      description: 'That data version (one version list call per dataset).',
      resolve: (p) => (p.dataVersionId === undefined ? null : rawId(p.datasetId, p.dataVersionId)),
    }),
    rowCount: t.expose('rowCount', { type: 'Long', nullable: true, description: 'Rows.' }),
    sizeBytes: t.expose('sizeBytes', { type: 'Long', nullable: true, description: 'Bytes.' }),
    status: t.exposeString('status', { nullable: true, description: 'ACTIVE, DELETED, …' }),
    dateCompleted: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'When its load completed.',
      resolve: (p) => time(p.dateCompleted),
    }),
    createdDate: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'When it was created.',
      resolve: (p) => time(p.createdDate),
    }),
  }),
});

const PartitionSortField = builder.enumType('PartitionSortField', {
  description: 'Fields `partitions` sorts by (partition/list paginationFields).',
  values: {
    DATE_COMPLETED: { value: 'datecompleted', description: 'When the load completed.' },
    CREATED_DATE: { value: 'createddate', description: 'When the partition was created.' },
    PARTITION_ID: { value: 'partitionid', description: 'The tag.' },
    ROW_COUNT: { value: 'rowcount', description: 'Rows.' },
  },
});

builder.objectFields(DatasetRef, (t) => ({
  dataVersions: t.field({
    type: [DataVersionRef],
    description: 'Every data version, oldest first (dataversions/details).',
    resolve: async (d, _, ctx) => versionsLoader(ctx).load(d.id),
  }),
  partitionTags: t.field({
    type: [PartitionRef],
    description: 'Every partition tag (the plain partition list: no row counts, deleted versions included).',
    resolve: async (d, _, ctx) => partitionsLoader(ctx).load(d.id),
  }),
  partitions: t.connection(
    {
      type: PartitionRef,
      description: 'Partitions with row counts, sorted and filtered by completion date (partition/list).',
      args: {
        sortBy: t.arg({
          type: PartitionSortField,
          defaultValue: 'datecompleted',
          description: 'Sort field.',
        }),
        ascending: t.arg.boolean({
          defaultValue: false,
          description: 'Sort ascending (default newest first).',
        }),
        completedAfter: t.arg({
          type: 'DateTime',
          description: 'Only partitions completed at or after this time (MIN).',
        }),
        completedBefore: t.arg({
          type: 'DateTime',
          description: 'Only partitions completed at or before this time (MAX).',
        }),
      },
      resolve: async (d, args, ctx) => {
        const { limit, offset } = pageArgs(args, ctx.settings.maxPageSize);
        const sortOrder: 'ASC' | 'DESC' = args.ascending ? 'ASC' : 'DESC';
        const fields: DomoPartitionListRequest['paginationFields'] = [
          { fieldName: args.sortBy ?? 'datecompleted', sortOrder, filterValues: { MIN: null, MAX: null } },
        ];
        if (args.completedAfter || args.completedBefore) {
          const filter = {
            fieldName: 'datecompleted',
            sortOrder,
            filterValues: {
              MIN: args.completedAfter?.getTime() ?? null,
              MAX: args.completedBefore?.getTime() ?? null,
            },
          };
          if (fields[0]!.fieldName === 'datecompleted') fields[0] = filter;
          else fields.push(filter);
        }
        const items = await ctx.domo.versions.searchPartitions(d.id, {
          paginationFields: fields,
          limit: limit + 1,
          offset,
        });
        return pageOf(
          items.map((p) => ({ ...p, datasetId: d.id })),
          offset,
          limit,
        );
      },
    },
    {
      name: 'DatasetPartitionsConnection',
      description: 'A page of partitions.',
      fields: (c) => ({
        totalCount: c.exposeInt('totalCount', {
          nullable: true,
          description: 'Partitions in all, once the last page was reached (partition/list does not say).',
        }),
      }),
    },
    { name: 'DatasetPartitionsEdge', description: 'A partition in a page.' },
  ),
  magicDataVersions: t.connection(
    {
      type: DataVersionRef,
      description: 'Data versions as the MAGIC engine lists them (data-version-hydrate).',
      resolve: async (d, args, ctx) => {
        const { limit, offset } = pageArgs(args, ctx.settings.maxPageSize);
        const items = await ctx.domo.versions.magicDataVersions(d.id, { limit: limit + 1, offset });
        return pageOf(
          items.map((v) => ({ ...v, dataSourceId: v.dataSourceId ?? d.id })),
          offset,
          limit,
        );
      },
    },
    { name: 'MagicDataVersionsConnection', description: 'A page of MAGIC data versions.' },
    { name: 'MagicDataVersionsEdge', description: 'A data version in a page.' },
  ),
}));
