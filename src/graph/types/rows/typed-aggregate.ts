/** `Query.<name>Aggregate` of a typed root: typed keys, metrics per column, having and ordering. */

import type {
  GraphQLEnumType,
  GraphQLFieldConfig,
  GraphQLFieldConfigMap,
  GraphQLInputObjectType,
  GraphQLInputType,
  GraphQLList,
  GraphQLNonNull,
  GraphQLObjectType,
  GraphQLOutputType,
  GraphQLResolveInfo,
} from 'graphql';
import { compileAggregate, type MetricFn } from '../../../rows/compile.ts';
import type { FilterNode } from '../../../rows/filter.ts';
import { isNumeric, isTemporal, type RowColumn } from '../../../rows/values.ts';
import type { GraphContext } from '../../context.ts';
import { ROWS_FIELD_COST, rootFieldExtensions } from '../../field-extensions.ts';
import type { Realm } from './realm.ts';
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
import type { ConditionTypes } from './typed-inputs.ts';
import { fillMissing, havingOf, METRIC_FIELDS, selectedMetrics } from './typed-metrics.ts';

type Column = RowColumn & { field: string };

/** What the typed root shares with its aggregate: names, types and helpers built once per dataset. */
export interface AggregateKit {
  R: Realm;
  nn: <T extends GraphQLOutputType | GraphQLInputType>(t: T) => GraphQLNonNull<T>;
  list: <T extends GraphQLOutputType | GraphQLInputType>(t: T) => GraphQLList<GraphQLNonNull<T>>;
  T: string;
  where: string;
  dataset: { name: string; datasetId: string };
  cols: Column[];
  columnOf: Map<string, string>;
  conditions: ConditionTypes;
  long: GraphQLOutputType & GraphQLInputType;
  pageInfo: GraphQLOutputType;
  direction: GraphQLInputType;
  nulls: GraphQLInputType;
  fn: GraphQLInputType;
  unit: GraphQLInputType;
  outputType: (c: RowColumn, keys: boolean) => GraphQLOutputType;
  columnField: (
    c: Column,
    type: GraphQLOutputType,
    description: string,
  ) => GraphQLFieldConfig<Record<string, unknown>, GraphContext>;
  Column: GraphQLEnumType;
  Where: GraphQLInputObjectType;
  filterOf: (input: unknown, path: string) => FilterNode | undefined;
  pageArgs: Record<string, { type: GraphQLInputType; description: string }>;
}

export function aggregateRoot(kit: AggregateKit): GraphQLFieldConfigMap<unknown, GraphContext> {
  const {
    R,
    nn,
    list,
    T,
    where,
    dataset,
    cols,
    columnOf,
    conditions,
    long,
    pageInfo,
    direction,
    nulls,
    fn,
    unit,
    outputType,
    columnField,
    Column,
    Where,
    filterOf,
    pageArgs,
  } = kit;
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

  return {
    [`${dataset.name}Aggregate`]: {
      type: nn(GroupConnection),
      description: `Groups of rows of ${where} with the metrics the selection asks for (count, countDistinct, sum, avg, min, max). Without groupBy or dateGrain, one group holds every row.`,
      extensions: rootFieldExtensions(dataset.datasetId, ROWS_FIELD_COST),
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
