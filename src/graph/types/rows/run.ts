/**
 * What every row field shares, generic or typed: the dataset's columns (one schema call per request,
 * shared with `Dataset.columns`), statements run once per request per distinct SQL (aliases and
 * fragments asking the same page make one upstream call), the clock, paging and error mapping.
 */
import { cursorToOffset, offsetToCursor } from '@pothos/plugin-relay';
import type { QueryResult } from '../../../domo/query.ts';
import { type AggregateStatement, grainKeyToDate } from '../../../rows/compile.ts';
import { type Clock, checkTimeZone } from '../../../rows/dates.ts';
import { RowsInputError } from '../../../rows/errors.ts';
import { COLUMN_TYPES, type ColumnType, outputValue, type RowColumn } from '../../../rows/values.ts';
import type { GraphContext } from '../../context.ts';
import { badUserInput } from '../../errors.ts';
import { datasetColumns } from '../dataset.ts';
import { perRequestLoader } from '../per-request.ts';

/** Columns the compiler may name: the visible ones, with a type it knows. */
export async function rowColumns(ctx: GraphContext, datasetId: string): Promise<RowColumn[]> {
  const schema = await datasetColumns(ctx, datasetId, false);
  return schema
    .filter((c) => (COLUMN_TYPES as readonly string[]).includes(c.type))
    .map((c) => ({ name: c.name, type: c.type as ColumnType }));
}

/**
 * One upstream call per distinct (dataset, SQL) in a request. Every statement the compiler emits has
 * its own LIMIT; the row cap still bounds an upstream that answers more (the answer is streamed and
 * aborted past it, src/domo/json-stream.ts).
 */
const statementLoader = perRequestLoader(
  async (ctx, key: { datasetId: string; sql: string }): Promise<QueryResult> =>
    ctx.domo.query.execute(key.datasetId, key.sql, {
      maxRows: Math.max(ctx.settings.maxQueryRows, (ctx.settings.rows?.maxPageSize ?? 1000) + 1),
    }),
  (key) => `${key.datasetId}\n${key.sql}`,
);

export function runStatement(ctx: GraphContext, datasetId: string, sql: string): Promise<QueryResult> {
  return statementLoader(ctx).load({ datasetId, sql });
}

/** Reads a result's rows as objects keyed by the statement's column aliases. */
export function resultRows(result: QueryResult): Array<Record<string, unknown>> {
  return result.rows.map((row) => Object.fromEntries(result.columns.map((c, i) => [c, row[i] ?? null])));
}

export interface ClockArg {
  now?: Date | null;
  timeZone?: string | null;
}

export function clockOf(arg: ClockArg | null | undefined, ctx: GraphContext): Clock {
  const timeZone = arg?.timeZone ?? ctx.settings.rows?.timeZone ?? 'UTC';
  return {
    now: arg?.now ? arg.now.getTime() : Date.now(),
    timeZone: checkTimeZone(timeZone, 'clock.timeZone'),
  };
}

export const DEFAULT_ROWS_PAGE = 100;

export function rowsPage(
  args: { first?: number | null; after?: string | null },
  ctx: GraphContext,
): { limit: number; offset: number } {
  const max = ctx.settings.rows?.maxPageSize ?? 1000;
  const first = args.first ?? Math.min(DEFAULT_ROWS_PAGE, max);
  if (!Number.isInteger(first) || first < 0 || first > max)
    throw badUserInput(`first must be a whole number from 0 to ${max} (ROWS_MAX_PAGE_SIZE)`, 'first');
  let offset = 0;
  if (args.after) {
    try {
      offset = cursorToOffset(args.after) + 1;
    } catch {
      offset = Number.NaN;
    }
    if (!Number.isSafeInteger(offset) || offset < 1)
      throw badUserInput('after is not a cursor from this connection', 'after');
  }
  return { limit: first, offset };
}

/** Runs `fn`, turning the compiler's refusals into BAD_USER_INPUT naming the argument path. */
export function refusing<T>(fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    if (error instanceof RowsInputError) throw badUserInput(error.message, error.path);
    throw error;
  }
}

export interface Connection<T> {
  edges: Array<{ cursor: string; node: T }>;
  pageInfo: {
    hasNextPage: boolean;
    hasPreviousPage: boolean;
    startCursor: string | null;
    endCursor: string | null;
  };
  /** Resolves the number of matches in all with its own statement, only when asked. */
  totalCount?: () => Promise<number>;
}

/** A connection from a page fetched with one extra row (the extra row says a next page exists). */
export function connectionOf<T>(items: T[], page: { limit: number; offset: number }): Connection<T> {
  const slice = items.slice(0, page.limit);
  return {
    edges: slice.map((node, i) => ({ cursor: offsetToCursor(page.offset + i), node })),
    pageInfo: {
      hasNextPage: items.length > page.limit,
      hasPreviousPage: page.offset > 0,
      startCursor: slice.length ? offsetToCursor(page.offset) : null,
      endCursor: slice.length ? offsetToCursor(page.offset + slice.length - 1) : null,
    },
  };
}

/** Typed rows from a rows statement's result. */
export function typedRows(
  result: QueryResult,
  columns: readonly RowColumn[],
): Array<Record<string, unknown>> {
  const index = new Map(result.columns.map((c, i) => [c, i]));
  return result.rows.map((row) =>
    Object.fromEntries(
      columns.map((c) => {
        const i = index.get(c.name);
        return [c.name, i === undefined ? null : outputValue(c.type, row[i])];
      }),
    ),
  );
}

export interface Group {
  keys: Record<string, unknown>;
  metrics: unknown[];
}

/** Groups from an aggregate statement's result, keys typed (grain keys as the period's first day). */
export function groupsOf(result: QueryResult, statement: AggregateStatement): Group[] {
  return resultRows(result).map((row) => ({
    keys: Object.fromEntries(
      statement.keys.map((k, i) => [
        k.name,
        k.grain ? grainKeyToDate(k.grain, row[`k${i}`]) : outputValue(k.type, row[`k${i}`]),
      ]),
    ),
    metrics: statement.metrics.map((m, i) => outputValue(m.type, row[`m${i}`])),
  }));
}

/** The count statement's single number. */
export function countOf(result: QueryResult): number {
  const value = result.rows[0]?.[0];
  return Number(value ?? 0);
}
