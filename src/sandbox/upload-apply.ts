/**
 * The commit of a sandbox upload (routes/uploads.ts): its parts applied in one DuckDB transaction,
 * by mode (APPEND, REPLACE, UPSERT, DELETE) and into the tag's partition when it has one.
 */
import type { DuckDBConnection } from '@duckdb/node-api';
import { badRequest } from './errors.ts';
import { duckType, quoteIdent, type SandboxStore, tableName } from './store.ts';
import { inTransaction, partitionsOf, partitionTableName, removePartitionRows } from './versions.ts';

export type Mode = 'APPEND' | 'REPLACE' | 'UPSERT' | 'DELETE';

/** The dataset property naming the key columns of UPSERT and DELETE (src/sandbox/README.md). */
export const KEY_PROPERTY = 'upsertKey';

export function keyColumnsOf(store: SandboxStore, datasetId: string): string[] {
  const value = store.dataset(datasetId).properties?.[KEY_PROPERTY];
  return Array.isArray(value) ? value.map(String) : [];
}

function sqlString(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/** Applies the parts in one transaction; answers the number of rows the files held. */
export async function applyUpload(
  store: SandboxStore,
  datasetId: string,
  files: string[],
  mode: Mode,
  tag: string | null,
): Promise<number> {
  const schema = store.schema(datasetId).columns;
  const main = tableName(datasetId);
  const keys = keyColumnsOf(store, datasetId);
  if (mode === 'UPSERT' && keys.length === 0) {
    throw badRequest(`DataSource ${datasetId} has no key columns (property ${KEY_PROPERTY}) for an upsert`);
  }
  const partitions = partitionsOf(store, datasetId);
  return inTransaction(store, async (conn) => {
    let columns = schema;
    if (mode === 'DELETE') {
      const width = keys.length || (await fieldCount(conn, files[0]!));
      const names = keys.length ? keys : schema.slice(0, width).map((c) => c.name);
      columns = names.map((name) => {
        const column = schema.find((c) => c.name === name);
        if (!column) throw badRequest(`key column ${name} is not in the schema`);
        return column;
      });
    }
    const spec = columns.map((_c, i) => `${sqlString(`c${i}`)}: 'VARCHAR'`).join(', ');
    const list = files.map(sqlString).join(', ');
    const casts = columns
      .map((c, i) => `CAST(c${i} AS ${duckType(String(c.type))}) AS ${quoteIdent(c.name)}`)
      .join(', ');
    // DELETE files may carry a header row (the doc says it is optional): a row equal to the names.
    const headerFilter =
      mode === 'DELETE'
        ? `WHERE NOT (${columns.map((c, i) => `coalesce(c${i}, '') = ${sqlString(c.name)}`).join(' AND ')})`
        : '';
    try {
      await conn.run(
        `CREATE OR REPLACE TEMP TABLE _stage AS SELECT ${casts} FROM read_csv([${list}], header=false, delim=',', quote='"', escape='"', columns={${spec}}, auto_detect=false, strict_mode=true) ${headerFilter}`,
      );
    } catch (error) {
      throw badRequest(`the uploaded CSV could not be applied: ${(error as Error).message.split('\n')[0]}`);
    }
    const rows = Number((await conn.runAndReadAll('SELECT count(*) FROM _stage')).getRows()[0]?.[0] ?? 0);
    const matchKeys = (target: string, names: string[]) =>
      `EXISTS (SELECT 1 FROM _stage s WHERE ${names
        .map((n) => `s.${quoteIdent(n)} IS NOT DISTINCT FROM ${target}.${quoteIdent(n)}`)
        .join(' AND ')})`;
    const deleteMatching = async (names: string[]) => {
      await conn.run(`DELETE FROM ${main} WHERE ${matchKeys(main, names)}`);
      for (const p of partitions) {
        if (p.status === 'DELETED') continue;
        await conn.run(`DELETE FROM ${quoteIdent(p.table)} WHERE ${matchKeys(quoteIdent(p.table), names)}`);
      }
    };
    if (mode === 'DELETE') {
      await deleteMatching(columns.map((c) => c.name));
    } else if (mode === 'UPSERT') {
      await deleteMatching(keys);
      await conn.run(`INSERT INTO ${main} SELECT * FROM _stage`);
    } else if (tag) {
      const part = quoteIdent(partitionTableName(datasetId, tag));
      const existing = partitions.find((p) => p.partitionId === tag);
      if (mode === 'REPLACE' && existing) await removePartitionRows(conn, datasetId, existing);
      await conn.run(`CREATE TABLE IF NOT EXISTS ${part} AS SELECT * FROM ${main} LIMIT 0`);
      await conn.run(`INSERT INTO ${part} SELECT * FROM _stage`);
      await conn.run(`INSERT INTO ${main} SELECT * FROM _stage`);
    } else {
      if (mode === 'REPLACE') {
        await conn.run(`DELETE FROM ${main}`);
        for (const p of partitions) await conn.run(`DROP TABLE IF EXISTS ${quoteIdent(p.table)}`);
      }
      await conn.run(`INSERT INTO ${main} SELECT * FROM _stage`);
    }
    await conn.run('DROP TABLE _stage');
    return rows;
  });
}

async function fieldCount(conn: DuckDBConnection, file: string): Promise<number> {
  const reader = await conn.runAndReadAll(
    `SELECT * FROM read_csv(${sqlString(file)}, header=false, all_varchar=true, delim=',', quote='"', escape='"') LIMIT 0`,
  );
  return reader.columnNames().length;
}
