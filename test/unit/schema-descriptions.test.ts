/**
 * Descriptions are the API's documentation in GraphiQL: every public type, field, argument and enum
 * value carries one, the Relay plugin's generated connection types included.
 */
import type { GraphQLArgument, GraphQLEnumValue, GraphQLSchema } from 'graphql';
import { describe, expect, it } from 'vitest';
import { schema } from '../../src/graph/schema.ts';

// Structural checks, not graphql's isObjectType & co: vitest can load graphql's ESM build while the
// schema was built with its CommonJS one, and those predicates refuse objects from the other realm.
const BUILT_IN_SCALARS = new Set(['String', 'Int', 'Float', 'Boolean', 'ID']);

interface FieldLike {
  name: string;
  description?: string | null;
  args?: readonly GraphQLArgument[];
}

const described = (text: string | null | undefined) => typeof text === 'string' && text.trim() !== '';

/** Every schema coordinate (Type, Type.field, Type.field(arg), Enum.VALUE) with no description. */
function undescribed(s: GraphQLSchema): string[] {
  const missing: string[] = [];
  for (const type of Object.values(s.getTypeMap())) {
    if (type.name.startsWith('__') || BUILT_IN_SCALARS.has(type.name)) continue;
    if (!described(type.description)) missing.push(type.name);
    if ('getFields' in type) {
      for (const field of Object.values(type.getFields()) as FieldLike[]) {
        if (!described(field.description)) missing.push(`${type.name}.${field.name}`);
        for (const arg of field.args ?? []) {
          if (!described(arg.description)) missing.push(`${type.name}.${field.name}(${arg.name})`);
        }
      }
    }
    if ('getValues' in type) {
      for (const value of type.getValues() as GraphQLEnumValue[]) {
        if (!described(value.description)) missing.push(`${type.name}.${value.name}`);
      }
    }
  }
  return missing;
}

describe('schema descriptions', () => {
  it('describes every public type, field, argument and enum value', () => {
    expect(undescribed(schema)).toEqual([]);
  });

  it('describes the generated Relay parts: connection arguments, edges, cursors, PageInfo, Node.id', () => {
    const fieldsOf = (name: string) =>
      (schema.getType(name) as unknown as { getFields(): Record<string, FieldLike> }).getFields();
    expect(described(fieldsOf('PageInfo').hasNextPage?.description)).toBe(true);
    expect(described(fieldsOf('Node').id?.description)).toBe(true);
    const datasets = schema.getQueryType()?.getFields().datasets;
    expect(datasets?.args.map((a) => [a.name, described(a.description)])).toContainEqual(['first', true]);
  });
});
