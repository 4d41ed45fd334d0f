/**
 * Global ids from callers: an id that does not decode, or that names a type with no node behind it,
 * is the caller's mistake (BAD_USER_INPUT), not a server error. Pothos's own decoder throws a plain
 * validation error, which the gateway would mask as an internal one.
 */
import { decodeGlobalID } from '@pothos/plugin-relay';
import type { GraphQLResolveInfo } from 'graphql';
import { badUserInput } from './errors.ts';

export interface GlobalId {
  typename: string;
  id: string;
}

/** Pothos's decoder, with a BAD_USER_INPUT for what does not decode. */
export function decodeCallerGlobalId(globalID: string): GlobalId {
  try {
    return decodeGlobalID(globalID);
  } catch {
    throw badUserInput(
      `"${globalID.slice(0, 64)}" is not a global id (as the id field of a Node returns it)`,
    );
  }
}

/** The id, when it names an object type that implements Node; else a BAD_USER_INPUT naming `field`. */
export function nodeGlobalId(info: GraphQLResolveInfo, id: GlobalId, field: string): GlobalId {
  // Duck-typed: graphql's CommonJS and ESM builds can both be loaded (see errors.ts).
  const type = info.schema.getType(id.typename) as { getInterfaces?: () => ReadonlyArray<{ name: string }> };
  if (!type?.getInterfaces?.().some((i) => i.name === 'Node'))
    throw badUserInput(`${field} names no type that node(id) can fetch (${id.typename.slice(0, 64)})`, field);
  return id;
}
