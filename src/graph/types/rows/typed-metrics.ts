/** Typed aggregates: the metrics a selection asks for, and typed `having` inputs as the compiler's tree. */
import type { FieldNode, GraphQLResolveInfo, SelectionSetNode } from 'graphql';
import type { HavingNode, Metric, MetricFn } from '../../../rows/compile.ts';
import type { RowColumn } from '../../../rows/values.ts';

/** Metric fields of a typed group and the function each computes. */
export const METRIC_FIELDS: Record<string, MetricFn> = {
  countDistinct: 'COUNT_DISTINCT',
  sum: 'SUM',
  avg: 'AVG',
  min: 'MIN',
  max: 'MAX',
};

/** Metric objects carry every live column (null when not computed), so only removed ones error. */
export function fillMissing(metrics: Record<string, Record<string, unknown>>, columns: readonly RowColumn[]) {
  for (const field of Object.keys(METRIC_FIELDS)) {
    metrics[field] ??= {};
    const values = metrics[field]!;
    for (const c of columns) if (!(c.name in values)) values[c.name] = null;
  }
  return metrics;
}

/** The metrics a selection asks for under `nodes { … }` or `edges { node { … } }`, fragments followed. */
export function selectedMetrics(info: GraphQLResolveInfo, columnOf: Map<string, string>): Metric[] {
  const out = new Map<string, Metric>();
  const fieldsOf = (set: SelectionSetNode | undefined, visit: (f: FieldNode) => void) => {
    for (const s of set?.selections ?? []) {
      if (s.kind === 'Field') visit(s);
      else if (s.kind === 'InlineFragment') fieldsOf(s.selectionSet, visit);
      else fieldsOf(info.fragments[s.name.value]?.selectionSet, visit);
    }
  };
  const group = (set: SelectionSetNode | undefined) =>
    fieldsOf(set, (f) => {
      const name = f.name.value;
      if (name === 'count') out.set('COUNT', { fn: 'COUNT' });
      const fn = METRIC_FIELDS[name];
      if (fn)
        fieldsOf(f.selectionSet, (c) => {
          const column = columnOf.get(c.name.value);
          if (column) out.set(`${fn}:${column}`, { fn, column });
        });
    });
  for (const node of info.fieldNodes)
    fieldsOf(node.selectionSet, (f) => {
      if (f.name.value === 'nodes') group(f.selectionSet);
      if (f.name.value === 'edges')
        fieldsOf(f.selectionSet, (e) => e.name.value === 'node' && group(e.selectionSet));
    });
  return [...out.values()];
}

/** A typed having input as the compiler's tree. */
export function havingOf(
  input: Record<string, unknown> | undefined | null,
  columnOf: Map<string, string>,
  path: string,
): HavingNode | undefined {
  if (!input) return undefined;
  const parts: HavingNode[] = [];
  for (const kind of ['and', 'or'] as const) {
    const items = input[kind] as Array<Record<string, unknown>> | undefined;
    if (items)
      parts.push({ kind, items: items.map((x, i) => havingOf(x, columnOf, `${path}.${kind}[${i}]`)!) });
  }
  if (input.not)
    parts.push({
      kind: 'not',
      item: havingOf(input.not as Record<string, unknown>, columnOf, `${path}.not`)!,
    });
  if (input.count)
    parts.push({
      kind: 'cond',
      metric: { fn: 'COUNT' },
      condition: input.count as never,
      path: `${path}.count`,
    });
  for (const [field, fn] of Object.entries(METRIC_FIELDS)) {
    const byColumn = input[field] as Record<string, unknown> | undefined;
    for (const [f, condition] of Object.entries(byColumn ?? {})) {
      if (!condition) continue;
      parts.push({
        kind: 'cond',
        metric: { fn, column: columnOf.get(f) ?? f },
        condition: condition as never,
        path: `${path}.${field}.${f}`,
      });
    }
  }
  return parts.length === 1 ? parts[0] : { kind: 'and', items: parts };
}
