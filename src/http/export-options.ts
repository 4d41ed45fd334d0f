/**
 * The export route's query string: `format=csv|ndjson`, and at most one of `sql=…` or the row-query
 * arguments `where=<JSON>` / `orderBy=<JSON>` (the GraphQL `rows` field's `where` and `orderBy`
 * shapes, compiled by src/rows). Every mistake is a RowsInputError naming the parameter.
 */
import type { OrderItem } from '../rows/compile.ts';
import { RowsInputError } from '../rows/errors.ts';
import { type FilterNode, namedFilter } from '../rows/filter.ts';

export type ExportFormat = 'csv' | 'ndjson';

export type ExportSource =
  | { kind: 'dataset' }
  | { kind: 'sql'; sql: string }
  | { kind: 'rows'; where?: FilterNode; orderBy: OrderItem[] };

export interface ExportOptions {
  format: ExportFormat;
  source: ExportSource;
}

const PARAMS = new Set(['format', 'sql', 'where', 'orderBy']);
/** Longest `sql`, `where` or `orderBy` value read (characters). */
const MAX_PARAM_CHARS = 100_000;

function jsonParam(search: URLSearchParams, name: string): unknown {
  const text = search.get(name);
  if (text === null) return undefined;
  if (text.length > MAX_PARAM_CHARS) throw new RowsInputError(`at most ${MAX_PARAM_CHARS} characters`, name);
  try {
    return JSON.parse(text);
  } catch {
    throw new RowsInputError(`${name} must be JSON (URL-encoded), as the GraphQL ${name} argument`, name);
  }
}

function orderItems(value: unknown): OrderItem[] {
  if (value === undefined || value === null) return [];
  const list = Array.isArray(value) ? value : [value];
  return list.map((item, i) => {
    const path = `orderBy[${i}]`;
    if (!item || typeof item !== 'object' || Array.isArray(item))
      throw new RowsInputError(
        'expected {"column": "…", "direction": "ASC|DESC", "nulls": "FIRST|LAST"}',
        path,
      );
    const { column, direction, nulls, ...rest } = item as Record<string, unknown>;
    const extra = Object.keys(rest)[0];
    if (extra !== undefined) throw new RowsInputError(`unknown field ${extra}`, `${path}.${extra}`);
    if (typeof column !== 'string')
      throw new RowsInputError('column must be a column name', `${path}.column`);
    if (direction !== undefined && direction !== null && direction !== 'ASC' && direction !== 'DESC')
      throw new RowsInputError('direction must be ASC or DESC', `${path}.direction`);
    if (nulls !== undefined && nulls !== null && nulls !== 'FIRST' && nulls !== 'LAST')
      throw new RowsInputError('nulls must be FIRST or LAST', `${path}.nulls`);
    return {
      column,
      direction: (direction as OrderItem['direction']) ?? 'ASC',
      nulls: nulls as OrderItem['nulls'],
      path: `${path}.column`,
    };
  });
}

export function exportOptions(search: URLSearchParams): ExportOptions {
  for (const name of search.keys()) {
    if (!PARAMS.has(name))
      throw new RowsInputError(`unknown parameter; the export takes ${[...PARAMS].join(', ')}`, name);
  }
  for (const name of PARAMS) {
    if (search.getAll(name).length > 1) throw new RowsInputError('given more than once', name);
  }
  const format = search.get('format') ?? 'csv';
  if (format !== 'csv' && format !== 'ndjson')
    throw new RowsInputError(`format must be csv or ndjson, got "${format.slice(0, 40)}"`, 'format');
  const sql = search.get('sql');
  const rowQuery = search.has('where') || search.has('orderBy');
  if (sql !== null) {
    if (rowQuery)
      throw new RowsInputError(
        'give either sql or where/orderBy, not both (where and orderBy build the SQL)',
        'sql',
      );
    if (sql.trim() === '') throw new RowsInputError('sql is empty', 'sql');
    if (sql.length > MAX_PARAM_CHARS)
      throw new RowsInputError(`at most ${MAX_PARAM_CHARS} characters`, 'sql');
    return { format, source: { kind: 'sql', sql } };
  }
  if (!rowQuery) return { format, source: { kind: 'dataset' } };
  const where = jsonParam(search, 'where');
  if (where !== undefined && where !== null && (typeof where !== 'object' || Array.isArray(where)))
    throw new RowsInputError('where must be a JSON object, as the GraphQL where argument', 'where');
  return {
    format,
    source: {
      kind: 'rows',
      where: namedFilter((where as Record<string, unknown> | null) ?? undefined),
      orderBy: orderItems(jsonParam(search, 'orderBy')),
    },
  };
}
