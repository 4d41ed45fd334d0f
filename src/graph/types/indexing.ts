/**
 * Indexing: the mutations that index a dataset or some of its data versions, and
 * `Dataset.indexStatus(indexId)` to follow a run. The API doc shows no answer for either, so the
 * graph keeps Domo's answer raw (JSON) beside the typed fields it can read from it.
 */
import type { IndexResponse, IndexStatusResult } from '../../domo/datasets.ts';
import { builder } from '../builder.ts';
import { assertDatasetId, badUserInput } from '../errors.ts';
import { DatasetRef } from './dataset.ts';
import { perRequestLoader } from './per-request.ts';

const INDEX_STATES = ['QUEUED', 'RUNNING', 'COMPLETE', 'FAILED'] as const;
type IndexState = (typeof INDEX_STATES)[number];

const IndexStateRef = builder.enumType('IndexState', {
  description: 'Where an indexing run is.',
  values: {
    QUEUED: { description: 'Waiting to start.' },
    RUNNING: { description: 'Indexing.' },
    COMPLETE: { description: 'Done: the data is queryable.' },
    FAILED: { description: 'Failed.' },
  },
});

interface IndexStatus extends IndexStatusResult {
  datasetId: string;
}

const IndexStatusRef = builder.objectRef<IndexStatus>('IndexStatus').implement({
  description: 'Progress of an indexing run.',
  fields: (t) => ({
    datasetId: t.id({ description: 'Domo id of the dataset.', resolve: (s) => s.datasetId }),
    indexId: t.id({ description: 'Id of the indexing run.', resolve: (s) => s.indexId }),
    status: t.field({
      type: IndexStateRef,
      nullable: true,
      description: 'State; null when Domo sends one outside IndexState (see statusName).',
      resolve: (s) =>
        (INDEX_STATES as readonly string[]).includes(s.status ?? '') ? (s.status as IndexState) : null,
    }),
    statusName: t.string({
      nullable: true,
      description: 'The state exactly as Domo sends it.',
      resolve: (s) => s.status,
    }),
    dataIds: t.stringList({
      description: 'Data versions being indexed (empty: all).',
      resolve: (s) => s.dataIds,
    }),
    raw: t.field({
      type: 'JSON',
      nullable: true,
      description: "Domo's answer as sent (the API doc does not show its shape).",
      resolve: (s) => s.raw ?? null,
    }),
  }),
});

/** Index status per (dataset, index), once per request. */
const indexStatusLoader = perRequestLoader((ctx, key) => {
  const [id, indexId] = key.split('|') as [string, string];
  return ctx.domo.datasets.indexStatus(id, indexId);
});

builder.objectField(DatasetRef, 'indexStatus', (t) =>
  t.field({
    type: IndexStatusRef,
    description: 'Progress of an indexing run started by indexDataset or indexDataVersions.',
    args: { indexId: t.arg.id({ required: true, description: 'The indexId those mutations answered.' }) },
    resolve: async (d, args, ctx) => {
      const indexId = String(args.indexId).trim();
      if (indexId === '' || indexId.includes('|'))
        throw badUserInput('indexId must be an index id', 'indexId');
      return { ...(await indexStatusLoader(ctx).load(`${d.id}|${indexId}`)), datasetId: d.id };
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

const datasetArg = { required: true, description: 'Domo dataset id.' } as const;

builder.mutationFields((t) => ({
  indexDataset: t.field({
    type: IndexPayloadRef,
    description: 'Indexes a dataset so it can be queried (POST /api/query/v1/datasources/:id).',
    args: { datasetId: t.arg.id(datasetArg) },
    resolve: async (_, args, ctx) => {
      const datasetId = assertDatasetId(String(args.datasetId), 'datasetId');
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
      datasetId: t.arg.id(datasetArg),
      dataIds: t.arg.idList({ defaultValue: [], description: 'Data version ids (default: all eligible).' }),
    },
    resolve: async (_, args, ctx) => {
      const datasetId = assertDatasetId(String(args.datasetId), 'datasetId');
      const dataIds = (args.dataIds ?? []).map((raw, i) => {
        const id = String(raw).trim();
        if (id === '') throw badUserInput(`dataIds[${i}] must not be empty`, `dataIds[${i}]`);
        return id;
      });
      if (new Set(dataIds).size !== dataIds.length)
        throw badUserInput('dataIds must not repeat an id', 'dataIds');
      const result = await ctx.domo.datasets.indexVersions(datasetId, { dataIds });
      // Indexing may change what the metadata reports; the payload's dataset is re-read.
      DatasetRef.getDataloader(ctx).clear(datasetId);
      return { ...result, datasetId };
    },
  }),
}));
