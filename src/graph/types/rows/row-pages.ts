/**
 * `Dataset.rowPages`: every row a `where` matches, in pages, for `@stream`. Row queries page
 * upstream with LIMIT/OFFSET, so each page is one statement of its own, sent only when the client
 * has taken the pages before it (src/graph/stream-flow.ts): memory holds a page or two, however many
 * rows match. The statements count as one call against the budget (DomoClient.asOneCall).
 */
import type { OrderItem } from '../../../rows/compile.ts';
import { compileRows } from '../../../rows/compile.ts';
import { namedFilter } from '../../../rows/filter.ts';
import { builder } from '../../builder.ts';
import { streamed } from '../../stream-flow.ts';
import { DatasetRef } from '../dataset.ts';
import { PAGE_SIZE_DESCRIPTION, pagesBounds, type RowPage, RowPageRef } from '../row-page.ts';
import { RowClockRef, RowFilterRef, RowOrderRef } from './inputs.ts';
import { type ClockArg, clockOf, refusing, rowColumns, typedRows } from './run.ts';

builder.objectField(DatasetRef, 'rowPages', (t) =>
  t.field({
    type: [RowPageRef],
    description:
      'Every row `where` matches, in `orderBy` order, in pages of `size` rows, values typed as in `rows`: one SQL statement per page (LIMIT/OFFSET), each sent once the client has taken the pages before it. Ask with `@stream`: up to MAX_STREAM_ROWS rows, a page or two in memory (without @stream, MAX_QUERY_ROWS). Without orderBy the rows are ordered by every column, so pages neither overlap nor skip.',
    args: {
      where: t.arg({ type: RowFilterRef, description: 'Which rows: conditions on columns by name.' }),
      orderBy: t.arg({ type: [RowOrderRef], description: 'Sort keys, in order (default: every column).' }),
      clock: t.arg({ type: RowClockRef, description: 'The now and time zone relative date ranges use.' }),
      size: t.arg.int({ description: PAGE_SIZE_DESCRIPTION }),
    },
    resolve: async (d, args, ctx, info) => {
      const { pageSize, maxRows } = pagesBounds(ctx, info, args.size);
      const columns = await rowColumns(ctx, d.id);
      const clock = clockOf(args.clock as ClockArg | null, ctx);
      const where = refusing(() => namedFilter((args.where as Record<string, unknown> | null) ?? undefined));
      const given = (args.orderBy ?? []) as ReadonlyArray<Omit<OrderItem, 'path'>>;
      // LIMIT/OFFSET pages need a total order: the compiler adds every other column after the keys.
      const orderBy: OrderItem[] = given.length
        ? given.map((o, i) => ({ ...o, path: `orderBy[${i}].column` }))
        : columns.slice(0, 1).map((c) => ({ column: c.name }));
      const statement = (offset: number, limit: number) =>
        refusing(() => compileRows({ columns, where, orderBy, page: { limit, offset }, clock }));
      // Refused input is refused now, before any page is sent.
      statement(0, pageSize);
      const domo = ctx.domo.asOneCall();
      const names = columns.map((c) => c.name);
      let offset = 0;
      let finished = false;
      const source: AsyncIterator<RowPage> = {
        async next() {
          if (finished) return { value: undefined, done: true };
          const limit = Math.min(pageSize, maxRows - offset);
          const { sql, columns: read } = statement(offset, limit);
          const result = await domo.query.execute(d.id, sql, { maxRows: limit + 1 });
          const rows = typedRows(result, read).map((row) => names.map((n) => row[n] ?? null));
          const more = rows.length > limit;
          const page = rows.slice(0, limit);
          const value: RowPage = { offset, columns: names, rows: page, truncated: false };
          offset += page.length;
          if (!more || offset >= maxRows) {
            finished = true;
            value.truncated = more;
          }
          return { value, done: false };
        },
        async return() {
          finished = true;
          return { value: undefined, done: true };
        },
      };
      return streamed(ctx, info, source);
    },
  }),
);
