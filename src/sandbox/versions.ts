/**
 * Data versions and partitions in the sandbox. Every commit records a data version (catalog kind
 * `dataVersion`); a tagged commit also keeps the partition's rows in a table of their own
 * (`ds_<id>__p_<hash>`) beside the dataset's table, so deleting the partition can take exactly
 * those rows out of query results (a multiset difference, EXCEPT ALL).
 */
import { createHash } from 'node:crypto';
import type { DuckDBConnection } from '@duckdb/node-api';
import type { DomoDataVersion, DomoPartition } from '../domo/types.ts';
import { quoteIdent, type SandboxStore, tableName } from './store.ts';

export const VERSION_KIND = 'dataVersion';
export const PARTITION_KIND = 'partition';

/** A partition as the catalog keeps it: Domo's fields plus where its rows live. */
export interface StoredPartition extends DomoPartition {
  dataSourceId: string;
  /** Unquoted name of the table holding the partition's rows. */
  table: string;
}

export function partitionKey(datasetId: string, tag: string): string {
  return `${datasetId}/${tag}`;
}

export function partitionTableName(datasetId: string, tag: string): string {
  return `ds_${datasetId}__p_${createHash('sha1').update(tag).digest('hex').slice(0, 16)}`;
}

export function publicPartition(p: StoredPartition): DomoPartition {
  const { table: _table, dataSourceId: _id, ...rest } = p;
  return rest;
}

export function versionsOf(store: SandboxStore, datasetId: string): DomoDataVersion[] {
  return store
    .listDocs<DomoDataVersion>(VERSION_KIND)
    .filter((v) => v.dataSourceId === datasetId)
    .sort((a, b) => Number(a.dataVersionId) - Number(b.dataVersionId));
}

export function partitionsOf(store: SandboxStore, datasetId: string): StoredPartition[] {
  return store.listDocs<StoredPartition>(PARTITION_KIND).filter((p) => p.dataSourceId === datasetId);
}

const reserved = new WeakMap<SandboxStore, Map<string, number>>();

/** The next data version id of a dataset, reserved at once so concurrent commits never share one. */
export function nextVersionId(store: SandboxStore, datasetId: string): number {
  let byDataset = reserved.get(store);
  if (!byDataset) {
    byDataset = new Map();
    reserved.set(store, byDataset);
  }
  const highest = Math.max(
    0,
    byDataset.get(datasetId) ?? 0,
    ...versionsOf(store, datasetId).map((v) => Number(v.dataVersionId) || 0),
  );
  byDataset.set(datasetId, highest + 1);
  return highest + 1;
}

export function versionDocId(datasetId: string, versionId: number | string): string {
  return `${datasetId}/${versionId}`;
}

/** Takes a partition's rows out of the dataset's table and drops the partition's table. */
export async function removePartitionRows(
  conn: DuckDBConnection,
  datasetId: string,
  partition: StoredPartition,
): Promise<void> {
  const main = tableName(datasetId);
  const part = quoteIdent(partition.table);
  const exists = await conn.runAndReadAll(
    `SELECT count(*) FROM information_schema.tables WHERE table_name = '${partition.table.replaceAll("'", "''")}'`,
  );
  if (Number(exists.getRows()[0]?.[0] ?? 0) === 0) return;
  await conn.run(
    `CREATE OR REPLACE TEMP TABLE _keep AS SELECT * FROM ${main} EXCEPT ALL SELECT * FROM ${part}`,
  );
  await conn.run(`DELETE FROM ${main}`);
  await conn.run(`INSERT INTO ${main} SELECT * FROM _keep`);
  await conn.run('DROP TABLE _keep');
  await conn.run(`DROP TABLE ${part}`);
}

/** Runs work in one transaction on a connection of its own, serialised with the store's writes. */
export async function inTransaction<T>(
  store: SandboxStore,
  work: (conn: DuckDBConnection) => Promise<T>,
): Promise<T> {
  return store.serial(async () => {
    const conn = await store.connect();
    try {
      await conn.run('BEGIN TRANSACTION');
      try {
        const result = await work(conn);
        await conn.run('COMMIT');
        return result;
      } catch (error) {
        await conn.run('ROLLBACK').catch(() => undefined);
        throw error;
      }
    } finally {
      conn.closeSync();
    }
  });
}
