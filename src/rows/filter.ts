/**
 * Row filters: a tree of `and`, `or`, `not` over per-column conditions, as plain objects (the
 * GraphQL layer's inputs are these objects). Two input styles normalise to one tree:
 * - named, for any dataset: `{ column: "amount", gt: 100 }`, `{ and: [...] }`, mixed in one object;
 * - typed, for pinned datasets: `{ amount: { gt: 100 }, and: [...] }` (Hasura's style), the field
 *   names mapped back to column names.
 */
import type { DateUnit } from './dates.ts';
import { RowsInputError } from './errors.ts';

/** Operators on one column; several in one condition are ANDed. */
export interface Condition {
  eq?: unknown;
  neq?: unknown;
  in?: unknown[] | null;
  notIn?: unknown[] | null;
  isNull?: boolean | null;
  lt?: unknown;
  lte?: unknown;
  gt?: unknown;
  gte?: unknown;
  between?: { from: unknown; to: unknown } | null;
  contains?: string | null;
  notContains?: string | null;
  startsWith?: string | null;
  endsWith?: string | null;
  /** Makes eq, neq, in, notIn and the text operators of this condition ignore case. */
  caseInsensitive?: boolean | null;
  last?: { count?: number | null; unit: DateUnit } | null;
  previous?: { count?: number | null; unit: DateUnit } | null;
  toDate?: DateUnit | null;
}

export const CONDITION_KEYS = [
  'eq',
  'neq',
  'in',
  'notIn',
  'isNull',
  'lt',
  'lte',
  'gt',
  'gte',
  'between',
  'contains',
  'notContains',
  'startsWith',
  'endsWith',
  'caseInsensitive',
  'last',
  'previous',
  'toDate',
] as const;

export type FilterNode =
  | { kind: 'and' | 'or'; items: FilterNode[] }
  | { kind: 'not'; item: FilterNode }
  | { kind: 'cond'; column: string; condition: Condition; path: string };

/** Nesting and size bounds: a filter is compiled recursively and turned into one SQL statement. */
export const MAX_FILTER_DEPTH = 32;
export const MAX_FILTER_NODES = 1000;

interface Budget {
  nodes: number;
}

function count(budget: Budget, path: string, depth: number) {
  if (depth > MAX_FILTER_DEPTH)
    throw new RowsInputError(`filters nest at most ${MAX_FILTER_DEPTH} levels deep`, path);
  if (++budget.nodes > MAX_FILTER_NODES)
    throw new RowsInputError(`a filter holds at most ${MAX_FILTER_NODES} conditions and combinators`, path);
}

type Obj = Record<string, unknown>;

function pickCondition(input: Obj): Condition | undefined {
  let found = false;
  const condition: Obj = {};
  for (const key of CONDITION_KEYS) {
    if (key in input && input[key] !== undefined) {
      condition[key] = input[key];
      if (key !== 'caseInsensitive') found = true;
    }
  }
  return found ? (condition as Condition) : undefined;
}

function combine(parts: FilterNode[]): FilterNode {
  return parts.length === 1 ? parts[0]! : { kind: 'and', items: parts };
}

function combinators(
  input: Obj,
  path: string,
  depth: number,
  budget: Budget,
  recurse: (item: Obj, path: string, depth: number, budget: Budget) => FilterNode,
): FilterNode[] {
  const parts: FilterNode[] = [];
  for (const kind of ['and', 'or'] as const) {
    const list = input[kind];
    if (list === undefined || list === null) continue;
    if (!Array.isArray(list)) throw new RowsInputError(`${kind} takes a list of filters`, `${path}.${kind}`);
    count(budget, `${path}.${kind}`, depth);
    parts.push({
      kind,
      items: list.map((item, i) => recurse(item as Obj, `${path}.${kind}[${i}]`, depth + 1, budget)),
    });
  }
  if (input.not !== undefined && input.not !== null) {
    count(budget, `${path}.not`, depth);
    parts.push({ kind: 'not', item: recurse(input.not as Obj, `${path}.not`, depth + 1, budget) });
  }
  return parts;
}

/** A named-style filter (`{ column, ...operators, and, or, not }`) as a tree. */
export function namedFilter(input: Obj | null | undefined, path = 'where'): FilterNode | undefined {
  if (!input) return undefined;
  const walk = (item: Obj, at: string, depth: number, budget: Budget): FilterNode => {
    if (!item || typeof item !== 'object') throw new RowsInputError('expected a filter object', at);
    const parts = combinators(item, at, depth, budget, walk);
    const condition = pickCondition(item);
    const column = item.column;
    if (column !== undefined && column !== null) {
      if (typeof column !== 'string')
        throw new RowsInputError('column must be a column name', `${at}.column`);
      if (!condition)
        throw new RowsInputError(
          `column \`${column}\` is named but no operator is given (eq, gt, contains, …)`,
          at,
        );
      count(budget, at, depth);
      parts.push({ kind: 'cond', column, condition, path: at });
    } else if (condition) {
      throw new RowsInputError('an operator needs the column it applies to: add column', at);
    }
    // An empty filter matches every row, as an empty `and`.
    return parts.length ? combine(parts) : { kind: 'and', items: [] };
  };
  return walk(input, path, 0, { nodes: 0 });
}

/** A typed-style filter (`{ field: { ...operators }, and, or, not }`) as a tree. */
export function typedFilter(
  input: Obj | null | undefined,
  columnOf: (field: string) => string | undefined,
  path = 'where',
): FilterNode | undefined {
  if (!input) return undefined;
  const walk = (item: Obj, at: string, depth: number, budget: Budget): FilterNode => {
    if (!item || typeof item !== 'object') throw new RowsInputError('expected a filter object', at);
    const parts = combinators(item, at, depth, budget, walk);
    for (const [field, value] of Object.entries(item)) {
      if (field === 'and' || field === 'or' || field === 'not' || value === undefined || value === null)
        continue;
      const column = columnOf(field);
      if (column === undefined) throw new RowsInputError(`unknown field ${field}`, `${at}.${field}`);
      const condition = pickCondition(value as Obj);
      if (!condition) continue;
      count(budget, `${at}.${field}`, depth);
      parts.push({ kind: 'cond', column, condition, path: `${at}.${field}` });
    }
    return parts.length ? combine(parts) : { kind: 'and', items: [] };
  };
  return walk(input, path, 0, { nodes: 0 });
}
