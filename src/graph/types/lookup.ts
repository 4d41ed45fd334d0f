/**
 * Batch lookups: `Query.datasetsByIds(ids)`, how a dashboard names many datasets in one operation.
 * It goes through the same dataset loader as `dataset(id)`, `nodes(ids)` and every link to a
 * dataset, so all of them together make one bulk call.
 */
import { builder, MAX_IDS_PER_REQUEST } from '../builder.ts';
import { datasetIdList } from './args.ts';
import { DatasetRef } from './dataset.ts';

builder.queryField('datasetsByIds', (t) =>
  t.field({
    type: [DatasetRef],
    nullable: { list: false, items: true },
    description: `Datasets by Domo id, one entry per id in the order asked (a repeated id repeats its entry; upstream each dataset is fetched once), null with a NOT_FOUND error for an id that is unknown or not visible. All of them, and every other dataset the operation names, come from one bulk metadata call. At most ${MAX_IDS_PER_REQUEST} ids.`,
    args: {
      ids: t.arg.idList({
        required: true,
        description: 'Domo dataset ids (UUIDs), or the global ids `Dataset.id` returns.',
      }),
    },
    resolve: (_, args, ctx) => datasetIdList(ctx, args.ids),
  }),
);
