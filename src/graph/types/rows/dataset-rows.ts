/**
 * `Dataset.rows`, `Dataset.aggregate` and `Dataset.distinct`: typed filters, sorting, paging and
 * grouping over any dataset without writing SQL. Columns are named by string (the schema cannot know
 * them) and checked against the dataset's schema at run time; each field compiles to one Domo SQL
 * statement (src/rows), plus a COUNT only when `totalCount` is asked.
 */
import {
  compileAggregate,
  compileCount,
  compileDistinct,
  compileRows,
  type OrderItem,
} from '../../../rows/compile.ts';
import { namedFilter } from '../../../rows/filter.ts';
import { builder } from '../../builder.ts';
import type { GraphContext } from '../../context.ts';
import { DatasetRef } from '../dataset.ts';
import { connectionType } from './connection.ts';
import {
  AggregateOrderRef,
  aggregateOrders,
  DateGrainRef,
  HavingFilterRef,
  havingTree,
  MetricRef,
  metricOf,
  RowClockRef,
  RowDirectionRef,
  RowFilterRef,
  RowOrderRef,
} from './inputs.ts';
import {
  type ClockArg,
  clockOf,
  connectionOf,
  countOf,
  type Group,
  groupsOf,
  refusing,
  rowColumns,
  rowsPage,
  runStatement,
  typedRows,
} from './run.ts';

const RowConnectionRef = connectionType<Record<string, unknown>>('Row', 'JSONObject', 'Row', true);

const metricName = (m: { fn: string; column?: string | null }) =>
  m.column ? `${m.fn === 'COUNT_DISTINCT' ? 'countDistinct' : m.fn.toLowerCase()}_${m.column}` : 'count';

const AggregateGroupRef = builder.objectRef<Group & { names: string[] }>('AggregateGroup').implement({
  description: 'One group of an aggregate: its keys and its metrics.',
  fields: (t) => ({
    keys: t.field({
      type: 'JSONObject',
      description: 'Group keys by column name; a date grain key is the first day of its period (YYYY-MM-DD).',
      resolve: (g) => g.keys,
    }),
    metrics: t.field({
      type: ['JSON'],
      nullable: { list: false, items: true },
      description: 'Metric values in the order of the `metrics` argument.',
      resolve: (g) => g.metrics,
    }),
    values: t.field({
      type: 'JSONObject',
      description:
        'Metric values by name: `count`, `sum_<column>`, `avg_<column>`, `min_…`, `max_…`, `countDistinct_…`.',
      resolve: (g) => Object.fromEntries(g.names.map((n, i) => [n, g.metrics[i] ?? null])),
    }),
  }),
});
const AggregateConnectionRef = connectionType<Group & { names: string[] }>(
  'Aggregate',
  AggregateGroupRef,
  'Group',
  false,
);

const DistinctValueRef = builder.objectRef<{ value: unknown; count: number }>('DistinctValue').implement({
  description: 'A distinct value of a column and how many rows hold it.',
  fields: (t) => ({
    value: t.field({
      type: 'JSON',
      nullable: true,
      description: 'The value (null counts as one).',
      resolve: (v) => v.value,
    }),
    count: t.field({ type: 'Long', description: 'Rows holding it.', resolve: (v) => v.count }),
  }),
});
const DistinctConnectionRef = connectionType<{ value: unknown; count: number }>(
  'Distinct',
  DistinctValueRef,
  'Value',
  false,
);

interface RowsArgs {
  where?: Record<string, unknown> | null;
  orderBy?: ReadonlyArray<{
    column: string;
    direction?: 'ASC' | 'DESC' | null;
    nulls?: 'FIRST' | 'LAST' | null;
  }> | null;
  first?: number | null;
  after?: string | null;
  clock?: ClockArg | null;
}

/** A rows connection for a dataset, shared by `Dataset.rows` and the typed roots. */
export async function rowsConnection(
  ctx: GraphContext,
  datasetId: string,
  args: RowsArgs,
  where = namedFilter,
) {
  const page = rowsPage(args, ctx);
  const columns = await rowColumns(ctx, datasetId);
  const { statement, count } = refusing(() => {
    const clock = clockOf(args.clock, ctx);
    const filter = where(args.where ?? undefined);
    const orderBy: OrderItem[] = (args.orderBy ?? []).map((o, i) => ({ ...o, path: `orderBy[${i}].column` }));
    return {
      statement: compileRows({ columns, where: filter, orderBy, page, clock }),
      count: compileCount({ columns, where: filter, clock }),
    };
  });
  const result = await runStatement(ctx, datasetId, statement.sql);
  const connection = connectionOf(typedRows(result, statement.columns), page);
  connection.totalCount = async () => countOf(await runStatement(ctx, datasetId, count));
  return connection;
}

builder.objectFields(DatasetRef, (t) => ({
  rows: t.field({
    type: RowConnectionRef,
    description:
      'Rows of this dataset, filtered, ordered and paged without SQL: each row an object keyed by column name, values typed as the schema says (numbers as numbers, DATE as YYYY-MM-DD, DATETIME as ISO-8601 UTC). One SQL statement per page (LIMIT/OFFSET), one more only when totalCount is asked.',
    args: {
      where: t.arg({
        type: RowFilterRef,
        description: 'Which rows: conditions on columns by name, with and, or, not.',
      }),
      orderBy: t.arg({ type: [RowOrderRef], description: 'Sort keys, in order.' }),
      clock: t.arg({ type: RowClockRef, description: 'The now and time zone relative date ranges use.' }),
      first: t.arg.int({ description: 'Rows to return (default 100, at most ROWS_MAX_PAGE_SIZE).' }),
      after: t.arg.string({ description: 'Return the rows after this cursor (an `endCursor`).' }),
    },
    resolve: (d, args, ctx) => rowsConnection(ctx, d.id, args as RowsArgs),
  }),
  aggregate: t.field({
    type: AggregateConnectionRef,
    description:
      'Groups of rows with metrics, without SQL: group keys from columns and an optional date grain, metrics (count, countDistinct, sum, avg, min, max), having on metrics, ordering by a key or a metric. Without groupBy or dateGrain, one group holds every row.',
    args: {
      groupBy: t.arg.stringList({ description: 'Columns whose values make the groups.' }),
      dateGrain: t.arg({
        type: DateGrainRef,
        description: 'Group a DATE or DATETIME column by day, week, month, quarter or year.',
      }),
      metrics: t.arg({ type: [MetricRef], required: true, description: 'What to compute for each group.' }),
      where: t.arg({ type: RowFilterRef, description: 'Which rows go into the groups.' }),
      having: t.arg({ type: HavingFilterRef, description: 'Which groups are kept, by metric.' }),
      orderBy: t.arg({
        type: [AggregateOrderRef],
        description: 'Order of the groups (default: by the keys).',
      }),
      clock: t.arg({ type: RowClockRef, description: 'The now and time zone relative date ranges use.' }),
      first: t.arg.int({ description: 'Groups to return (default 100, at most ROWS_MAX_PAGE_SIZE).' }),
      after: t.arg.string({ description: 'Return the groups after this cursor.' }),
    },
    resolve: async (d, args, ctx) => {
      const page = rowsPage(args, ctx);
      const columns = await rowColumns(ctx, d.id);
      const statement = refusing(() =>
        compileAggregate({
          columns,
          groupBy: args.groupBy ?? [],
          dateGrain: args.dateGrain ?? null,
          metrics: args.metrics.map((m) => metricOf(m as never)),
          where: namedFilter((args.where as Record<string, unknown> | null) ?? undefined),
          having: havingTree(args.having as Record<string, unknown> | null),
          orderBy: aggregateOrders(args.orderBy as never),
          page,
          clock: clockOf(args.clock as ClockArg, ctx),
        }),
      );
      const names = statement.metrics.map(metricName);
      const groups = groupsOf(await runStatement(ctx, d.id, statement.sql), statement);
      return connectionOf(
        groups.map((g) => ({ ...g, names })),
        page,
      );
    },
  }),
  distinct: t.field({
    type: DistinctConnectionRef,
    description:
      'The distinct values of one column with their row counts, ordered by value (a filter dropdown).',
    args: {
      column: t.arg.string({ required: true, description: 'The column.' }),
      where: t.arg({ type: RowFilterRef, description: 'Only values of these rows.' }),
      direction: t.arg({ type: RowDirectionRef, description: 'Order of the values (default ASC).' }),
      clock: t.arg({ type: RowClockRef, description: 'The now and time zone relative date ranges use.' }),
      first: t.arg.int({ description: 'Values to return (default 100, at most ROWS_MAX_PAGE_SIZE).' }),
      after: t.arg.string({ description: 'Return the values after this cursor.' }),
    },
    resolve: async (d, args, ctx) => {
      const page = rowsPage(args, ctx);
      const columns = await rowColumns(ctx, d.id);
      const statement = refusing(() =>
        compileDistinct({
          columns,
          column: args.column,
          where: namedFilter((args.where as Record<string, unknown> | null) ?? undefined),
          direction: args.direction ?? 'ASC',
          page,
          clock: clockOf(args.clock as ClockArg, ctx),
        }),
      );
      const groups = groupsOf(await runStatement(ctx, d.id, statement.sql), statement);
      return connectionOf(
        groups.map((g) => ({ value: g.keys[args.column] ?? null, count: Number(g.metrics[0] ?? 0) })),
        page,
      );
    },
  }),
}));
