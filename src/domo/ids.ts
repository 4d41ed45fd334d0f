/** Domo ids the gateway checks before any upstream call. */

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Domo dataset ids are UUIDs (the API doc's `dataSourceId: String (UUID)`). */
export function isDatasetId(id: string): boolean {
  return UUID.test(id);
}

/** Why `id` is not a dataset id, naming the argument it came in. */
export function datasetIdMessage(field: string, id: string): string {
  return `${field} must be a Domo dataset id (a UUID), got "${id.slice(0, 64)}"`;
}
