/**
 * What a field built at run time (the typed roots of pinned datasets, src/graph/types/rows) tells
 * the rules that run before execution, which know the static schema's fields by name: the dataset it
 * reads (the scope plugin's dataset allow-list, src/auth/plan.ts) and its upstream cost (the call
 * estimate, src/graph/cost.ts). Carried as GraphQL field extensions, read duck-typed.
 */
import type { FieldCost } from './cost.ts';

export interface DomoFieldExtensions {
  /** The dataset every call of this field reads. */
  domoDatasetId?: string;
  /** Its upstream calls, as FIELD_COSTS declares them for static fields. */
  domoCost?: FieldCost;
}

/**
 * A row field's calls: the dataset's schema (shared with `columns`) and the page; `totalCount`
 * adds its COUNT (COUNT_COST) only when it is asked.
 */
export const ROWS_FIELD_COST: FieldCost = { calls: 2 };

/** A connection's `totalCount` that runs a COUNT statement of its own. */
export const COUNT_COST: FieldCost = { calls: 1 };

export function rootFieldExtensions(
  datasetId: string,
  cost: FieldCost,
): DomoFieldExtensions & Record<string, unknown> {
  return { domoDatasetId: datasetId, domoCost: cost };
}

/** The extensions of a field definition from any graphql build (no class identity: see limits.ts). */
export function domoExtensions(field: unknown): DomoFieldExtensions {
  const extensions = (field as { extensions?: unknown } | undefined)?.extensions;
  return extensions && typeof extensions === 'object' ? (extensions as DomoFieldExtensions) : {};
}
