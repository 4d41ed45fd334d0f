/** `POST /api/query/v1/execute/:id`: Domo SQL run by DuckDB on the dataset's table. */
import type { DomoQueryColumnsResult } from '../../domo/types.ts';
import { badRequest } from '../errors.ts';
import type { Router } from '../router.ts';
import { toDuckDbSql } from '../sql.ts';
import { domoTypeOf, type SandboxStore, tableName } from '../store.ts';

export interface QueryRouteOptions {
  /** 'objects': the API doc's list of row objects; 'columns': the shape real instances send. */
  shape: 'objects' | 'columns';
  /** Milliseconds a query may run before the engine is interrupted (answer 408). */
  timeoutMs: number;
}

/** JSON values as Domo sends them: numbers for LONG and DECIMAL, ISO-like text for dates. */
function converter(duckType: string): (value: unknown) => unknown {
  const type = domoTypeOf(duckType);
  if (type === 'LONG' || type === 'DECIMAL') {
    return (value) => {
      if (value === null || typeof value === 'number') return value;
      const n = Number(value);
      return type === 'LONG' && !Number.isSafeInteger(n) ? String(value) : n;
    };
  }
  if (type === 'DATETIME')
    return (value) => (typeof value === 'string' ? value.replace(' ', 'T').replace(/\+00$/, '') : value);
  if (duckType === 'BOOLEAN') return (value) => value;
  return (value) => value;
}

export function queryRoutes(router: Router, store: SandboxStore, options: QueryRouteOptions): void {
  router.post('/api/query/v1/execute/:id', async (req) => {
    const id = req.params.id!;
    store.dataset(id);
    const body = await req.json<{ sql?: unknown }>();
    if (!body || typeof body.sql !== 'string' || body.sql.trim() === '') {
      throw badRequest('the body must carry the SQL statement as {"sql": "..."}');
    }
    const sql = toDuckDbSql(body.sql, tableName(id), (name) => name !== id && store.hasDataset(name));
    const reader = await store.query(sql, {
      table: `ds_${id}`,
      timeoutMs: options.timeoutMs,
      signal: req.signal,
    });
    const columns = reader.columnNames();
    const duckTypes = reader.columnTypes().map((t) => t.toString());
    const convert = duckTypes.map(converter);
    const rows = reader.getRowsJson().map((row) => row.map((value, i) => convert[i]!(value)));
    if (options.shape === 'columns') {
      const result: DomoQueryColumnsResult = {
        datasource: id,
        columns,
        metadata: duckTypes.map((t) => ({ type: domoTypeOf(t), dataSourceId: id, maxLength: -1 })),
        rows,
        numRows: rows.length,
        numColumns: columns.length,
        fromcache: false,
      };
      return { body: result };
    }
    return { body: rows.map((row) => Object.fromEntries(columns.map((c, i) => [c, row[i]]))) };
  });
}
