/**
 * Upstream cost, estimated before anything runs: the most calls to Domo an operation can make,
 * refused with OPERATION_TOO_COMPLEX when over DOMO_MAX_CALLS_PER_REQUEST, so an operation never
 * stops halfway for lack of budget (the runtime budget in src/domo/call.ts stays as the backstop).
 *
 * What each field costs is declared in cost-table.ts, in one table keyed by `Type.field` (FIELD_COSTS), with
 * defaults by the type a field returns (TYPE_COSTS: a link to a Stream or a User is one GET per
 * object; a link to a Dataset goes through the bulk loader, one call per batch). The estimate:
 * - a field costs its calls once per parent object; a field a loader batches (Dataset links, through
 *   the bulk endpoint) once per group of parents that arrived in the same upstream answer, and
 *   sibling batched fields of one selection share that call, as they share the loader's tick;
 * - a list multiplies what its items select: by the page size under a connection (`first`, or
 *   MAX_PAGE_SIZE), by the number of ids for `ids` arguments, else (lists Domo does not page:
 *   cards, access entries, columns) by the field's `items` or UNPAGED_LIST_ITEMS; nested lists
 *   multiply. Unpaged lists have no bound to read; UNPAGED_LIST_ITEMS is an assumption, so a
 *   dataset with more cards than that can make more calls than estimated: the runtime budget
 *   still bounds those;
 * - every selection counts, the ones under @skip/@include and under fragments on other types too,
 *   and fields are not merged across aliases or fragments: a worst case, never an undercount;
 * - per-request loaders that would dedupe repeated keys (cards of the same dataset twice) are not
 *   credited: the estimate cannot know the keys.
 * The walk is linear: a fragment is measured once per (type, page), as a Linear.
 */
import type {
  DocumentNode,
  FieldNode,
  FragmentDefinitionNode,
  GraphQLError,
  OperationDefinitionNode,
  SelectionSetNode,
  ValueNode,
} from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { MAX_IDS_PER_REQUEST } from './builder.ts';
import {
  FIELD_COSTS,
  type FieldCost,
  FREE,
  MUTATION_COST,
  TYPE_COSTS,
  UNPAGED_LIST_ITEMS,
} from './cost-table.ts';
import { domoExtensions } from './field-extensions.ts';
import { tooComplex } from './limits.ts';

export { FIELD_COSTS, type FieldCost, UNPAGED_LIST_ITEMS } from './cost-table.ts';

export interface CostSettings {
  /** DOMO_MAX_CALLS_PER_REQUEST. */
  maxCalls: number;
  /** MAX_PAGE_SIZE: the page of a connection without `first`. */
  maxPageSize: number;
}

/** The parts of graphql-js's schema the walk reads (no class identity: see limits.ts). */
interface SchemaLike {
  getType(name: string): unknown;
}
interface FieldDefLike {
  type: unknown;
  args: ReadonlyArray<{ name: string }>;
}

/**
 * A selection's calls as `perObject × objects + perGroup × groups`: `objects` is how many parent
 * objects it runs on, `groups` how many separate upstream answers they arrived in (a batching loader
 * makes one call per group: loads of objects that arrive together share a tick, and a batch).
 */
interface Linear {
  perObject: number;
  perGroup: number;
}

function fieldsOf(schema: SchemaLike, typeName: string): Record<string, FieldDefLike> {
  const type = schema.getType(typeName) as { getFields?: () => Record<string, FieldDefLike> } | undefined;
  return type?.getFields?.() ?? {};
}

/** `[Dataset]!` → { named: 'Dataset', list: true }. */
function shape(type: unknown): { named: string; list: boolean } {
  const text = String(type);
  return { named: text.replace(/[[\]!]/g, ''), list: text.startsWith('[') };
}

function costOf(typeName: string, field: string, returns: string, definition: unknown): FieldCost {
  const listed = FIELD_COSTS[`${typeName}.${field}`] ?? domoExtensions(definition).domoCost;
  if (listed) return listed;
  if (typeName === 'Mutation') return MUTATION_COST;
  // An edge's node is in the page its connection fetched.
  if (field === 'node' && typeName.endsWith('Edge')) return FREE;
  return TYPE_COSTS[returns] ?? FREE;
}

/** The most calls the operation can make to Domo. */
export function estimateCalls(
  schema: SchemaLike,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown>,
  settings: Pick<CostSettings, 'maxPageSize'>,
): number {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === 'FragmentDefinition') fragments.set(definition.name.value, definition);
  }
  const defaults = new Map<string, ValueNode>();
  for (const definition of operation.variableDefinitions ?? []) {
    if (definition.defaultValue) defaults.set(definition.variable.name.value, definition.defaultValue);
  }

  /** An argument's value as a number (its length for a list), or undefined when absent or null. */
  const argumentSize = (field: FieldNode, name: string): number | undefined => {
    const node = field.arguments?.find((a) => a.name.value === name)?.value;
    const value = (v: ValueNode | undefined): unknown => {
      if (!v) return undefined;
      if (v.kind === 'Variable') {
        const given = variables[v.name.value];
        return given === undefined ? value(defaults.get(v.name.value)) : given;
      }
      if (v.kind === 'IntValue') return Number(v.value);
      if (v.kind === 'ListValue') return v.values;
      return undefined;
    };
    const raw = value(node);
    if (Array.isArray(raw)) return raw.length;
    return typeof raw === 'number' && Number.isFinite(raw) ? raw : undefined;
  };

  const memo = new Map<string, Linear>();
  const visiting = new Set<string>();

  const measure = (set: SelectionSetNode | undefined, typeName: string, page?: number): Linear => {
    const total: Linear = { perObject: 0, perGroup: 0 };
    if (!set) return total;
    /** Batched loads of this selection, by the type loaded: one call per group for all of them. */
    const batched = new Map<string, number>();
    const add = (part: Linear) => {
      total.perObject += part.perObject;
      total.perGroup += part.perGroup;
    };
    for (const selection of set.selections) {
      if (selection.kind === 'InlineFragment') {
        add(measure(selection.selectionSet, selection.typeCondition?.name.value ?? typeName, page));
        continue;
      }
      if (selection.kind === 'FragmentSpread') {
        const fragment = fragments.get(selection.name.value);
        if (!fragment) continue;
        const on = fragment.typeCondition.name.value;
        const key = `${fragment.name.value}|${on}|${page ?? ''}`;
        let part = memo.get(key);
        if (!part) {
          // A cycle is refused by validation before execution; guard the walk anyway.
          if (visiting.has(key)) continue;
          visiting.add(key);
          part = measure(fragment.selectionSet, on, page);
          visiting.delete(key);
          memo.set(key, part);
        }
        add(part);
        continue;
      }
      const name = selection.name.value;
      // Introspection and __typename never reach Domo.
      if (name.startsWith('__')) continue;
      const definition = fieldsOf(schema, typeName)[name];
      if (!definition) continue;
      const { named, list } = shape(definition.type);
      const cost = costOf(typeName, name, named, definition);
      const pageArg = definition.args.some((a) => a.name === 'first');
      const pageSize = pageArg
        ? Math.min(
            Math.max(argumentSize(selection, 'first') ?? settings.maxPageSize, 0),
            settings.maxPageSize,
          )
        : undefined;
      let items = 1;
      if (list) {
        const ids = definition.args.some((a) => a.name === 'ids')
          ? argumentSize(selection, 'ids')
          : undefined;
        items =
          page ??
          (ids !== undefined ? Math.min(ids, MAX_IDS_PER_REQUEST) : (cost.items ?? UNPAGED_LIST_ITEMS));
      }
      const calls = (cost.calls ?? 0) * (cost.perItem ? items : 1);
      const sub = measure(selection.selectionSet, named, pageSize);
      // Each parent yields `items` objects.
      total.perObject += sub.perObject * items;
      if (cost.batched) {
        batched.set(named, Math.max(batched.get(named) ?? 0, calls));
        total.perGroup += sub.perGroup;
      } else if (calls > 0) {
        // One answer per parent (per item for perItem): that many groups below.
        total.perObject += calls + sub.perGroup * (cost.perItem ? items : 1);
      } else {
        // Embedded in the parent's payload: its objects arrive with the parent.
        total.perGroup += sub.perGroup;
      }
    }
    for (const calls of batched.values()) total.perGroup += calls;
    return total;
  };

  const root =
    operation.operation === 'mutation' ? 'Mutation' : operation.operation === 'query' ? 'Query' : '';
  const schemaRoot =
    (root === 'Query'
      ? (schema as { getQueryType?: () => { name: string } | null }).getQueryType?.()
      : root === 'Mutation'
        ? (schema as { getMutationType?: () => { name: string } | null }).getMutationType?.()
        : null
    )?.name ?? root;
  // One root object, arrived in one group.
  const { perObject, perGroup } = measure(operation.selectionSet, schemaRoot);
  return perObject + perGroup;
}

/** The operation `operationName` selects (the only one when it is unset), as graphql-js picks it. */
function selectedOperation(document: DocumentNode, operationName?: string | null) {
  const operations = document.definitions.filter(
    (d): d is OperationDefinitionNode => d.kind === 'OperationDefinition',
  );
  if (operationName) return operations.find((o) => o.name?.value === operationName);
  return operations.length === 1 ? operations[0] : undefined;
}

/** The refusal, or undefined when the operation's estimate is within the budget. */
export function checkCost(
  schema: SchemaLike,
  document: DocumentNode,
  operationName: string | null | undefined,
  variables: Record<string, unknown>,
  settings: CostSettings,
): GraphQLError | undefined {
  const operation = selectedOperation(document, operationName);
  // graphql-js reports a missing or ambiguous operation itself.
  if (!operation) return undefined;
  const estimate = estimateCalls(schema, document, operation, variables, settings);
  if (estimate <= settings.maxCalls) return undefined;
  const name = operation.name ? `Operation "${operation.name.value}"` : 'The operation';
  return tooComplex(
    `${name} could make up to ${estimate} calls to Domo (its lists at their full page size); the limit is ${settings.maxCalls} (DOMO_MAX_CALLS_PER_REQUEST). Ask for smaller pages (first) or fewer fields per item`,
    'DOMO_MAX_CALLS_PER_REQUEST',
    settings.maxCalls,
    estimate,
    operation,
  );
}

/** Refuses an operation whose estimate is over the budget, before its first resolver runs. */
export function useCostLimit(settings: CostSettings): Plugin {
  return {
    onExecute({ args, setResultAndStopExecution }) {
      const error = checkCost(
        args.schema,
        args.document,
        args.operationName,
        (args.variableValues ?? {}) as Record<string, unknown>,
        settings,
      );
      if (error) setResultAndStopExecution({ errors: [error] });
    },
  };
}
