/**
 * Seeds for uploads, data versions and partitions: key columns for upsert and delete, one data
 * version per demo dataset (its initial load), and one partition per quarter on Regional Targets.
 * Deterministic: timestamps come from the datasets' own seeded times.
 */
import type { DomoDataSource, DomoDataVersion } from '../domo/types.ts';
import { KEY_PROPERTY } from './routes/uploads.ts';
import { DEMO_DATASETS } from './seed.ts';
import { quoteIdent, type SandboxStore, tableName } from './store.ts';
import {
  PARTITION_KIND,
  partitionKey,
  partitionTableName,
  type StoredPartition,
  VERSION_KIND,
  versionDocId,
  versionsOf,
} from './versions.ts';

// A function, not a constant: seed.ts imports this module, so DEMO_DATASETS is read at call time.
const keys = (): Record<string, string[]> => ({
  [DEMO_DATASETS.sales]: ['transaction_id'],
  [DEMO_DATASETS.customers]: ['customer_id'],
  [DEMO_DATASETS.sessions]: ['session_id'],
  [DEMO_DATASETS.targets]: ['region', 'quarter'],
  [DEMO_DATASETS.staging]: ['id'],
});

const TARGET_QUARTERS = ['2025-Q1', '2025-Q2', '2025-Q3', '2025-Q4'];

export async function seedUploads(store: SandboxStore): Promise<void> {
  for (const [id, keyColumns] of Object.entries(keys())) {
    const dataset = store.getDoc<DomoDataSource>('dataset', id);
    if (!dataset || versionsOf(store, id).length > 0) continue;
    await store.putDoc('dataset', id, {
      ...dataset,
      properties: { ...dataset.properties, [KEY_PROPERTY]: keyColumns },
    });
    const loaded = dataset.lastUpdated ?? 0;
    const rows = dataset.rowCount ?? 0;
    const version = (n: number, rowCount: number, at: number): DomoDataVersion => ({
      dataSourceId: id,
      schemaId: 1,
      dataVersionId: n,
      status: 'SUCCESS',
      statusMessage: null,
      datetimeRecorded: at - 42_000,
      datetimeUploadCompleted: at,
      runDurationSeconds: 42,
      sizeBytes: rowCount * 64,
      rowCount,
    });
    if (id !== DEMO_DATASETS.targets) {
      await store.putDoc(VERSION_KIND, versionDocId(id, 1), version(1, rows, loaded));
      continue;
    }
    // Regional Targets was loaded one partition per quarter, a minute apart.
    for (const [i, quarter] of TARGET_QUARTERS.entries()) {
      const at = loaded + i * 60_000;
      const table = partitionTableName(id, quarter);
      await store.run(
        `CREATE OR REPLACE TABLE ${quoteIdent(table)} AS SELECT * FROM ${tableName(id)} WHERE quarter = '${quarter}'`,
      );
      const count = Number(
        (await store.run(`SELECT count(*) FROM ${quoteIdent(table)}`)).getRows()[0]?.[0] ?? 0,
      );
      await store.putDoc(VERSION_KIND, versionDocId(id, i + 1), version(i + 1, count, at));
      const partition: StoredPartition = {
        partitionId: quarter,
        dataVersionId: i + 1,
        rowCount: count,
        sizeBytes: count * 64,
        dateCompleted: at,
        createdDate: at,
        status: 'ACTIVE',
        dataSourceId: id,
        table,
      };
      await store.putDoc(PARTITION_KIND, partitionKey(id, quarter), partition);
    }
  }
}
