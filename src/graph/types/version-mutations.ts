/** The mutations deleting a partition's data version (its rows) or its tag. */
import { builder } from '../builder.ts';
import { badUserInput } from '../errors.ts';
import { DATASET_ID_ARG } from './args.ts';
import { DatasetRef, datasetEntry } from './dataset.ts';

interface DeletePayload {
  datasetId: string;
  partitionId: string;
  response: unknown;
}

const DeletePartitionPayload = builder.objectRef<DeletePayload>('DeletePartitionPayload').implement({
  description: 'What a partition delete touched; re-query the dataset for the new state.',
  fields: (t) => ({
    partitionId: t.exposeString('partitionId', { description: 'The partition tag.' }),
    dataset: t.expose('datasetId', { type: DatasetRef, description: 'The dataset, re-read.' }),
    response: t.expose('response', {
      type: 'JSON',
      nullable: true,
      description: "Domo's answer, as sent.",
    }),
  }),
});

function partitionArg(value: string): string {
  if (value.trim() === '' || value.length > 256)
    throw badUserInput('partitionId must be 1 to 256 characters', 'partitionId');
  return value;
}

builder.mutationFields((t) => ({
  deleteDataVersion: t.field({
    type: DeletePartitionPayload,
    description:
      "Marks a partition's data version deleted: its rows leave the dataset; the tag stays listed.",
    args: {
      datasetId: t.arg.id(DATASET_ID_ARG),
      partitionId: t.arg.string({ required: true, description: 'The partition tag.' }),
    },
    resolve: async (_, args, ctx) => {
      const datasetId = datasetEntry(ctx, args.datasetId, 'datasetId');
      const partitionId = partitionArg(args.partitionId);
      const response = await ctx.domo.versions.deleteDataVersion(datasetId, partitionId);
      return { datasetId, partitionId, response };
    },
  }),
  deletePartitionTag: t.field({
    type: DeletePartitionPayload,
    description: 'Removes a partition tag from the dataset (it leaves the partition lists).',
    args: {
      datasetId: t.arg.id(DATASET_ID_ARG),
      partitionId: t.arg.string({ required: true, description: 'The partition tag.' }),
    },
    resolve: async (_, args, ctx) => {
      const datasetId = datasetEntry(ctx, args.datasetId, 'datasetId');
      const partitionId = partitionArg(args.partitionId);
      const response = await ctx.domo.versions.deletePartitionTag(datasetId, partitionId);
      return { datasetId, partitionId, response };
    },
  }),
}));
