/**
 * What an operation names, read from its document and variables before it runs: its root fields,
 * and every dataset and stream its arguments name (`dataset(id:)`, `datasetsByIds`, `node`/`nodes`,
 * any `datasetId` or `streamId`, in input objects too). Used by the scope plugin (operation.ts).
 */
import { decodeGlobalID } from '@pothos/plugin-relay';
import {
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  getOperationAST,
  Kind,
  type SelectionSetNode,
  valueFromASTUntyped,
} from 'graphql';
import { domoExtensions } from '../graph/field-extensions.ts';
import { isDatasetId } from './scopes.ts';

export type TargetKind = 'dataset' | 'stream' | 'node';

/** Arguments that name a dataset or stream, by coordinate. */
export const TARGET_ARGUMENTS: Readonly<Record<string, TargetKind>> = {
  'Query.dataset.id': 'dataset',
  'Query.datasetsByIds.ids': 'dataset',
  'Subscription.datasetChanged.id': 'dataset',
  'Query.node.id': 'node',
  'Query.nodes.ids': 'node',
  'Query.stream.id': 'stream',
};

/** …and by name, on any field or in any input object. */
export const TARGET_NAMES: Readonly<Record<string, TargetKind>> = {
  datasetId: 'dataset',
  datasetIds: 'dataset',
  streamId: 'stream',
  streamIds: 'stream',
};

export function argumentTarget(type: string, field: string, argument: string): TargetKind | undefined {
  return TARGET_ARGUMENTS[`${type}.${field}.${argument}`] ?? TARGET_NAMES[argument];
}

/** Node types whose global id holds a dataset id (before a `/` for versions and partitions). */
const DATASET_NODES = ['Dataset', 'DataVersion', 'Partition'];

export interface OperationPlan {
  kind: 'query' | 'mutation' | 'subscription';
  rootFields: string[];
  datasetIds: Set<string>;
  streamIds: Set<string>;
}

function rootFieldNames(
  selections: SelectionSetNode,
  fragments: Map<string, FragmentDefinitionNode>,
  out: string[],
  seen = new Set<string>(),
): string[] {
  for (const selection of selections.selections) {
    if (selection.kind === Kind.FIELD) out.push(selection.name.value);
    else if (selection.kind === Kind.INLINE_FRAGMENT)
      rootFieldNames(selection.selectionSet, fragments, out, seen);
    else if (!seen.has(selection.name.value)) {
      seen.add(selection.name.value);
      const fragment = fragments.get(selection.name.value);
      if (fragment) rootFieldNames(fragment.selectionSet, fragments, out, seen);
    }
  }
  return out;
}

export function addTarget(plan: OperationPlan, kind: TargetKind, value: unknown): void {
  const values = Array.isArray(value) ? value : [value];
  for (const item of values) {
    if (item === null || item === undefined) continue;
    const text = String(item).trim();
    if (kind === 'stream') plan.streamIds.add(text);
    else if (isDatasetId(text)) plan.datasetIds.add(text.toLowerCase());
    else {
      // A global id (node(id:), and dataset(id:) taking one): what it names decides.
      let decoded: { typename: string; id: string } | undefined;
      try {
        decoded = decodeGlobalID(text);
      } catch {
        decoded = undefined;
      }
      if (!decoded) continue; // undecodable: the resolver refuses it as bad input, upstream untouched
      if (DATASET_NODES.includes(decoded.typename)) {
        const id = decoded.id.split('/')[0]!;
        // Not a UUID: the node's parser refuses it before any call; still never let it pass unchecked.
        plan.datasetIds.add(isDatasetId(id) ? id.toLowerCase() : id);
      } else if (decoded.typename === 'Stream') plan.streamIds.add(decoded.id);
    }
  }
}

/** Targets named inside input objects (`{ datasetId: … }` at any depth). */
function addNested(plan: OperationPlan, value: unknown, depth = 0): void {
  if (depth > 20 || value === null || typeof value !== 'object') return;
  if (Array.isArray(value)) {
    for (const item of value) addNested(plan, item, depth + 1);
    return;
  }
  for (const [key, item] of Object.entries(value)) {
    const kind = TARGET_NAMES[key];
    if (kind) addTarget(plan, kind, item);
    else addNested(plan, item, depth + 1);
  }
}

/** The slice of a schema type the walk reads, duck-typed: Pothos and this file may load different
 * builds of graphql (CommonJS and ESM), whose type predicates refuse each other's objects. */
interface WalkType {
  name: string;
  getFields?: () => Record<string, { name: string; type: unknown }>;
}

function namedType(schema: GraphQLSchema, type: unknown): WalkType | undefined {
  let current = type as { ofType?: unknown; name?: string } | undefined;
  while (current?.ofType) current = current.ofType as typeof current;
  return current?.name ? (schema.getType(current.name) as WalkType | undefined) : undefined;
}

/** What an operation will do and name, read from the document and its variables. */
export function planOperation(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  variables: Record<string, unknown> | null | undefined,
): OperationPlan | undefined {
  const operation = getOperationAST(document, operationName);
  if (!operation) return undefined;
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  const plan: OperationPlan = {
    kind: operation.operation,
    rootFields: rootFieldNames(operation.selectionSet, fragments, []),
    datasetIds: new Set(),
    streamIds: new Set(),
  };
  const root =
    operation.operation === 'query'
      ? schema.getQueryType()
      : operation.operation === 'mutation'
        ? schema.getMutationType()
        : schema.getSubscriptionType();
  // Each (fragment, type) pair once: a fragment spread many times is read once per parent type.
  const walked = new Set<string>();
  const walk = (selections: SelectionSetNode, type: WalkType | undefined, depth: number): void => {
    if (!type || depth > 64) return;
    for (const selection of selections.selections) {
      if (selection.kind === Kind.FIELD) {
        const field = type.getFields?.()[selection.name.value];
        if (!field) continue;
        // A typed root of a pinned dataset names its dataset in the schema, not in an argument.
        const pinned = domoExtensions(field).domoDatasetId;
        if (pinned) plan.datasetIds.add(pinned.toLowerCase());
        for (const argument of selection.arguments ?? []) {
          // Untyped: IDs arrive as strings or ints, variables already coerced by graphql.
          const value = valueFromASTUntyped(argument.value, variables ?? undefined);
          const kind = argumentTarget(type.name, field.name, argument.name.value);
          if (kind) addTarget(plan, kind, value);
          else addNested(plan, value);
        }
        if (selection.selectionSet) walk(selection.selectionSet, namedType(schema, field.type), depth + 1);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const condition = selection.typeCondition?.name.value;
        walk(selection.selectionSet, condition ? (schema.getType(condition) as WalkType) : type, depth + 1);
      } else {
        const fragment = fragments.get(selection.name.value);
        const key = `${selection.name.value}@${type.name}`;
        if (!fragment || walked.has(key)) continue;
        walked.add(key);
        walk(fragment.selectionSet, schema.getType(fragment.typeCondition.name.value) as WalkType, depth + 1);
      }
    }
  };
  walk(operation.selectionSet, (root ?? undefined) as WalkType | undefined, 0);
  return plan;
}
