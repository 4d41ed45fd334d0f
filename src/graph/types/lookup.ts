/**
 * Batch lookups: `Query.datasetsByIds(ids)`, how a dashboard names many datasets in one operation.
 * It goes through the same dataset loader as `dataset(id)`, `nodes(ids)` and every link to a
 * dataset, so all of them together make one bulk call.
 */
import { builder, MAX_IDS_PER_REQUEST } from '../builder.ts';
import { assertDatasetId, badUserInput } from '../errors.ts';
import { DatasetRef } from './dataset.ts';

/** Checks every id (the error names its position) and bounds the list, before any upstream call. */
export function datasetIdList(ids: readonly (string | number)[], field = 'ids'): string[] {
  if (ids.length > MAX_IDS_PER_REQUEST) {
    throw badUserInput(`${field} must hold at most ${MAX_IDS_PER_REQUEST} ids, got ${ids.length}`, field);
  }
  return ids.map((id, i) => assertDatasetId(String(id), `${field}[${i}]`));
}

builder.queryField('datasetsByIds', (t) =>
  t.field({
    type: [DatasetRef],
    nullable: { list: false, items: true },
    description: `Datasets by Domo id, one entry per id in the order asked (a repeated id repeats its entry; upstream each dataset is fetched once), null with a NOT_FOUND error for an id that is unknown or not visible. All of them, and every other dataset the operation names, come from one bulk metadata call. At most ${MAX_IDS_PER_REQUEST} ids.`,
    args: {
      ids: t.arg.idList({ required: true, description: 'Domo dataset ids (UUIDs).' }),
    },
    resolve: (_, args) => datasetIdList(args.ids),
  }),
);
