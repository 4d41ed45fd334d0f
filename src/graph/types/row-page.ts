/**
 * Rows in pages, for results too large for one list: `QueryResult.pages` and `Dataset.rowPages`.
 * A page is one item of a `[RowPage!]!` list, so `pages @stream` sends a page per part (not a row
 * per part, whose framing would outweigh the data). Under @stream a field returns up to
 * MAX_STREAM_ROWS rows, read from Domo as the client takes them; without it the list is held whole,
 * so MAX_QUERY_ROWS bounds it as it bounds `rows`.
 */
import type { GraphQLResolveInfo } from 'graphql';
import type { QueryPage } from '../../domo/query-pages.ts';
import { builder } from '../builder.ts';
import type { GraphContext } from '../context.ts';
import { badUserInput } from '../errors.ts';
import { streamDirective } from '../stream-flow.ts';

/** Rows per page when `size` is not given (at most MAX_STREAM_PAGE_SIZE). */
export const DEFAULT_STREAM_PAGE = 1000;
const DEFAULT_MAX_STREAM_ROWS = 1_000_000;
const DEFAULT_MAX_STREAM_PAGE_SIZE = 10_000;

export type RowPage = Pick<QueryPage, 'offset' | 'columns' | 'rows' | 'truncated'>;

export const RowPageRef = builder.objectRef<RowPage>('RowPage').implement({
  description:
    'A page of rows of a large result; ask for the pages with `@stream` to get each as it is read from Domo.',
  fields: (t) => ({
    offset: t.field({ type: 'Long', description: 'Rows before this page.', resolve: (p) => p.offset }),
    columns: t.stringList({
      description:
        "Column names, in the order of each row's values (empty when Domo's answer lists its columns after its rows).",
      resolve: (p) => p.columns,
    }),
    rows: t.field({
      type: ['JSON'],
      description: 'Rows as arrays of values, in column order.',
      resolve: (p) => p.rows,
    }),
    objects: t.field({
      type: ['JSONObject'],
      description: 'Rows as objects keyed by column name.',
      resolve: (p) =>
        p.rows.map((row) => Object.fromEntries(row.map((value, i) => [p.columns[i] ?? String(i), value]))),
    }),
    truncated: t.boolean({
      description:
        'True on the last page when there were more rows than the cap (MAX_STREAM_ROWS under @stream, else MAX_QUERY_ROWS) and the rest were dropped.',
      resolve: (p) => p.truncated,
    }),
  }),
});

/** The `size` argument's description. */
export const PAGE_SIZE_DESCRIPTION = `Rows per page (default ${DEFAULT_STREAM_PAGE}, at most MAX_STREAM_PAGE_SIZE).`;

/** The page size and the cap on rows of a pages field, checked before any upstream call. */
export function pagesBounds(
  ctx: GraphContext,
  info: GraphQLResolveInfo,
  size: number | null | undefined,
): { pageSize: number; maxRows: number } {
  const maxPage = ctx.settings.stream?.maxPageSize ?? DEFAULT_MAX_STREAM_PAGE_SIZE;
  const pageSize = size ?? Math.min(DEFAULT_STREAM_PAGE, maxPage);
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > maxPage)
    throw badUserInput(`size must be a whole number from 1 to ${maxPage} (MAX_STREAM_PAGE_SIZE)`, 'size');
  const maxRows = streamDirective(info)
    ? (ctx.settings.stream?.maxRows ?? DEFAULT_MAX_STREAM_ROWS)
    : ctx.settings.maxQueryRows;
  return { pageSize, maxRows };
}
