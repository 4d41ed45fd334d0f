/**
 * The datasets and streams an operation names in its arguments, as cache entities: a query that
 * names one is filed under it (so `sql(datasetId:)`, whose answer holds no Dataset, is still
 * invalidated by an append to that dataset), and a mutation that names one invalidates every
 * answer filed under it, whatever the mutation's payload selects. Ids are compared raw and
 * lowercase: Domo's ids in arguments, Relay global ids in answers (`Dataset.id`) both reduce to it.
 */

import type { CacheEntityRecord } from '@envelop/response-cache';
import { decodeGlobalID } from '@pothos/plugin-relay';
import { type DocumentNode, getOperationAST, Kind, type ValueNode, valueFromASTUntyped } from 'graphql';

/** Types whose ids the cache files answers under (Relay nodes whose changes mutations make). */
const ENTITY_TYPES = new Set(['Dataset', 'Stream']);
/** Argument names that carry a dataset's or a stream's id, wherever they sit in an input. */
const ARG_TYPES: Record<string, string | undefined> = {
  datasetId: 'Dataset',
  datasetIds: 'Dataset',
  streamId: 'Stream',
};

/** An entity as the plugin collected it, its id reduced to the raw lowercase id for Dataset and Stream. */
export function normalEntity(entity: CacheEntityRecord): CacheEntityRecord {
  if (entity.id == null || !ENTITY_TYPES.has(entity.typename)) return entity;
  return { typename: entity.typename, id: rawId(String(entity.id), entity.typename) ?? entity.id };
}

/** The raw id of a global id of `typename` (or of a raw id), lowercase; undefined for another type's. */
function rawId(value: string, typename: string): string | undefined {
  const decoded = decodeGlobal(value);
  if (!decoded) return value.toLowerCase();
  return decoded.typename === typename ? decoded.id.toLowerCase() : undefined;
}

function decodeGlobal(value: string): { typename: string; id: string } | undefined {
  // A Domo UUID or a numeric stream id is not base64 of "Type:id".
  if (/^[0-9a-f-]{36}$/i.test(value) || /^\d+$/.test(value)) return undefined;
  try {
    const decoded = decodeGlobalID(value);
    return decoded.typename && decoded.id ? decoded : undefined;
  } catch {
    return undefined;
  }
}

/** Entities the root fields' arguments name (`dataset(id:)`, `sql(datasetId:)`, `executeStream(streamId:)`, …). */
export function argumentEntities(
  document: DocumentNode,
  operationName: string | null | undefined,
  variables: Record<string, unknown> | null | undefined,
): CacheEntityRecord[] {
  const operation = getOperationAST(document, operationName);
  if (!operation) return [];
  const found = new Map<string, CacheEntityRecord>();
  const add = (typename: string | undefined, value: unknown) => {
    if (typeof value !== 'string' && typeof value !== 'number') return;
    const text = String(value);
    const global = decodeGlobal(text);
    const type = global && ENTITY_TYPES.has(global.typename) ? global.typename : typename;
    if (!type) return;
    const id = global ? global.id.toLowerCase() : text.toLowerCase();
    found.set(`${type}:${id}`, { typename: type, id });
  };
  const visit = (name: string, value: unknown, fieldType: string | undefined) => {
    if (Array.isArray(value)) {
      for (const item of value) visit(name, item, fieldType);
    } else if (value !== null && typeof value === 'object') {
      for (const [key, item] of Object.entries(value)) visit(key, item, ARG_TYPES[key]);
    } else {
      add(ARG_TYPES[name] ?? fieldType, value);
    }
  };
  for (const selection of operation.selectionSet.selections) {
    if (selection.kind !== Kind.FIELD) continue;
    // `dataset(id:)`, `datasetsByIds(ids:)`, `stream(id:)`: the field says what the id is.
    const field = selection.name.value;
    const byField = field.startsWith('dataset')
      ? 'Dataset'
      : field.startsWith('stream')
        ? 'Stream'
        : undefined;
    for (const arg of selection.arguments ?? []) {
      const value = argumentValue(arg.value, variables);
      const name = arg.name.value;
      visit(name, value, name === 'id' || name === 'ids' ? byField : undefined);
    }
  }
  return [...found.values()];
}

function argumentValue(node: ValueNode, variables: Record<string, unknown> | null | undefined): unknown {
  return valueFromASTUntyped(node, variables ?? undefined);
}
