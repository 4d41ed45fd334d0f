/**
 * `GET /api/data/v2/datasources/:id/dataversions/latest?includeHeader=true` (`Accept: text/csv`):
 * the whole dataset as CSV, as Domo's export serves it (DOMO-NOTES.md "Export"). DuckDB formats each
 * row as one CSV line (quoting, `\N` for nulls) in SQL, so JS only joins a chunk's lines (about
 * 2,048 at a time) and writes them: no row is converted value by value in JS, no result is held.
 */
import type { DomoSchemaColumn } from '../../domo/types.ts';
import type { Router } from '../router.ts';
import { quoteIdent, type SandboxStore, tableName } from '../store.ts';

/** An export has no query deadline (Domo's 60 s is the SQL endpoint's); a disconnect stops it. */
const EXPORT_TIMEOUT_MS = 24 * 60 * 60 * 1000;

/**
 * One field as CSV text (RFC 4180): a string is quoted when it holds a comma, a quote, CR or LF, or
 * is exactly `\N` (so a quoted `"\N"` is the text and a bare `\N` is null); numbers and dates never
 * need quotes. Null is a bare `\N`, as Domo writes it.
 */
export function csvFieldSql(column: Pick<DomoSchemaColumn, 'name' | 'type'>): string {
  const c = quoteIdent(column.name);
  switch (column.type) {
    case 'STRING': {
      const needs = `${c} = '\\N' OR contains(${c}, ',') OR contains(${c}, '"') OR contains(${c}, chr(10)) OR contains(${c}, chr(13))`;
      return `CASE WHEN ${c} IS NULL THEN '\\N' WHEN ${needs} THEN '"' || replace(${c}, '"', '""') || '"' ELSE ${c} END`;
    }
    // As the SQL answer writes them: `YYYY-MM-DDTHH:MM:SS[.fff]`, a DECIMAL without padding zeros.
    case 'DATETIME':
      return `coalesce(replace(CAST(${c} AS VARCHAR), ' ', 'T'), '\\N')`;
    case 'DECIMAL':
      return `coalesce(CAST(CAST(${c} AS DOUBLE) AS VARCHAR), '\\N')`;
    default:
      return `coalesce(CAST(${c} AS VARCHAR), '\\N')`;
  }
}

/** The header row: every name quoted as a STRING value would be. */
export function csvHeader(columns: ReadonlyArray<Pick<DomoSchemaColumn, 'name'>>): string {
  const field = (name: string) =>
    name === '\\N' || /[",\r\n]/.test(name) ? `"${name.replaceAll('"', '""')}"` : name;
  return `${columns.map((c) => field(c.name)).join(',')}\n`;
}

export function exportRoutes(router: Router, store: SandboxStore): void {
  router.get('/api/data/v2/datasources/:id/dataversions/latest', async (req) => {
    const id = req.params.id!;
    store.dataset(id);
    const columns = store.schema(id).columns;
    const includeHeader = req.query.get('includeHeader') === 'true';
    const headers = {
      'content-type': 'text/csv;charset=UTF-8',
      'content-disposition': `attachment; filename="${id}.csv"`,
    };
    if (columns.length === 0) return { headers, stream: async () => {} };
    const line = `${columns.map(csvFieldSql).join(` || ',' || `)} || chr(10)`;
    const query = await store.query(`SELECT ${line} AS ${quoteIdent('line')} FROM ${tableName(id)}`, {
      table: `ds_${id}`,
      timeoutMs: EXPORT_TIMEOUT_MS,
      signal: req.signal,
    });
    return {
      headers,
      stream: async (write) => {
        try {
          if (includeHeader) await write(csvHeader(columns));
          for (let chunk = await query.next(); chunk; chunk = await query.next()) {
            await write((chunk.getColumnValues(0) as string[]).join(''));
          }
        } finally {
          query.close();
        }
      },
    };
  });
}
