/** What fields cost in upstream calls, for the estimate of cost.ts: by `Type.field`, else by the type they return. */
import { ROWS_FIELD_COST } from './field-extensions.ts';

export interface FieldCost {
  /** Upstream calls the field makes (per parent object, or per batch when `batched`). */
  calls?: number;
  /** A loader batches the field across its parents: `calls` once per level, not per parent. */
  batched?: boolean;
  /** The calls are per item of the list it returns (`nodes(ids)`: one load per id). */
  perItem?: boolean;
  /** Most items of a list Domo does not page (default MAX_PAGE_SIZE). */
  items?: number;
}

/** Links to these types load them: fields not in FIELD_COSTS that return one cost this. */
export const TYPE_COSTS: Record<string, FieldCost> = {
  Dataset: { calls: 1, batched: true },
  Stream: { calls: 1 },
  User: { calls: 1 },
  DataVersion: { calls: 1 },
  Partition: { calls: 1 },
  Node: { calls: 1 },
};

/**
 * Items assumed for a list Domo does not page. MAX_PAGE_SIZE (50) would estimate a card list with
 * its owners' users over five datasets at thousands of calls, and refuse what a frontend asks.
 */
export const UNPAGED_LIST_ITEMS = 20;

/** Every Mutation field not listed: the write, and the read most of them make around it. */
export const MUTATION_COST: FieldCost = { calls: 3 };

export const FREE: FieldCost = { calls: 0 };

/** What fields cost, by `Type.field` (the schema's names). Fields not here and not in TYPE_COSTS are free. */
export const FIELD_COSTS: Record<string, FieldCost> = {
  'Query.datasets': { calls: 1 },
  'Query.searchDatasets': { calls: 1 },
  'Query.sql': { calls: 1 },
  // Datasets in one bulk call, streams and users one GET each: the dearer kind, per id.
  'Query.nodes': { calls: 1, perItem: true },
  'Dataset.access': { calls: 1 },
  'Dataset.cards': { calls: 1 },
  'Dataset.columns': { calls: 1 },
  'Dataset.schema': { calls: 1 },
  'Dataset.query': { calls: 1 },
  // Row fields: the schema read and the page; their totalCount adds a COUNT (src/graph/types/rows).
  'Dataset.rows': ROWS_FIELD_COST,
  'Dataset.aggregate': ROWS_FIELD_COST,
  // The schema read, and its page statements counted as one (src/graph/types/rows/row-pages.ts).
  'Dataset.rowPages': ROWS_FIELD_COST,
  'Dataset.distinct': { calls: 2 },
  'Dataset.indexStatus': { calls: 1 },
  'Dataset.dataVersions': { calls: 1 },
  'Dataset.partitionTags': { calls: 1 },
  'Dataset.partitions': { calls: 1 },
  'Dataset.magicDataVersions': { calls: 1 },
  // Its own streamed query: one call however many pages (the stream holds it; src/graph/types/row-page.ts).
  'QueryResult.pages': { calls: 1 },
  // Column types of a result come from the dataset's schema: one read per result.
  'QueryResult.columns': { calls: 1 },
  'Stream.executions': { calls: 1 },
  // Embedded in the stream payload.
  'Stream.dataSource': FREE,
  'CreateStreamPayload.stream': FREE,
  'UpdateStreamPayload.stream': FREE,
  'ExecuteStreamPayload.stream': FREE,
  'AccessPayload.access': { calls: 1 },
  // A card has one owner, rarely two.
  'Card.owners': { items: 2 },
  // The pipeline counts as one call (src/domo/call.ts asOne), plus the schema read that checks the CSV.
  'Mutation.uploadDatasetCsv': { calls: 2 },
};
