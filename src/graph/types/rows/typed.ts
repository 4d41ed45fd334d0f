/**
 * Typed roots for pinned datasets (TYPED_DATASETS): for each, `Query.<name>` (rows with a typed
 * `where` per column, Hasura-style) and `Query.<name>Aggregate` (typed keys and metrics, the metrics
 * computed being the ones the selection asks for). The types come from the dataset's schema as read
 * at startup or at the last reload, so they are built with graphql-js and added to the static
 * schema (`buildTypedSchema`), which stays as it is. Requests still check against the live schema:
 * a column removed in Domo makes its field an error (the rest of the row answers), never a crash.
 */
import type {
  GraphQLFieldConfigMap,
  GraphQLInputObjectType,
  GraphQLInputType,
  GraphQLObjectType,
  GraphQLOutputType,
  GraphQLResolveInfo,
  GraphQLSchema,
} from 'graphql';
import { compileAggregate, type MetricFn } from '../../../rows/compile.ts';
import { typedFilter } from '../../../rows/filter.ts';
import { isNumeric, isTemporal, type RowColumn } from '../../../rows/values.ts';
import type { GraphContext } from '../../context.ts';
import { ClientError } from '../../errors.ts';
import { rowsConnection } from './dataset-rows.ts';
import { fieldNames, typeName } from './names.ts';
import { realmOf } from './realm.ts';
import {
  type ClockArg,
  type Connection,
  clockOf,
  connectionOf,
  groupsOf,
  refusing,
  rowColumns,
  rowsPage,
  runStatement,
} from './run.ts';
import { conditionFor, conditionTypes, withIsoDates } from './typed-inputs.ts';
import { fillMissing, havingOf, METRIC_FIELDS, selectedMetrics } from './typed-metrics.ts';

export interface TypedDataset {
  /** GraphQL name of the root field. */
  name: string;
  datasetId: string;
  /** Columns as last read from Domo. */
  columns: RowColumn[];
}

/** The static schema plus the typed roots of these datasets. */
export function buildTypedSchema(base: GraphQLSchema, datasets: readonly TypedDataset[]): GraphQLSchema {
  if (datasets.length === 0) return base;
  const R = realmOf(base);
  const config = base.toConfig();
  const query = base.getQueryType()!;
  const fields: GraphQLFieldConfigMap<unknown, GraphContext> = { ...query.toConfig().fields };
  for (const dataset of datasets) {
    if (dataset.columns.length === 0) continue;
    const root = typedRoot(base, dataset);
    for (const name of Object.keys(root)) {
      // The static schema's fields win; a typed root must not shadow one silently.
      if (fields[name])
        throw new Error(`typed dataset ${dataset.name}: Query.${name} already exists; choose another name`);
    }
    Object.assign(fields, root);
  }
  return new R.Schema({
    ...config,
    query: new R.Object({ ...query.toConfig(), fields }),
    types: config.types.filter((t) => t.name !== query.name),
  });
}

function typedRoot(base: GraphQLSchema, dataset: TypedDataset): GraphQLFieldConfigMap<unknown, GraphContext> {
  const R = realmOf(base);
  const nn = <T extends GraphQLOutputType | GraphQLInputType>(t: T) => new R.NonNull(t);
  const list = <T extends GraphQLOutputType | GraphQLInputType>(t: T) => new R.List(new R.NonNull(t));
  const T = typeName(dataset.name);
  const names = fieldNames(dataset.columns.map((c) => c.name));
  const cols = dataset.columns.map((c) => ({ ...c, field: names.get(c.name)! }));
  const columnOf = new Map(cols.map((c) => [c.field, c.name]));
  const conditions = conditionTypes(base);
  const long = base.getType('Long') as GraphQLOutputType & GraphQLInputType;
  const dateTime = base.getType('DateTime') as GraphQLOutputType;
  const pageInfo = base.getType('PageInfo') as GraphQLOutputType;
  const direction = base.getType('RowDirection') as GraphQLInputType;
  const nulls = base.getType('NullsOrder') as GraphQLInputType;
  const fn = base.getType('AggregateFunction') as GraphQLInputType;
  const unit = base.getType('DateUnit') as GraphQLInputType;
  const clock = base.getType('RowClock') as GraphQLInputType;
  const where = `the ${T} dataset (${dataset.datasetId})`;

  const outputType = (c: RowColumn, keys: boolean): GraphQLOutputType =>
    c.type === 'STRING'
      ? R.String
      : c.type === 'LONG'
        ? long
        : isNumeric(c.type)
          ? R.Float
          : c.type === 'DATETIME' && !keys
            ? dateTime
            : R.String;

  /** A field reading a column from a row keyed by column name; a column gone upstream is an error. */
  const columnField = (c: (typeof cols)[number], type: GraphQLOutputType, description: string) => ({
    type,
    description,
    resolve: (row: Record<string, unknown>) => {
      if (!(c.name in row))
        throw new ClientError(
          'NOT_FOUND',
          `column \`${c.name}\` is no longer in ${where}; the typed schema drops it at the next reload`,
        );
      return row[c.name];
    },
  });

  const Row = new R.Object({
    name: `${T}Row`,
    description: `A row of ${where}.`,
    fields: () =>
      Object.fromEntries(
        cols.map((c) => [c.field, columnField(c, outputType(c, false), `Column \`${c.name}\` (${c.type}).`)]),
      ),
  });
  const Where: GraphQLInputObjectType = new R.Input({
    name: `${T}Where`,
    description: `A filter on ${where}: conditions per column, combined with and, or, not (the fields of one object are ANDed).`,
    fields: () => ({
      and: { type: list(Where), description: 'All of these match.' },
      or: { type: list(Where), description: 'At least one of these matches.' },
      not: { type: Where, description: 'This does not match.' },
      ...Object.fromEntries(
        cols.map((c) => [
          c.field,
          { type: conditionFor(conditions, c.type), description: `Column \`${c.name}\`.` },
        ]),
      ),
    }),
  });
  const Column = new R.Enum({
    name: `${T}Column`,
    description: `A column of ${where}.`,
    values: Object.fromEntries(
      cols.map((c) => [c.field, { value: c.name, description: `\`${c.name}\` (${c.type}).` }]),
    ),
  });
  const OrderBy = new R.Input({
    name: `${T}OrderBy`,
    description: 'One sort key; ties are broken by the remaining columns.',
    fields: {
      column: { type: nn(Column), description: 'The column.' },
      direction: { type: direction, defaultValue: 'ASC', description: 'Direction (default ASC).' },
      nulls: { type: nulls, description: 'Where nulls go.' },
    },
  });
  const edge = new R.Object({
    name: `${T}RowEdge`,
    description: 'A row in a page, with its cursor.',
    fields: {
      cursor: { type: nn(R.String), description: 'Opaque position; pass it as `after`.' },
      node: { type: nn(Row), description: 'The row.' },
    },
  });
  const RowConnection = new R.Object({
    name: `${T}RowConnection`,
    description: `A page of rows of ${where}.`,
    fields: {
      edges: { type: nn(list(edge)), description: 'The rows, each with its cursor.' },
      nodes: {
        type: nn(list(Row)),
        description: 'The rows.',
        resolve: (c: Connection<unknown>) => c.edges.map((e) => e.node),
      },
      pageInfo: { type: nn(pageInfo), description: 'Where this page sits.' },
      totalCount: {
        type: nn(long),
        description: 'Matches in all (a COUNT statement of its own, run only when asked).',
        resolve: (c: Connection<unknown>) => (c.totalCount ? c.totalCount() : 0),
      },
    },
  });

  const filterOf = (input: unknown, path: string) =>
    typedFilter(withIsoDates(input) as Record<string, unknown> | undefined, (f) => columnOf.get(f), path);

  const numeric = cols.filter((c) => isNumeric(c.type));
  const temporal = cols.filter((c) => isTemporal(c.type));
  const keysType = new R.Object({
    name: `${T}Keys`,
    description:
      'Group keys (null for a column not grouped); a date grain key is the first day of its period, YYYY-MM-DD.',
    fields: Object.fromEntries(
      cols.map((c) => [c.field, columnField(c, outputType(c, true), `\`${c.name}\`.`)]),
    ),
  });
  const metricObject = (
    name: string,
    of: typeof cols,
    type: (c: RowColumn) => GraphQLOutputType,
    what: string,
  ) =>
    new R.Object({
      name: `${T}${name}`,
      description: what,
      fields: Object.fromEntries(of.map((c) => [c.field, columnField(c, type(c), `Of \`${c.name}\`.`)])),
    });
  const metricTypes: Record<string, GraphQLObjectType | undefined> = {
    countDistinct: metricObject('Counts', cols, () => long, 'Distinct non-null values per column.'),
    sum: numeric.length ? metricObject('Sums', numeric, () => R.Float, 'Sums of number columns.') : undefined,
    avg: numeric.length
      ? metricObject('Averages', numeric, () => R.Float, 'Averages of number columns.')
      : undefined,
    min: metricObject('Minimums', cols, (c) => outputType(c, true), 'Smallest values.'),
    max: metricObject('Maximums', cols, (c) => outputType(c, true), 'Largest values.'),
  };
  type TypedGroup = {
    keys: Record<string, unknown>;
    metrics: Record<string, Record<string, unknown>>;
    count: unknown;
  };
  const Group = new R.Object<TypedGroup>({
    name: `${T}Group`,
    description: `A group of rows of ${where}. Only the metrics the selection asks for are computed.`,
    fields: {
      keys: { type: nn(keysType), description: 'The group keys.' },
      count: { type: long, description: 'Rows in the group.' },
      ...Object.fromEntries(
        Object.entries(metricTypes).flatMap(([field, type]) =>
          type
            ? [
                [
                  field,
                  {
                    type: nn(type),
                    description: `${field} per column.`,
                    resolve: (g: TypedGroup) => g.metrics[field] ?? {},
                  },
                ],
              ]
            : [],
        ),
      ),
    },
  });
  const groupEdge = new R.Object({
    name: `${T}GroupEdge`,
    description: 'A group in a page, with its cursor.',
    fields: {
      cursor: { type: nn(R.String), description: 'Opaque position; pass it as `after`.' },
      node: { type: nn(Group), description: 'The group.' },
    },
  });
  const GroupConnection = new R.Object({
    name: `${T}GroupConnection`,
    description: `A page of groups of ${where}.`,
    fields: {
      edges: { type: nn(list(groupEdge)), description: 'The groups, each with its cursor.' },
      nodes: {
        type: nn(list(Group)),
        description: 'The groups.',
        resolve: (c: Connection<unknown>) => c.edges.map((e) => e.node),
      },
      pageInfo: { type: nn(pageInfo), description: 'Where this page sits.' },
    },
  });
  const metricConditions = (name: string, of: typeof cols) =>
    new R.Input({
      name: `${T}${name}Having`,
      description: 'Conditions on a metric per column.',
      fields: Object.fromEntries(
        of.map((c) => [c.field, { type: conditions.FLOAT, description: `Of \`${c.name}\`.` }]),
      ),
    });
  const havingFields: Record<string, GraphQLInputObjectType | undefined> = {
    countDistinct: metricConditions('Counts', cols),
    sum: numeric.length ? metricConditions('Sums', numeric) : undefined,
    avg: numeric.length ? metricConditions('Averages', numeric) : undefined,
    min: numeric.length ? metricConditions('Minimums', numeric) : undefined,
    max: numeric.length ? metricConditions('Maximums', numeric) : undefined,
  };
  const Having: GraphQLInputObjectType = new R.Input({
    name: `${T}Having`,
    description: 'Which groups are kept, by metric, combined with and, or, not.',
    fields: () => ({
      and: { type: list(Having), description: 'All of these match.' },
      or: { type: list(Having), description: 'At least one of these matches.' },
      not: { type: Having, description: 'This does not match.' },
      count: { type: conditions.FLOAT, description: 'Rows in the group.' },
      ...Object.fromEntries(
        Object.entries(havingFields).flatMap(([k, type]) =>
          type ? [[k, { type, description: `${k} per column.` }]] : [],
        ),
      ),
    }),
  });
  const GroupOrder = new R.Input({
    name: `${T}GroupOrder`,
    description: 'Order groups by a key (`key`) or a metric (`metric`, with `column` unless COUNT of rows).',
    fields: {
      key: { type: Column, description: 'A group key.' },
      metric: { type: fn, description: 'A metric’s function.' },
      column: { type: Column, description: 'The metric’s column.' },
      direction: { type: direction, defaultValue: 'ASC', description: 'Direction (default ASC).' },
      nulls: { type: nulls, description: 'Where nulls go.' },
    },
  });
  const DateColumn = temporal.length
    ? new R.Enum({
        name: `${T}DateColumn`,
        description: 'A DATE or DATETIME column.',
        values: Object.fromEntries(
          temporal.map((c) => [c.field, { value: c.name, description: `\`${c.name}\`.` }]),
        ),
      })
    : undefined;
  const DateGrain = DateColumn
    ? new R.Input({
        name: `${T}DateGrain`,
        description: 'Group a date column by a calendar period.',
        fields: {
          column: { type: nn(DateColumn), description: 'The column.' },
          grain: { type: nn(unit), description: 'The period.' },
        },
      })
    : undefined;

  const pageArgs = {
    first: { type: R.Int, description: 'Items to return (default 100, at most ROWS_MAX_PAGE_SIZE).' },
    after: { type: R.String, description: 'Return the items after this cursor.' },
    clock: { type: clock, description: 'The now and time zone relative date ranges use.' },
  };

  return {
    [dataset.name]: {
      type: nn(RowConnection),
      description: `Rows of ${where}, typed, filtered, ordered and paged without SQL.`,
      args: {
        where: { type: Where, description: 'Which rows.' },
        orderBy: { type: list(OrderBy), description: 'Sort keys, in order.' },
        ...pageArgs,
      },
      resolve: (_: unknown, args: Record<string, unknown>, ctx: GraphContext) =>
        rowsConnection(ctx, dataset.datasetId, args as never, (input) => filterOf(input, 'where')),
    },
    [`${dataset.name}Aggregate`]: {
      type: nn(GroupConnection),
      description: `Groups of rows of ${where} with the metrics the selection asks for (count, countDistinct, sum, avg, min, max). Without groupBy or dateGrain, one group holds every row.`,
      args: {
        groupBy: { type: list(Column), description: 'Columns whose values make the groups.' },
        ...(DateGrain
          ? { dateGrain: { type: DateGrain, description: 'Group a date column by a period.' } }
          : {}),
        where: { type: Where, description: 'Which rows go into the groups.' },
        having: { type: Having, description: 'Which groups are kept.' },
        orderBy: { type: list(GroupOrder), description: 'Order of the groups (default: by the keys).' },
        ...pageArgs,
      },
      resolve: async (
        _: unknown,
        args: Record<string, unknown>,
        ctx: GraphContext,
        info: GraphQLResolveInfo,
      ) => {
        const page = rowsPage(args as { first?: number; after?: string }, ctx);
        const columns = await rowColumns(ctx, dataset.datasetId);
        const wanted = selectedMetrics(info, columnOf);
        const statement = refusing(() =>
          compileAggregate({
            columns,
            groupBy: (args.groupBy as string[] | undefined) ?? [],
            dateGrain: (args.dateGrain as { column: string; grain: 'DAY' } | undefined) ?? null,
            metrics: wanted,
            where: filterOf(args.where, 'where'),
            having: havingOf(args.having as Record<string, unknown> | undefined, columnOf, 'having'),
            orderBy: ((args.orderBy as Array<Record<string, unknown>> | undefined) ?? []).map((o, i) =>
              o.key
                ? {
                    key: String(o.key),
                    direction: o.direction as 'ASC',
                    nulls: o.nulls as 'FIRST',
                    path: `orderBy[${i}]`,
                  }
                : {
                    metric: {
                      fn: (o.metric as MetricFn) ?? 'COUNT',
                      column: (o.column as string | undefined) ?? null,
                    },
                    direction: o.direction as 'ASC',
                    nulls: o.nulls as 'FIRST',
                    path: `orderBy[${i}]`,
                  },
            ),
            page,
            clock: clockOf(args.clock as ClockArg | undefined, ctx),
          }),
        );
        const groups = groupsOf(await runStatement(ctx, dataset.datasetId, statement.sql), statement);
        return connectionOf(
          groups.map((g) => {
            const metrics: Record<string, Record<string, unknown>> = {};
            let count: unknown = null;
            wanted.forEach((m, i) => {
              if (m.fn === 'COUNT') count = g.metrics[i];
              else {
                const field = Object.keys(METRIC_FIELDS).find((k) => METRIC_FIELDS[k] === m.fn)!;
                metrics[field] ??= {};
                metrics[field]![m.column!] = g.metrics[i];
              }
            });
            // Every column is a key field: the ones not grouped answer null.
            const keys = Object.fromEntries(columns.map((c) => [c.name, g.keys[c.name] ?? null]));
            return { keys, metrics: fillMissing(metrics, columns), count };
          }),
          page,
        );
      },
    },
  };
}
