/**
 * Row queries compiled to one Domo SQL statement each: a page of rows, its count, a grouped
 * aggregate, the distinct values of a column. Identifiers come only from the dataset's columns
 * (`ColumnSet`), values only as escaped literals, and the statement uses only what Domo's SQL
 * documents: backtick names, `LIKE … ESCAPE`, `IN`, `BETWEEN`, `IS NULL`, `COUNT`, `COUNT(DISTINCT)`,
 * `SUM`, `AVG`, `MIN`, `MAX`, `LOWER`, `YEAR`, `QUARTER`, `MONTH`, `TO_DAYS`, `MOD`, `GROUP BY`,
 * `HAVING`, `ORDER BY`, `LIMIT n OFFSET m`. The table name is `table`, as Domo's examples write it.
 */
import type { Clock } from './dates.ts';
import { RowsInputError } from './errors.ts';
import type { Condition, FilterNode } from './filter.ts';
import { ident } from './sql.ts';
import { isNumeric, isTemporal, literalFor, type RowColumn } from './values.ts';
import { ColumnSet, compileCondition, compileFilter } from './where.ts';

export type Direction = 'ASC' | 'DESC';
export type Nulls = 'FIRST' | 'LAST';

export interface OrderItem {
  column: string;
  direction?: Direction | null;
  /** Default as MySQL sorts: nulls first ascending, last descending. */
  nulls?: Nulls | null;
  path?: string;
}

export interface Page {
  /** Rows to return; the statement asks one more to know whether a next page exists. */
  limit: number;
  offset: number;
}

/** `(c IS NULL)` keys make null placement explicit: MySQL and DuckDB disagree on the default. */
function orderTerm(expr: string, direction: Direction, nulls: Nulls | null | undefined): string {
  const first = (nulls ?? (direction === 'ASC' ? 'FIRST' : 'LAST')) === 'FIRST';
  return `(${expr} IS NULL) ${first ? 'DESC' : 'ASC'}, ${expr} ${direction}`;
}

function whereClause(where: FilterNode | undefined, columns: ColumnSet, clock: Clock): string {
  if (!where) return '';
  const sql = compileFilter(where, columns, clock);
  return sql === '1 = 1' ? '' : ` WHERE ${sql}`;
}

const paging = (page: Page) => ` LIMIT ${page.limit + 1} OFFSET ${page.offset}`;

export interface RowsStatement {
  sql: string;
  columns: RowColumn[];
}

/**
 * A page of rows. Ties of `orderBy` are broken by the other columns in schema order, so pages of
 * an ordered query never overlap or skip; without `orderBy`, rows come in the dataset's order.
 */
export function compileRows(args: {
  columns: readonly RowColumn[];
  where?: FilterNode;
  orderBy?: readonly OrderItem[];
  /** None for every matching row (an export). */
  page: Page | null;
  clock: Clock;
}): RowsStatement {
  if (args.columns.length === 0)
    throw new RowsInputError('the dataset has no columns to read (its schema is empty)', 'rows');
  const set = new ColumnSet(args.columns);
  const order = (args.orderBy ?? []).map((item, i) => ({
    column: set.get(item.column, item.path ?? `orderBy[${i}].column`),
    direction: item.direction ?? 'ASC',
    nulls: item.nulls,
  }));
  const terms = order.map((o) => orderTerm(ident(o.column.name), o.direction, o.nulls));
  if (order.length) {
    const used = new Set(order.map((o) => o.column.name));
    for (const c of args.columns) if (!used.has(c.name)) terms.push(orderTerm(ident(c.name), 'ASC', null));
  }
  const select = args.columns.map((c) => ident(c.name)).join(', ');
  const sql = `SELECT ${select} FROM table${whereClause(args.where, set, args.clock)}${
    terms.length ? ` ORDER BY ${terms.join(', ')}` : ''
  }${args.page ? paging(args.page) : ''}`;
  return { sql, columns: [...args.columns] };
}

export function compileCount(args: {
  columns: readonly RowColumn[];
  where?: FilterNode;
  clock: Clock;
}): string {
  return `SELECT COUNT(*) AS \`count\` FROM table${whereClause(args.where, new ColumnSet(args.columns), args.clock)}`;
}

export type MetricFn = 'COUNT' | 'COUNT_DISTINCT' | 'SUM' | 'AVG' | 'MIN' | 'MAX';
export const METRIC_FNS: readonly MetricFn[] = ['COUNT', 'COUNT_DISTINCT', 'SUM', 'AVG', 'MIN', 'MAX'];
export type Grain = 'DAY' | 'WEEK' | 'MONTH' | 'QUARTER' | 'YEAR';

export interface Metric {
  fn: MetricFn;
  /** COUNT without a column counts rows; with one, its non-null values. */
  column?: string | null;
}

export type HavingNode =
  | { kind: 'and' | 'or'; items: HavingNode[] }
  | { kind: 'not'; item: HavingNode }
  | { kind: 'cond'; metric: Metric; condition: Condition; path: string };

export type AggregateOrder =
  | { key: string; direction?: Direction | null; nulls?: Nulls | null; path?: string }
  | { metric: Metric; direction?: Direction | null; nulls?: Nulls | null; path?: string };

export interface AggregateStatement {
  sql: string;
  /** Output key names (group columns, then the grain column), aliased `k0…` in the SQL. */
  keys: Array<{ name: string; type: RowColumn['type']; grain?: Grain }>;
  /** Metrics in order, aliased `m0…` in the SQL. */
  metrics: Array<Metric & { type: RowColumn['type'] }>;
}

/** A date grain as an integer key, decoded by `grainKeyToDate`: only functions Domo documents. */
function grainExpr(column: string, grain: Grain): string {
  const c = ident(column);
  switch (grain) {
    case 'DAY':
      return `TO_DAYS(${c})`;
    case 'WEEK':
      // TO_DAYS(d) + 6 is a multiple of 7 on Sundays: the key is the week's Sunday.
      return `(TO_DAYS(${c}) - MOD(TO_DAYS(${c}) + 6, 7))`;
    case 'MONTH':
      return `(YEAR(${c}) * 100 + MONTH(${c}))`;
    case 'QUARTER':
      return `(YEAR(${c}) * 10 + QUARTER(${c}))`;
    case 'YEAR':
      return `YEAR(${c})`;
  }
}

/** TO_DAYS of 1995-05-01, from MySQL's documentation (`TO_DAYS(950501)` is 728779). */
const TO_DAYS_1995_05_01 = 728_779;
const EPOCH_1995_05_01 = Date.UTC(1995, 4, 1);

/** The first day (`YYYY-MM-DD`) of the period a grain key stands for. */
export function grainKeyToDate(grain: Grain, key: unknown): string | null {
  if (key === null || key === undefined) return null;
  const n = Number(key);
  const pad = (v: number) => String(v).padStart(2, '0');
  switch (grain) {
    case 'DAY':
    case 'WEEK':
      return new Date(EPOCH_1995_05_01 + (n - TO_DAYS_1995_05_01) * 86_400_000).toISOString().slice(0, 10);
    case 'MONTH':
      return `${Math.floor(n / 100)}-${pad(n % 100)}-01`;
    case 'QUARTER':
      return `${Math.floor(n / 10)}-${pad((n % 10) * 3 - 2)}-01`;
    case 'YEAR':
      return `${n}-01-01`;
  }
}

function metricSql(m: Metric, set: ColumnSet, path: string): { sql: string; type: RowColumn['type'] } {
  if (m.fn === 'COUNT' && !m.column) return { sql: 'COUNT(*)', type: 'LONG' };
  if (!m.column) throw new RowsInputError(`${m.fn} needs a column`, `${path}.column`);
  const column = set.get(m.column, `${path}.column`);
  const c = ident(column.name);
  switch (m.fn) {
    case 'COUNT':
      return { sql: `COUNT(${c})`, type: 'LONG' };
    case 'COUNT_DISTINCT':
      return { sql: `COUNT(DISTINCT ${c})`, type: 'LONG' };
    case 'SUM':
    case 'AVG':
      if (!isNumeric(column.type))
        throw new RowsInputError(
          `${m.fn} applies to number columns; \`${column.name}\` is ${column.type}`,
          `${path}.column`,
        );
      return { sql: `${m.fn}(${c})`, type: m.fn === 'SUM' && column.type === 'LONG' ? 'LONG' : 'DOUBLE' };
    case 'MIN':
    case 'MAX':
      return { sql: `${m.fn}(${c})`, type: column.type };
  }
}

export function compileAggregate(args: {
  columns: readonly RowColumn[];
  groupBy?: readonly string[];
  dateGrain?: { column: string; grain: Grain } | null;
  metrics: readonly Metric[];
  where?: FilterNode;
  having?: HavingNode;
  orderBy?: readonly AggregateOrder[];
  page: Page;
  clock: Clock;
}): AggregateStatement {
  const set = new ColumnSet(args.columns);
  const keys: AggregateStatement['keys'] = [];
  const keyExprs: string[] = [];
  const seen = new Set<string>();
  (args.groupBy ?? []).forEach((name, i) => {
    const column = set.get(name, `groupBy[${i}]`);
    if (seen.has(column.name))
      throw new RowsInputError(`\`${column.name}\` is grouped twice`, `groupBy[${i}]`);
    seen.add(column.name);
    keys.push({ name: column.name, type: column.type });
    keyExprs.push(ident(column.name));
  });
  if (args.dateGrain) {
    const column = set.get(args.dateGrain.column, 'dateGrain.column');
    if (!isTemporal(column.type))
      throw new RowsInputError(
        `a date grain needs a DATE or DATETIME column; \`${column.name}\` is ${column.type}`,
        'dateGrain.column',
      );
    if (seen.has(column.name))
      throw new RowsInputError(
        `\`${column.name}\` is both grouped and the date grain's column`,
        'dateGrain.column',
      );
    keys.push({ name: column.name, type: 'DATE', grain: args.dateGrain.grain });
    keyExprs.push(grainExpr(column.name, args.dateGrain.grain));
  }
  const metrics = args.metrics.map((m, i) => ({ ...m, ...metricSql(m, set, `metrics[${i}]`) }));
  const select = [
    ...keyExprs.map((e, i) => `${e} AS \`k${i}\``),
    ...metrics.map((m, i) => `${m.sql} AS \`m${i}\``),
  ];
  if (select.length === 0) throw new RowsInputError('ask for at least one group key or metric', 'metrics');

  const havingSql = (node: HavingNode): string => {
    switch (node.kind) {
      case 'and':
      case 'or':
        if (node.items.length === 0) return node.kind === 'and' ? '1 = 1' : '1 = 0';
        return `(${node.items.map(havingSql).join(node.kind === 'and' ? ' AND ' : ' OR ')})`;
      case 'not':
        return `NOT (${havingSql(node.item)})`;
      case 'cond': {
        const { sql, type } = metricSql(node.metric, set, node.path);
        // The metric's value is compared as a column of its result type would be.
        const label = node.metric.column ? `${node.metric.fn}(${node.metric.column})` : 'COUNT(*)';
        return compileCondition(
          { name: label, type: type === 'LONG' ? 'DOUBLE' : type },
          node.condition,
          node.path,
          args.clock,
          sql,
        );
      }
    }
  };
  const having = args.having ? havingSql(args.having) : '1 = 1';

  const terms: string[] = [];
  const orderedKeys = new Set<number>();
  (args.orderBy ?? []).forEach((o, i) => {
    const direction = o.direction ?? 'ASC';
    const path = o.path ?? `orderBy[${i}]`;
    if ('key' in o) {
      const index = keys.findIndex((k) => k.name === o.key);
      if (index < 0)
        throw new RowsInputError(
          `\`${o.key}\` is not a group key; order by one of: ${keys.map((k) => k.name).join(', ') || '(none)'}, or by a metric`,
          `${path}.key`,
        );
      orderedKeys.add(index);
      terms.push(orderTerm(keyExprs[index]!, direction, o.nulls));
    } else {
      terms.push(orderTerm(metricSql(o.metric, set, `${path}.metric`).sql, direction, o.nulls));
    }
  });
  // Every key, ascending, breaks the remaining ties: groups are unique by their keys.
  keyExprs.forEach((e, i) => {
    if (!orderedKeys.has(i)) terms.push(orderTerm(e, 'ASC', null));
  });

  const sql = `SELECT ${select.join(', ')} FROM table${whereClause(args.where, set, args.clock)}${
    keyExprs.length ? ` GROUP BY ${keyExprs.join(', ')}` : ''
  }${having === '1 = 1' ? '' : ` HAVING ${having}`}${terms.length ? ` ORDER BY ${terms.join(', ')}` : ''}${paging(args.page)}`;
  return { sql, keys, metrics: metrics.map(({ sql: _, ...m }) => m) };
}

/** Distinct values of one column with how many rows hold each, ordered by value. */
export function compileDistinct(args: {
  columns: readonly RowColumn[];
  column: string;
  where?: FilterNode;
  direction?: Direction | null;
  page: Page;
  clock: Clock;
}): AggregateStatement {
  const set = new ColumnSet(args.columns);
  set.get(args.column, 'column');
  return compileAggregate({
    columns: args.columns,
    groupBy: [args.column],
    metrics: [{ fn: 'COUNT' }],
    where: args.where,
    orderBy: [{ key: args.column, direction: args.direction ?? 'ASC', path: 'direction' }],
    page: args.page,
    clock: args.clock,
  });
}

/** Values of a filter literal, re-exported for the typed layer's checks. */
export { literalFor };
