/** A filter tree compiled to a SQL boolean expression over a dataset's columns. */
import { type Clock, DATE_UNITS, type DateUnit, resolveRange } from './dates.ts';
import { RowsInputError } from './errors.ts';
import type { Condition, FilterNode } from './filter.ts';
import { ident, LIKE_ESCAPE, likePattern, stringLiteral } from './sql.ts';
import { isNumeric, isTemporal, literalFor, type RowColumn } from './values.ts';

/** Most values one `in` or `notIn` takes. */
export const MAX_IN_VALUES = 1000;
/** Most periods a relative range spans. */
export const MAX_RANGE_COUNT = 10_000;

/** Columns by name, with the refusal that lists the valid ones. */
export class ColumnSet {
  private readonly byName: Map<string, RowColumn>;
  constructor(readonly columns: readonly RowColumn[]) {
    this.byName = new Map(columns.map((c) => [c.name, c]));
  }

  get(name: string, path: string): RowColumn {
    const column = this.byName.get(name);
    if (column) return column;
    const names = this.columns.map((c) => c.name);
    const near = names.find((n) => n.toLowerCase() === name.toLowerCase());
    const list = names.length > 60 ? `${names.slice(0, 60).join(', ')}, …` : names.join(', ');
    throw new RowsInputError(
      `unknown column \`${name.slice(0, 200)}\`${near ? ` (did you mean \`${near}\`?)` : ''}; the dataset's columns are: ${list}`,
      path,
    );
  }
}

export function compileFilter(node: FilterNode, columns: ColumnSet, clock: Clock): string {
  switch (node.kind) {
    case 'and':
    case 'or': {
      if (node.items.length === 0) return node.kind === 'and' ? '1 = 1' : '1 = 0';
      const parts = node.items.map((item) => compileFilter(item, columns, clock));
      return parts.length === 1 ? parts[0]! : `(${parts.join(node.kind === 'and' ? ' AND ' : ' OR ')})`;
    }
    case 'not':
      return `NOT (${compileFilter(node.item, columns, clock)})`;
    case 'cond':
      return compileCondition(columns.get(node.column, `${node.path}`), node.condition, node.path, clock);
  }
}

const TEXT_OPS = ['contains', 'notContains', 'startsWith', 'endsWith'] as const;
const ORDER_OPS = { lt: '<', lte: '<=', gt: '>', gte: '>=' } as const;

/** One condition; `expr` is the SQL it applies to (the column itself unless a metric's expression). */
export function compileCondition(
  column: RowColumn,
  c: Condition,
  path: string,
  clock: Clock,
  expr = ident(column.name),
): string {
  const { name, type } = column;
  const col = expr;
  const parts: string[] = [];
  const at = (op: string) => `${path}.${op}`;
  const refuseNull = (op: string, value: unknown) => {
    if (value === null)
      throw new RowsInputError('null is not a value to compare with: use isNull to match nulls', at(op));
  };
  const ci = c.caseInsensitive === true;
  if (ci && type !== 'STRING')
    throw new RowsInputError(
      `caseInsensitive applies to STRING columns; \`${name}\` is ${type}`,
      at('caseInsensitive'),
    );
  const lhs = ci ? `LOWER(${col})` : col;
  const lit = (value: unknown, p: string) => {
    const sql = literalFor(type, value, p, name);
    return ci ? `LOWER(${sql})` : sql;
  };

  if (c.eq !== undefined) {
    refuseNull('eq', c.eq);
    parts.push(`${lhs} = ${lit(c.eq, at('eq'))}`);
  }
  if (c.neq !== undefined) {
    refuseNull('neq', c.neq);
    parts.push(`${lhs} <> ${lit(c.neq, at('neq'))}`);
  }
  for (const op of ['in', 'notIn'] as const) {
    const list = c[op];
    if (list === undefined) continue;
    refuseNull(op, list);
    if (!Array.isArray(list)) throw new RowsInputError('expected a list of values', at(op));
    if (list.length > MAX_IN_VALUES)
      throw new RowsInputError(`takes at most ${MAX_IN_VALUES} values, got ${list.length}`, at(op));
    if (list.length === 0) {
      // MySQL has no empty IN list: nothing is in it, everything is not.
      parts.push(op === 'in' ? '1 = 0' : '1 = 1');
      continue;
    }
    const values = list.map((v, i) => {
      refuseNull(`${op}[${i}]`, v);
      return lit(v, at(`${op}[${i}]`));
    });
    parts.push(`${lhs} ${op === 'in' ? 'IN' : 'NOT IN'} (${values.join(', ')})`);
  }
  if (c.isNull !== undefined && c.isNull !== null) {
    parts.push(c.isNull ? `${col} IS NULL` : `${col} IS NOT NULL`);
  }

  const ordered = isNumeric(type) || isTemporal(type);
  for (const op of Object.keys(ORDER_OPS) as Array<keyof typeof ORDER_OPS>) {
    if (c[op] === undefined) continue;
    refuseNull(op, c[op]);
    if (!ordered) throw notFor(op, column, 'numbers, dates and date-times', at(op));
    parts.push(`${col} ${ORDER_OPS[op]} ${literalFor(type, c[op], at(op), name)}`);
  }
  if (c.between !== undefined) {
    refuseNull('between', c.between);
    if (!ordered) throw notFor('between', column, 'numbers, dates and date-times', at('between'));
    const b = c.between as { from: unknown; to: unknown };
    parts.push(
      `${col} BETWEEN ${literalFor(type, b.from, at('between.from'), name)} AND ${literalFor(type, b.to, at('between.to'), name)}`,
    );
  }

  for (const op of TEXT_OPS) {
    const text = c[op];
    if (text === undefined) continue;
    refuseNull(op, text);
    if (type !== 'STRING') throw notFor(op, column, 'STRING columns', at(op));
    if (typeof text !== 'string') throw new RowsInputError('expected a string', at(op));
    const pattern = likePattern(text, op !== 'startsWith', op !== 'endsWith');
    const negate = op === 'notContains' ? 'NOT ' : '';
    parts.push(
      `${lhs} ${negate}LIKE ${ci ? `LOWER(${pattern})` : pattern} ESCAPE ${stringLiteral(LIKE_ESCAPE)}`,
    );
  }

  for (const op of ['last', 'previous', 'toDate'] as const) {
    const value = c[op];
    if (value === undefined) continue;
    refuseNull(op, value);
    if (!isTemporal(type)) throw notFor(op, column, 'DATE and DATETIME columns', at(op));
    const range =
      op === 'toDate'
        ? { kind: op, unit: unitOf(value, at(op)) }
        : {
            kind: op,
            unit: unitOf((value as { unit: unknown }).unit, at(`${op}.unit`)),
            count: countOf(value, at(`${op}.count`)),
          };
    const bounds = resolveRange(range, clock, type as 'DATE' | 'DATETIME');
    parts.push(
      `(${col} >= ${stringLiteral(bounds.from)} AND ${col} ${bounds.toInclusive ? '<=' : '<'} ${stringLiteral(bounds.to)})`,
    );
  }
  if (parts.length === 0) throw new RowsInputError(`no operator given for column \`${name}\``, path);
  return parts.length === 1 ? parts[0]! : `(${parts.join(' AND ')})`;
}

function notFor(op: string, column: RowColumn, applies: string, path: string): RowsInputError {
  return new RowsInputError(`${op} applies to ${applies}; column \`${column.name}\` is ${column.type}`, path);
}

function unitOf(value: unknown, path: string): DateUnit {
  if (typeof value === 'string' && (DATE_UNITS as readonly string[]).includes(value))
    return value as DateUnit;
  throw new RowsInputError(`expected one of ${DATE_UNITS.join(', ')}`, path);
}

function countOf(value: unknown, path: string): number {
  const n = (value as { count?: unknown }).count ?? 1;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > MAX_RANGE_COUNT)
    throw new RowsInputError(`count must be a whole number from 1 to ${MAX_RANGE_COUNT}`, path);
  return n;
}
