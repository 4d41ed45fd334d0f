/**
 * The SQL answer's rows written as JSON text by DuckDB itself: a select list over the checked
 * statement's columns (named c0, c1, … by query-exec.ts) that gives each row's JSON, comma first, as
 * one VARCHAR, so JavaScript only copies bytes. The text means exactly what the JS encoder in
 * routes/query.ts writes (its tests compare the two over every type below); a column of any other
 * type leaves the whole answer to that encoder.
 * Values: LONG as a number, as exact text beyond 2^53; DOUBLE and DECIMAL as numbers (NaN and the
 * infinities as text, -0 as 0); DATE `YYYY-MM-DD`; DATETIME `YYYY-MM-DDTHH:MM:SS[.ffffff]`; text
 * with JSON's escapes; null as null. Where node-api's own formatting (which the JS encoder uses)
 * differs from DuckDB's cast, at the edges (infinite dates, 1 BC), node-api's is reproduced.
 */

import {
  type DuckDBDataChunk,
  type DuckDBDecimalType,
  type DuckDBType,
  DuckDBTypeId,
} from '@duckdb/node-api';
import duckdb from '@duckdb/node-bindings';

/** Where each key of a row object comes from: a repeated name keeps its first place and last value. */
export function objectLayout(columns: string[]): Array<{ prefix: string; column: number }> {
  const last = new Map<string, number>();
  for (const [i, name] of columns.entries()) last.set(name, i);
  const seen = new Set<string>();
  const layout: Array<{ prefix: string; column: number }> = [];
  for (const name of columns) {
    if (seen.has(name)) continue;
    seen.add(name);
    layout.push({ prefix: `${layout.length ? ',' : '{'}${JSON.stringify(name)}:`, column: last.get(name)! });
  }
  return layout;
}

const literal = (text: string) => `'${text.replaceAll("'", "''")}'`;
const MAX_SAFE = '9007199254740991';
const quoted = (text: string) => `'"' || ${text} || '"'`;

/** JSON text of one value of `type` read from `c` (never null: null is 'null'), or null when unknown. */
function valueSql(type: DuckDBType, c: string): string | null {
  const v = ((): string | null => {
    switch (type.typeId) {
      case DuckDBTypeId.BOOLEAN:
      case DuckDBTypeId.TINYINT:
      case DuckDBTypeId.SMALLINT:
      case DuckDBTypeId.INTEGER:
      case DuckDBTypeId.UTINYINT:
      case DuckDBTypeId.USMALLINT:
      case DuckDBTypeId.UINTEGER:
        return `CAST(${c} AS VARCHAR)`;
      case DuckDBTypeId.BIGINT:
      case DuckDBTypeId.HUGEINT:
        return `CASE WHEN ${c} BETWEEN -${MAX_SAFE} AND ${MAX_SAFE} THEN CAST(${c} AS VARCHAR) ELSE ${quoted(`CAST(${c} AS VARCHAR)`)} END`;
      case DuckDBTypeId.UBIGINT:
      case DuckDBTypeId.UHUGEINT:
        return `CASE WHEN ${c} <= ${MAX_SAFE} THEN CAST(${c} AS VARCHAR) ELSE ${quoted(`CAST(${c} AS VARCHAR)`)} END`;
      case DuckDBTypeId.FLOAT:
      case DuckDBTypeId.DOUBLE:
        return doubleSql(`CAST(${c} AS DOUBLE)`);
      case DuckDBTypeId.DECIMAL:
        return decimalSql(type as DuckDBDecimalType, c);
      case DuckDBTypeId.VARCHAR:
        // The cast turns an alias such as JSON back into text, which to_json would otherwise pass through.
        return `CAST(to_json(CAST(${c} AS VARCHAR)) AS VARCHAR)`;
      case DuckDBTypeId.DATE:
        return quoted(dateSql(c, `CAST(${c} AS VARCHAR)`));
      case DuckDBTypeId.TIMESTAMP:
        return quoted(timestampSql(c));
    }
    return null;
  })();
  return v === null ? null : `COALESCE(${v}, 'null')`;
}

/** JS's JSON of a double: shortest round-trip digits, -0 as 0, NaN and the infinities as strings. */
function doubleSql(d: string): string {
  return `CASE WHEN ${d} = 0 THEN '0' WHEN isfinite(${d}) THEN CAST(to_json(${d}) AS VARCHAR)
    WHEN isnan(${d}) THEN '"NaN"' WHEN ${d} > 0 THEN '"Infinity"' WHEN ${d} < 0 THEN '"-Infinity"' END`;
}

/**
 * A DECIMAL as the double its text parses to (what the JS encoder sends). DuckDB's own cast divides
 * the unscaled integer by 10^scale, which is the correctly rounded double only while that integer
 * is exact in a double (below 2^53); beyond, the text is parsed (slower, exact).
 */
function decimalSql(type: DuckDBDecimalType, c: string): string {
  const exact = doubleSql(`CAST(${c} AS DOUBLE)`);
  if (type.width < 16) return exact;
  // 2^53 - 1 at the column's scale (a literal of another scale could overflow the comparison).
  const digits = MAX_SAFE.padStart(type.scale + 1, '0');
  const point = digits.length - type.scale;
  const bound = type.scale ? `${digits.slice(0, point)}.${digits.slice(point)}` : MAX_SAFE;
  const parsed = doubleSql(`CAST(CAST(${c} AS VARCHAR) AS DOUBLE)`);
  return type.scale <= 22 ? `CASE WHEN abs(${c}) <= ${bound} THEN ${exact} ELSE ${parsed} END` : parsed;
}

/**
 * A date as node-api writes it: DuckDB's text but for the infinities (node-api writes the dates at
 * the ends of its range) and 1 BC (node-api writes year 0000 without the suffix).
 */
function dateSql(date: string, text: string): string {
  return `CASE WHEN ${date} BETWEEN DATE '0001-01-01' AND DATE '9999-12-31' THEN ${text}
    WHEN ${date} = DATE 'infinity' THEN '5881580-07-11' WHEN ${date} = DATE '-infinity' THEN '5877642-06-24 (BC)'
    WHEN ${date} BETWEEN DATE '0001-01-01 (BC)' AND DATE '0001-12-31 (BC)' THEN '0000' || substr(${text}, 5, 6)
    ELSE ${text} END`;
}

/**
 * DATETIME: node-api's text (DuckDB's, but 1 BC written as year 0000 without the suffix) with its
 * first space made a `T`, as the JS encoder does: `0044-03-15T(BC) 12:00:00` before Christ.
 */
function timestampSql(c: string): string {
  const text = `CAST(${c} AS VARCHAR)`;
  return `CASE WHEN ${c} BETWEEN TIMESTAMP '0001-01-01' AND TIMESTAMP '9999-12-31 23:59:59.999999' THEN replace(${text}, ' ', 'T')
    WHEN NOT isfinite(${c}) THEN ${text}
    WHEN ${text} LIKE '0001-__-__ (BC) %' THEN '0000' || substr(${text}, 5, 6) || 'T' || substr(${text}, 17)
    ELSE regexp_replace(${text}, ' ', 'T') END`;
}

/**
 * The select list giving each row's JSON text with a leading comma (`,{"a":1}` or `,[1]`), or null
 * when a column's type has no SQL encoding here. Column `i` is read as `c<i>`.
 */
export function rowJsonSelect(
  names: string[],
  types: DuckDBType[],
  shape: 'objects' | 'columns',
): string | null {
  const values = types.map((type, i) => valueSql(type, `c${i}`));
  if (values.length === 0 || values.some((v) => v === null)) return null;
  const parts =
    shape === 'objects'
      ? objectLayout(names).flatMap(({ prefix, column }, i) => [
          literal((i ? '' : ',') + prefix),
          values[column]!,
        ])
      : values.flatMap((value, i) => [literal(i ? ',' : ',['), value!]);
  parts.push(literal(shape === 'objects' ? '}' : ']'));
  return `concat(${parts.join(', ')})`;
}

const POINTER = 8;
const STRING_T = 16;
const INLINED = 12;

/**
 * The bytes of a chunk's first column (VARCHAR, no nulls), one row after another. node-api would
 * copy and decode each value apart; here each run of values lying back to back in DuckDB's string
 * heap is copied in one call (the rows of a chunk usually are), and nothing is decoded.
 */
export function chunkRowBytes(chunk: DuckDBDataChunk): Buffer {
  const rows = chunk.rowCount;
  const vector = duckdb.data_chunk_get_vector(chunk.chunk, 0);
  const data = duckdb.vector_get_data(vector, rows * STRING_T);
  const buffer = data.buffer as ArrayBuffer;
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const parts: Uint8Array[] = [];
  // The run being gathered: the string_t holding its first pointer, its start and end addresses.
  let runAt = -1;
  let runStart = 0;
  let runEnd = 0;
  const flush = () => {
    if (runAt < 0) return;
    parts.push(duckdb.get_data_from_pointer(buffer, data.byteOffset + runAt + POINTER, runEnd - runStart));
    runAt = -1;
  };
  for (let at = 0; at < rows * STRING_T; at += STRING_T) {
    const length = view.getUint32(at, true);
    if (length <= INLINED) {
      flush();
      parts.push(new Uint8Array(buffer, data.byteOffset + at + 4, length));
      continue;
    }
    // User-space addresses are below 2^48, so a double holds them exactly.
    const address = view.getUint32(at + POINTER, true) + view.getUint32(at + POINTER + 4, true) * 2 ** 32;
    if (runAt >= 0 && address === runEnd) {
      runEnd += length;
      continue;
    }
    flush();
    runAt = at;
    runStart = address;
    runEnd = address + length;
  }
  flush();
  return Buffer.concat(parts);
}
