/**
 * Indexing: the mutations that index a dataset or some of its data versions, and
 * `Dataset.indexStatus(indexId)` to follow a run. The API doc shows no answer for either, so the
 * graph keeps Domo's answer raw (JSON) beside the typed fields it can read from it.
 */
import type { IndexResponse, IndexStatusResult } from '../../domo/datasets.ts';
import { DomoError } from '../../domo/errors.ts';
import { builder } from '../builder.ts';
import { badUserInput, notFound } from '../errors.ts';
import { DATASET_ID_ARG, opaqueIdList } from './args.ts';
import { DatasetRef, datasetEntry } from './dataset.ts';
import { knownOrUnknown, UNKNOWN_DESCRIPTION } from './enums.ts';
import { type DatasetKey, datasetKey, perRequestLoader } from './per-request.ts';

const INDEX_STATES = ['QUEUED', 'RUNNING', 'COMPLETE', 'FAILED'] as const;
type IndexState = (typeof INDEX_STATES)[number];

const IndexStateRef = builder.enumType('IndexState', {
  description: 'Where an indexing run is.',
  values: {
    QUEUED: { description: 'Waiting to start.' },
    RUNNING: { description: 'Indexing.' },
    COMPLETE: { description: 'Done: the data is queryable.' },
    FAILED: { description: 'Failed.' },
    UNKNOWN: { description: UNKNOWN_DESCRIPTION.replace('A value', 'A state') },
  } satisfies Record<IndexState | 'UNKNOWN', { description: string }>,
});

interface IndexStatus extends IndexStatusResult {
  datasetId: string;
}

export const IndexStatusRef = builder.objectRef<IndexStatus>('IndexStatus').implement({
  description: 'Progress of an indexing run.',
  fields: (t) => ({
    datasetId: t.exposeID('datasetId', { description: 'Domo id of the dataset.' }),
    indexId: t.exposeID('indexId', { description: 'Id of the indexing run.' }),
    status: t.field({
      type: IndexStateRef,
      nullable: true,
      description:
        'State; UNKNOWN when Domo sends one outside IndexState (see statusName), null when it sends none.',
      resolve: (s) => knownOrUnknown(s.status, INDEX_STATES),
    }),
    statusName: t.exposeString('status', {
      nullable: true,
      description: 'The state exactly as Domo sends it.',
    }),
    dataIds: t.exposeStringList('dataIds', { description: 'Data versions being indexed (empty: all).' }),
    raw: t.expose('raw', {
      type: 'JSON',
      nullable: true,
      description: "Domo's answer as sent (the API doc does not show its shape).",
    }),
  }),
});

/** Index status per (dataset, index), once per request; an unknown index is NOT_FOUND. */
const indexStatusLoader = perRequestLoader(async (ctx, { id, option: indexId }: DatasetKey<string>) => {
  try {
    return await ctx.domo.datasets.indexStatus(id, indexId);
  } catch (error) {
    if (error instanceof DomoError && error.kind === 'not_found')
      throw notFound(`index ${indexId} of dataset ${id} was not found or is not visible to you`);
    throw error;
  }
}, datasetKey);

builder.objectField(DatasetRef, 'indexStatus', (t) =>
  t.field({
    type: IndexStatusRef,
    // Nullable: an unknown index id is an error on this field, not a null dataset.
    nullable: true,
    description:
      'Progress of an indexing run started by indexDataset or indexDataVersions; null with a NOT_FOUND error for an unknown indexId.',
    args: { indexId: t.arg.id({ required: true, description: 'The indexId those mutations answered.' }) },
    resolve: async (d, args, ctx) => {
      const indexId = String(args.indexId).trim();
      if (indexId === '' || indexId.includes('|'))
        throw badUserInput('indexId must be an index id', 'indexId');
      return { ...(await indexStatusLoader(ctx).load({ id: d.id, option: indexId })), datasetId: d.id };
    },
  }),
);

interface IndexPayload extends IndexResponse {
  datasetId: string;
}

const IndexPayloadRef = builder.objectRef<IndexPayload>('IndexPayload').implement({
  description: 'An indexing run started; follow it with Dataset.indexStatus(indexId).',
  fields: (t) => ({
    datasetId: t.id({ description: 'Domo id of the dataset.', resolve: (p) => p.datasetId }),
    indexId: t.id({
      nullable: true,
      description: 'Id of the run, when Domo names one (indexId or id in its answer).',
      resolve: (p) => p.indexId,
    }),
    response: t.field({
      type: 'JSON',
      nullable: true,
      description: "Domo's answer as sent.",
      resolve: (p) => p.response,
    }),
    dataset: t.field({
      type: DatasetRef,
      nullable: true,
      description: 'The dataset.',
      resolve: (p) => p.datasetId,
    }),
  }),
});

builder.mutationFields((t) => ({
  indexDataset: t.field({
    type: IndexPayloadRef,
    description: 'Indexes a dataset so it can be queried (POST /api/query/v1/datasources/:id).',
    args: { datasetId: t.arg.id(DATASET_ID_ARG) },
    resolve: async (_, args, ctx) => {
      const datasetId = datasetEntry(ctx, args.datasetId, 'datasetId');
      const result = await ctx.domo.datasets.index(datasetId);
      // Indexing may change what the metadata reports; the payload's dataset is re-read.
      DatasetRef.getDataloader(ctx).clear(datasetId);
      return { ...result, datasetId };
    },
  }),
  indexDataVersions: t.field({
    type: IndexPayloadRef,
    description: 'Indexes data versions of a dataset; no ids indexes every complete, unindexed version.',
    args: {
      datasetId: t.arg.id(DATASET_ID_ARG),
      dataIds: t.arg.idList({ defaultValue: [], description: 'Data version ids (default: all eligible).' }),
    },
    resolve: async (_, args, ctx) => {
      const datasetId = datasetEntry(ctx, args.datasetId, 'datasetId');
      const dataIds = opaqueIdList(args.dataIds ?? [], 'dataIds');
      const result = await ctx.domo.datasets.indexVersions(datasetId, { dataIds });
      // Indexing may change what the metadata reports; the payload's dataset is re-read.
      DatasetRef.getDataloader(ctx).clear(datasetId);
      return { ...result, datasetId };
    },
  }),
}));
