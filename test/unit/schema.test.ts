/** Every public part of the schema carries a description: they are the API's documentation in GraphiQL. */
// Duck-typed: Pothos may load graphql's CommonJS build while this file gets the ESM one, and the
// graphql predicates (isObjectType, …) refuse objects from the other build.
import { describe, expect, it } from 'vitest';
import { schema } from '../../src/graph/schema.ts';

interface Described {
  name: string;
  description?: string | null;
}
interface Field extends Described {
  args?: readonly Described[];
}
interface NamedType extends Described {
  getFields?: () => Record<string, Field>;
  getValues?: () => readonly Described[];
}

const BUILT_IN_SCALARS = new Set(['String', 'Int', 'Float', 'Boolean', 'ID']);

function undocumented(): string[] {
  const missing: string[] = [];
  const need = (what: string, description: string | null | undefined) => {
    if (!description?.trim()) missing.push(what);
  };
  const args = (where: string, list: readonly Described[] = []) => {
    for (const arg of list) need(`${where}(${arg.name})`, arg.description);
  };
  for (const type of Object.values(schema.getTypeMap()) as NamedType[]) {
    if (type.name.startsWith('__') || BUILT_IN_SCALARS.has(type.name)) continue;
    need(type.name, type.description);
    for (const field of Object.values(type.getFields?.() ?? {})) {
      need(`${type.name}.${field.name}`, field.description);
      args(`${type.name}.${field.name}`, field.args);
    }
    for (const value of type.getValues?.() ?? []) need(`${type.name}.${value.name}`, value.description);
  }
  for (const directive of schema.getDirectives()) {
    if (['include', 'skip', 'deprecated', 'specifiedBy', 'oneOf', 'defer', 'stream'].includes(directive.name))
      continue;
    need(`@${directive.name}`, directive.description);
    args(`@${directive.name}`, directive.args as readonly Described[]);
  }
  return missing;
}

describe('schema descriptions', () => {
  it('documents every type, field, argument and enum value', () => {
    expect(undocumented()).toEqual([]);
  });
});
