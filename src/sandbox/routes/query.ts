/**
 * `POST /api/query/v1/execute/:id`: Domo SQL run by DuckDB on the dataset's table. The answer is
 * streamed: each chunk DuckDB produces (about 2,048 rows) is written while DuckDB makes the next
 * (one chunk ahead, no more), so a million-row answer is never held whole. DuckDB writes the rows' JSON itself (json-rows.ts) when
 * every column's type allows; otherwise each chunk is turned into JSON here, column by column.
 */
import {
  type DuckDBDataChunk,
  type DuckDBType,
  DuckDBTypeId,
  JsonDuckDBValueConverter,
} from '@duckdb/node-api';
import { badRequest } from '../errors.ts';
import { chunkRowBytes, objectLayout, rowJsonSelect } from '../json-rows.ts';
import type { QueryStream } from '../query-exec.ts';
import type { Router } from '../router.ts';
import { toDuckDbSql } from '../sql.ts';
import { domoTypeOf, type SandboxStore, tableName } from '../store.ts';

export interface QueryRouteOptions {
  /** 'objects': the API doc's list of row objects; 'columns': the shape real instances send. */
  shape: 'objects' | 'columns';
  /** Milliseconds a query may run before the engine is interrupted (answer 408). */
  timeoutMs: number;
  /** false: always encode rows here, never in DuckDB (tests compare the two encoders). */
  engineJson?: boolean;
}

/** JSON text of one raw DuckDB value (number, bigint, string, DuckDB*Value), null included. */
type Serializer = (value: unknown) => string;

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * A serializer per column type, giving the JSON the sandbox has always sent (what
 * JsonDuckDBValueConverter yields, then Domo's rules: numbers for LONG and DECIMAL, a LONG beyond
 * 2^53 as exact text, DATETIME as `YYYY-MM-DDTHH:MM:SS`). The common types are written straight from
 * DuckDB's raw values, which skips building a converted copy of every chunk.
 */
function serializer(type: DuckDBType): Serializer {
  const domo = domoTypeOf(type.toString());
  const nullable =
    (write: (value: never) => string): Serializer =>
    (value) =>
      value === null ? 'null' : write(value as never);
  switch (type.typeId) {
    case DuckDBTypeId.BOOLEAN:
    case DuckDBTypeId.TINYINT:
    case DuckDBTypeId.SMALLINT:
    case DuckDBTypeId.INTEGER:
    case DuckDBTypeId.UTINYINT:
    case DuckDBTypeId.USMALLINT:
    case DuckDBTypeId.UINTEGER:
      return nullable((v: number | boolean) => String(v));
    case DuckDBTypeId.BIGINT:
    case DuckDBTypeId.UBIGINT:
    case DuckDBTypeId.HUGEINT:
    case DuckDBTypeId.UHUGEINT:
      return nullable((v: bigint) => (v <= MAX_SAFE && v >= -MAX_SAFE ? v.toString() : `"${v}"`));
    case DuckDBTypeId.FLOAT:
    case DuckDBTypeId.DOUBLE:
      // NaN and the infinities have no JSON number: the converter sends them as text.
      return nullable((v: number) => (Number.isFinite(v) ? String(v) : `"${v}"`));
    case DuckDBTypeId.VARCHAR:
      return nullable((v: string) => JSON.stringify(v));
    case DuckDBTypeId.DATE:
      return nullable((v: object) => JSON.stringify(String(v)));
    case DuckDBTypeId.DECIMAL:
      return nullable((v: object) => JSON.stringify(Number(String(v))));
  }
  const domoValue = converter(domo);
  return (value) =>
    JSON.stringify(domoValue(JsonDuckDBValueConverter(value as never, type, JsonDuckDBValueConverter)));
}

/** Domo's rules over a JsonDuckDBValueConverter value (the types without a fast path). */
function converter(type: string): (value: unknown) => unknown {
  if (type === 'LONG' || type === 'DECIMAL') {
    return (value) => {
      if (value === null || typeof value === 'number') return value;
      const n = Number(value);
      return type === 'LONG' && !Number.isSafeInteger(n) ? String(value) : n;
    };
  }
  if (type === 'DATETIME')
    return (value) => (typeof value === 'string' ? value.replace(' ', 'T').replace(/\+00$/, '') : value);
  return (value) => value;
}

/** Each column's values of a chunk as JSON text, in the chunk's row order. */
function columnTexts(chunk: DuckDBDataChunk, serializers: Serializer[]): string[][] {
  return serializers.map((serialize, i) => {
    const values = chunk.getColumnValues(i);
    const texts = new Array<string>(values.length);
    for (let r = 0; r < values.length; r++) texts[r] = serialize(values[r]);
    return texts;
  });
}

function chunkText(
  chunk: DuckDBDataChunk,
  serializers: Serializer[],
  shape: 'objects' | 'columns',
  layout: Array<{ prefix: string; column: number }>,
): string {
  const texts = columnTexts(chunk, serializers);
  const rows = new Array<string>(chunk.rowCount);
  for (let r = 0; r < rows.length; r++) {
    let row = '';
    if (shape === 'objects') {
      for (const { prefix, column } of layout) row += prefix + texts[column]![r];
      rows[r] = layout.length ? `${row}}` : '{}';
    } else {
      for (let c = 0; c < texts.length; c++) row += (c ? ',' : '[') + texts[c]![r];
      rows[r] = texts.length ? `${row}]` : '[]';
    }
  }
  return rows.join(',');
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
    const query: QueryStream = await store.query(sql, {
      table: `ds_${id}`,
      timeoutMs: options.timeoutMs,
      signal: req.signal,
      project:
        options.engineJson === false
          ? undefined
          : (names, types) => rowJsonSelect(names, types, options.shape),
    });
    let first: DuckDBDataChunk | null;
    try {
      // Fetched before the status is sent: a query that fails or is stopped early (an aggregate
      // past its deadline, say) still gets its own status and Domo's error body.
      first = await query.next();
    } catch (error) {
      query.close();
      throw error;
    }
    const columns = query.columnNames;
    const duckTypes = query.columnTypes.map((t) => t.toString());
    const serializers = query.columnTypes.map(serializer);
    const layout = objectLayout(columns);
    const shape = options.shape;
    return {
      stream: async (write) => {
        /** The chunk being fetched, waited for before close(): never close under a running fetch. */
        let pending: Promise<unknown> | undefined;
        try {
          if (shape === 'columns') {
            const metadata = duckTypes.map((t) => ({ type: domoTypeOf(t), dataSourceId: id, maxLength: -1 }));
            await write(
              `{"datasource":${JSON.stringify(id)},"columns":${JSON.stringify(columns)},` +
                `"metadata":${JSON.stringify(metadata)},"rows":[`,
            );
          } else {
            await write('[');
          }
          let numRows = 0;
          for (let chunk = first; chunk; ) {
            // DuckDB makes the next chunk (on its own threads) while this one is written.
            const next = query.next();
            // Awaited below or in finally, so a failed write cannot leave it unhandled.
            pending = next.catch(() => {});
            if (query.projected) {
              // Every row's text starts with its comma; the answer's first row goes without.
              const bytes = chunkRowBytes(chunk);
              await write(numRows ? bytes : bytes.subarray(1));
            } else {
              await write((numRows ? ',' : '') + chunkText(chunk, serializers, shape, layout));
            }
            numRows += chunk.rowCount;
            chunk = await next;
          }
          // numRows is known only at the end; JSON key order carries no meaning.
          await write(
            shape === 'columns'
              ? `],"numRows":${numRows},"numColumns":${columns.length},"fromcache":false}`
              : ']',
          );
        } finally {
          await pending;
          query.close();
        }
      },
    };
  });
}
