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
  GraphQLOutputType,
  GraphQLSchema,
} from 'graphql';
import { typedFilter } from '../../../rows/filter.ts';
import { isNumeric, type RowColumn } from '../../../rows/values.ts';
import type { GraphContext } from '../../context.ts';
import { ClientError } from '../../errors.ts';
import { COUNT_COST, ROWS_FIELD_COST, rootFieldExtensions } from '../../field-extensions.ts';
import { rowsConnection } from './dataset-rows.ts';
import { fieldNames, typeName } from './names.ts';
import { realmOf } from './realm.ts';
import type { Connection } from './run.ts';
import { aggregateRoot } from './typed-aggregate.ts';
import { conditionFor, conditionTypes, withIsoDates } from './typed-inputs.ts';

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
        extensions: { domoCost: COUNT_COST },
        resolve: (c: Connection<unknown>) => (c.totalCount ? c.totalCount() : 0),
      },
    },
  });

  const filterOf = (input: unknown, path: string) =>
    typedFilter(withIsoDates(input) as Record<string, unknown> | undefined, (f) => columnOf.get(f), path);

  const pageArgs = {
    first: { type: R.Int, description: 'Items to return (default 100, at most ROWS_MAX_PAGE_SIZE).' },
    after: { type: R.String, description: 'Return the items after this cursor.' },
    clock: { type: clock, description: 'The now and time zone relative date ranges use.' },
  };

  return {
    [dataset.name]: {
      type: nn(RowConnection),
      description: `Rows of ${where}, typed, filtered, ordered and paged without SQL.`,
      // Read by the scope plugin (the dataset allow-list) and the cost estimate, which know the
      // static schema's fields by name but these only from here (src/graph/field-extensions.ts).
      extensions: rootFieldExtensions(dataset.datasetId, ROWS_FIELD_COST),
      args: {
        where: { type: Where, description: 'Which rows.' },
        orderBy: { type: list(OrderBy), description: 'Sort keys, in order.' },
        ...pageArgs,
      },
      resolve: (_: unknown, args: Record<string, unknown>, ctx: GraphContext) =>
        rowsConnection(ctx, dataset.datasetId, args as never, (input) => filterOf(input, 'where')),
    },
    ...aggregateRoot({
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
    }),
  };
}
