/**
 * GraphQL inputs of row queries by column name, for any dataset (the typed roots of pinned datasets
 * have their own, per column). Values are JSON here, checked against the column's type at run time.
 */
import type { AggregateOrder, HavingNode, Metric, MetricFn } from '../../../rows/compile.ts';
import { DATE_UNITS, type DateUnit } from '../../../rows/dates.ts';
import { RowsInputError } from '../../../rows/errors.ts';
import { CONDITION_KEYS, type Condition } from '../../../rows/filter.ts';
import { builder } from '../../builder.ts';

export const DateUnitRef = builder.enumType('DateUnit', {
  description:
    "A calendar period, for relative date ranges and date grains. Weeks start on Sunday (MySQL's WEEK default). Domo's fiscal calendar is not available through the gateway: periods are calendar periods.",
  values: Object.fromEntries(
    DATE_UNITS.map((u) => [u, { value: u, description: `A ${u.toLowerCase()}.` }]),
  ) as Record<DateUnit, { value: DateUnit; description: string }>,
});

export const RowDirectionRef = builder.enumType('RowDirection', {
  description: 'Direction of a sort.',
  values: { ASC: { description: 'Ascending.' }, DESC: { description: 'Descending.' } },
});

export const NullsOrderRef = builder.enumType('NullsOrder', {
  description: 'Where nulls sort; by default first when ascending and last when descending, as MySQL sorts.',
  values: { FIRST: { description: 'Nulls before values.' }, LAST: { description: 'Nulls after values.' } },
});

export const AggregateFunctionRef = builder.enumType('AggregateFunction', {
  description: 'A metric over the rows of a group.',
  values: {
    COUNT: { description: 'Rows (without a column), or non-null values of the column.' },
    COUNT_DISTINCT: { description: 'Distinct non-null values of the column.' },
    SUM: { description: 'Sum of a number column.' },
    AVG: { description: 'Average of a number column.' },
    MIN: { description: 'Smallest value of the column.' },
    MAX: { description: 'Largest value of the column.' },
  } as Record<MetricFn, { description: string }>,
});

export const RelativePeriodRef = builder.inputType('RelativePeriod', {
  description: 'A number of calendar periods, counted from the clock of the query.',
  fields: (t) => ({
    count: t.int({ defaultValue: 1, description: 'How many periods (1 to 10000; default 1).' }),
    unit: t.field({ type: DateUnitRef, required: true, description: 'The period.' }),
  }),
});

export const RowRangeRef = builder.inputType('RowRange', {
  description: 'Inclusive bounds, each of the column’s type.',
  fields: (t) => ({
    from: t.field({ type: 'JSON', required: true, description: 'Lower bound, inclusive.' }),
    to: t.field({ type: 'JSON', required: true, description: 'Upper bound, inclusive.' }),
  }),
});

export const RowClockRef = builder.inputType('RowClock', {
  description:
    'The clock relative date ranges are resolved against: pass both for reproducible results (tests, reports).',
  fields: (t) => ({
    now: t.field({ type: 'DateTime', description: 'The instant taken as now (default: the current time).' }),
    timeZone: t.string({
      description:
        'IANA time zone whose calendar periods follow (default: ROWS_TIME_ZONE, itself UTC by default).',
    }),
  }),
});

/** Operator fields shared by the named filter and the typed per-column conditions of JSON values. */
export const OPERATOR_DOCS: Record<(typeof CONDITION_KEYS)[number], string> = {
  eq: 'Equal to (null is not a value: use isNull).',
  neq: 'Not equal to; rows where the column is null never match (use isNull).',
  in: 'One of these values (at most 1000; an empty list matches nothing).',
  notIn: 'None of these values (at most 1000); nulls never match.',
  isNull: 'true: the column is null; false: it is not.',
  lt: 'Less than (numbers, dates, date-times).',
  lte: 'Less than or equal (numbers, dates, date-times).',
  gt: 'Greater than (numbers, dates, date-times).',
  gte: 'Greater than or equal (numbers, dates, date-times).',
  between: 'Between two values, both included (numbers, dates, date-times).',
  contains: 'Text contains this (STRING; `%` and `_` are plain characters).',
  notContains: 'Text does not contain this (STRING; nulls never match).',
  startsWith: 'Text starts with this (STRING).',
  endsWith: 'Text ends with this (STRING).',
  caseInsensitive: 'eq, neq, in, notIn and the text operators of this condition ignore case (STRING).',
  last: 'Dates in the current period and the count-1 before it: last 7 DAY is today and the 6 days before (DATE, DATETIME).',
  previous:
    'Dates in the count complete periods before the current one: previous 1 MONTH is last month (DATE, DATETIME).',
  toDate:
    'Dates from the start of the current period up to now: toDate YEAR is year to date (DATE, DATETIME).',
};

/** The JSON-valued operator inputs, as the compiler's Condition types them (null for an explicit null). */
type JsonOperators = Pick<
  Condition,
  'eq' | 'neq' | 'in' | 'notIn' | 'isNull' | 'lt' | 'lte' | 'gt' | 'gte' | 'between'
>;

export interface RowFilterInput extends JsonOperators {
  and?: RowFilterInput[] | null;
  or?: RowFilterInput[] | null;
  not?: RowFilterInput | null;
  column?: string | null;
  contains?: string | null;
  notContains?: string | null;
  startsWith?: string | null;
  endsWith?: string | null;
  caseInsensitive?: boolean | null;
  last?: { count?: number | null; unit: DateUnit } | null;
  previous?: { count?: number | null; unit: DateUnit } | null;
  toDate?: DateUnit | null;
}

export interface HavingFilterInput extends JsonOperators {
  and?: HavingFilterInput[] | null;
  or?: HavingFilterInput[] | null;
  not?: HavingFilterInput | null;
  fn?: MetricFn | null;
  column?: string | null;
}

export const RowFilterRef = builder.inputRef<RowFilterInput>('RowFilter').implement({
  description:
    'A row filter naming columns by string: `{ column: "region", eq: "West" }`, combined with and, or, not (all the fields of one object are ANDed). Values are checked against the column type before any call to Domo. Several operators on one column are ANDed.',
  // JSON fields infer `unknown`, which Pothos's input-shape check cannot match: the shape is declared above.
  fields: (t) =>
    ({
      and: t.field({ type: [RowFilterRef], description: 'All of these match.' }),
      or: t.field({ type: [RowFilterRef], description: 'At least one of these matches.' }),
      not: t.field({ type: RowFilterRef, description: 'This does not match.' }),
      column: t.string({ description: 'The column the operators of this object apply to.' }),
      eq: t.field({ type: 'JSON', description: OPERATOR_DOCS.eq }),
      neq: t.field({ type: 'JSON', description: OPERATOR_DOCS.neq }),
      in: t.field({ type: ['JSON'], description: OPERATOR_DOCS.in }),
      notIn: t.field({ type: ['JSON'], description: OPERATOR_DOCS.notIn }),
      isNull: t.boolean({ description: OPERATOR_DOCS.isNull }),
      lt: t.field({ type: 'JSON', description: OPERATOR_DOCS.lt }),
      lte: t.field({ type: 'JSON', description: OPERATOR_DOCS.lte }),
      gt: t.field({ type: 'JSON', description: OPERATOR_DOCS.gt }),
      gte: t.field({ type: 'JSON', description: OPERATOR_DOCS.gte }),
      between: t.field({ type: RowRangeRef, description: OPERATOR_DOCS.between }),
      contains: t.string({ description: OPERATOR_DOCS.contains }),
      notContains: t.string({ description: OPERATOR_DOCS.notContains }),
      startsWith: t.string({ description: OPERATOR_DOCS.startsWith }),
      endsWith: t.string({ description: OPERATOR_DOCS.endsWith }),
      caseInsensitive: t.boolean({ description: OPERATOR_DOCS.caseInsensitive }),
      last: t.field({ type: RelativePeriodRef, description: OPERATOR_DOCS.last }),
      previous: t.field({ type: RelativePeriodRef, description: OPERATOR_DOCS.previous }),
      toDate: t.field({ type: DateUnitRef, description: OPERATOR_DOCS.toDate }),
    }) as never,
});

export const RowOrderRef = builder.inputType('RowOrder', {
  description: 'One sort key. Ties are broken by the remaining columns, so pages never overlap or skip.',
  fields: (t) => ({
    column: t.string({ required: true, description: 'Column name.' }),
    direction: t.field({
      type: RowDirectionRef,
      defaultValue: 'ASC',
      description: 'Direction (default ASC).',
    }),
    nulls: t.field({
      type: NullsOrderRef,
      description: 'Where nulls go (default: first ascending, last descending).',
    }),
  }),
});

export const MetricRef = builder.inputType('MetricInput', {
  description: 'A metric: a function and, except for COUNT of rows, the column it reads.',
  fields: (t) => ({
    fn: t.field({ type: AggregateFunctionRef, required: true, description: 'The function.' }),
    column: t.string({ description: 'The column (absent for COUNT: rows).' }),
  }),
});

export const DateGrainRef = builder.inputType('DateGrainInput', {
  description:
    'Group by a calendar period of a DATE or DATETIME column; the key is the first day of the period.',
  fields: (t) => ({
    column: t.string({ required: true, description: 'A DATE or DATETIME column.' }),
    grain: t.field({ type: DateUnitRef, required: true, description: 'The period.' }),
  }),
});

export const HavingFilterRef = builder.inputRef<HavingFilterInput>('HavingFilter').implement({
  description:
    'A filter on the groups of an aggregate, by metric: `{ fn: SUM, column: "quantity", gt: 100 }`, combined with and, or, not.',
  // JSON fields infer `unknown`, which Pothos's input-shape check cannot match: the shape is declared above.
  fields: (t) =>
    ({
      and: t.field({ type: [HavingFilterRef], description: 'All of these match.' }),
      or: t.field({ type: [HavingFilterRef], description: 'At least one of these matches.' }),
      not: t.field({ type: HavingFilterRef, description: 'This does not match.' }),
      fn: t.field({ type: AggregateFunctionRef, description: 'The metric’s function.' }),
      column: t.string({ description: 'The metric’s column (absent for COUNT of rows).' }),
      eq: t.field({ type: 'JSON', description: OPERATOR_DOCS.eq }),
      neq: t.field({ type: 'JSON', description: OPERATOR_DOCS.neq }),
      in: t.field({ type: ['JSON'], description: OPERATOR_DOCS.in }),
      notIn: t.field({ type: ['JSON'], description: OPERATOR_DOCS.notIn }),
      isNull: t.boolean({ description: OPERATOR_DOCS.isNull }),
      lt: t.field({ type: 'JSON', description: OPERATOR_DOCS.lt }),
      lte: t.field({ type: 'JSON', description: OPERATOR_DOCS.lte }),
      gt: t.field({ type: 'JSON', description: OPERATOR_DOCS.gt }),
      gte: t.field({ type: 'JSON', description: OPERATOR_DOCS.gte }),
      between: t.field({ type: RowRangeRef, description: OPERATOR_DOCS.between }),
    }) as never,
});

export const AggregateOrderRef = builder.inputType('AggregateOrder', {
  description:
    'Order groups by a key (`key`) or by a metric (`fn` and `column`). Remaining ties are broken by the keys.',
  fields: (t) => ({
    key: t.string({ description: 'A group key: a groupBy column or the date grain’s column.' }),
    fn: t.field({ type: AggregateFunctionRef, description: 'A metric’s function.' }),
    column: t.string({ description: 'A metric’s column.' }),
    direction: t.field({
      type: RowDirectionRef,
      defaultValue: 'ASC',
      description: 'Direction (default ASC).',
    }),
    nulls: t.field({ type: NullsOrderRef, description: 'Where nulls go.' }),
  }),
});

type Obj = Record<string, unknown>;

/** A having input as the compiler's tree. */
export function havingTree(
  input: Obj | null | undefined,
  path = 'having',
  depth = 0,
): HavingNode | undefined {
  if (!input) return undefined;
  if (depth > 32) throw new RowsInputError('filters nest at most 32 levels deep', path);
  const parts: HavingNode[] = [];
  for (const kind of ['and', 'or'] as const) {
    const list = input[kind] as Obj[] | null | undefined;
    if (list)
      parts.push({
        kind,
        items: list.map((item, i) => havingTree(item, `${path}.${kind}[${i}]`, depth + 1)!),
      });
  }
  if (input.not) parts.push({ kind: 'not', item: havingTree(input.not as Obj, `${path}.not`, depth + 1)! });
  const condition: Obj = {};
  let has = false;
  for (const key of CONDITION_KEYS) {
    if (input[key] !== undefined) {
      condition[key] = input[key];
      has = true;
    }
  }
  if (has || input.fn) {
    if (!input.fn)
      throw new RowsInputError('name the metric the operators apply to with fn (and column)', path);
    if (!has) throw new RowsInputError('give an operator (gt, eq, …) for the metric', path);
    parts.push({ kind: 'cond', metric: metricOf(input), condition: condition as Condition, path });
  }
  return parts.length === 1 ? parts[0] : { kind: 'and', items: parts };
}

export function metricOf(input: Obj): Metric {
  return { fn: input.fn as MetricFn, column: (input.column as string | null | undefined) ?? null };
}

export function aggregateOrders(list: readonly Obj[] | null | undefined): AggregateOrder[] {
  return (list ?? []).map((o, i) => {
    const path = `orderBy[${i}]`;
    const base = {
      direction: o.direction as 'ASC' | 'DESC',
      nulls: (o.nulls as 'FIRST' | 'LAST' | null) ?? null,
      path,
    };
    if (o.key !== undefined && o.key !== null) {
      if (o.fn) throw new RowsInputError('order by a key or by a metric, not both', path);
      return { ...base, key: String(o.key) };
    }
    if (!o.fn) throw new RowsInputError('give key, or fn (and column) for a metric', path);
    return { ...base, metric: metricOf(o) };
  });
}
