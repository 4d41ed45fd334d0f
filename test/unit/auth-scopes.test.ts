import { encodeGlobalID } from '@pothos/plugin-relay';
import { parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { scopeRefusal } from '../../src/auth/operation.ts';
import { argumentTarget, planOperation, TARGET_NAMES } from '../../src/auth/plan.ts';
import { datasetAllowed, datasetDecision, MUTATION_SCOPES, type Principal } from '../../src/auth/scopes.ts';
import { schema } from '../../src/graph/schema.ts';

const A = '0b9a4f2e-58a2-4c5e-9b43-3f1d2e7c8a11';
const B = '1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f';

const principal = (scopes: Principal['scopes'], datasets: Principal['datasets'] = null): Principal => ({
  kind: 'api-key',
  id: 'key:test',
  scopes,
  datasets,
});

// Duck-typed: Pothos may load graphql's CommonJS build while this file gets the ESM one, and the
// graphql predicates (isObjectType, …) refuse objects from the other build.
interface Typed {
  name: string;
  type: unknown;
  args?: readonly Typed[];
}
interface NamedType {
  name: string;
  getFields?: () => Record<string, Typed>;
  getInterfaces?: () => unknown;
  getValues?: unknown;
  parseLiteral?: unknown;
}
const getNamedType = (type: unknown): { name: string } => {
  let current = type as { ofType?: unknown; name: string };
  while (current.ofType) current = current.ofType as typeof current;
  return current;
};
const types = () => Object.values(schema.getTypeMap()) as unknown as NamedType[];
// Input object types have fields but no interfaces and no args on their fields.
const isOutput = (t: NamedType) => Boolean(t.getFields && t.getInterfaces);
const isInput = (t: NamedType) => Boolean(t.getFields && !t.getInterfaces && !('resolveType' in t));

const plan = (query: string, variables?: Record<string, unknown>) => {
  const result = planOperation(schema, parse(query), undefined, variables);
  if (!result) throw new Error('no operation');
  return result;
};

describe('mutation scopes are declared in one place', () => {
  it('classifies every mutation of the schema, and nothing that is not one', () => {
    // Adding a mutation without a line in src/auth/scopes.ts MUTATION_SCOPES fails here (and at run
    // time it is refused to every credential).
    const mutations = Object.keys(schema.getMutationType()?.getFields() ?? {}).sort();
    expect(mutations.length).toBeGreaterThan(10);
    expect(Object.keys(MUTATION_SCOPES).sort()).toEqual(mutations);
  });

  it('puts access changes under share and row changes under upload', () => {
    for (const name of ['shareDataset', 'revokeDatasetAccess', 'removeDatasetUser', 'removeDatasetUsers'])
      expect(MUTATION_SCOPES[name]?.scope).toBe('share');
    for (const name of ['uploadDatasetCsv', 'appendRows', 'deleteRows'])
      expect(MUTATION_SCOPES[name]?.scope).toBe('upload');
  });
});

describe('every argument that names a dataset or stream is known to the allow-list check', () => {
  const TARGET_TYPES = ['Dataset', 'Stream', 'Node', 'DataVersion', 'Partition'];
  const suspicious = /data(set|source)|stream/i; // names src/auth/plan.ts must know

  it('covers field arguments', () => {
    const missing: string[] = [];
    expect(types().filter(isOutput).length).toBeGreaterThan(20);
    expect(
      types()
        .filter(isInput)
        .map((t) => t.name),
    ).toContain('CreateStreamInput');
    for (const type of types()) {
      if (type.name.startsWith('__') || !isOutput(type)) continue;
      for (const field of Object.values(type.getFields!())) {
        const returns = getNamedType(field.type).name;
        for (const arg of field.args ?? []) {
          if (getNamedType(arg.type).name !== 'ID') continue;
          const names = suspicious.test(arg.name);
          const lookup =
            (arg.name === 'id' || arg.name === 'ids') &&
            TARGET_TYPES.includes(returns) &&
            type.name === 'Query';
          if ((names || lookup) && !argumentTarget(type.name, field.name, arg.name))
            missing.push(`${type.name}.${field.name}(${arg.name})`);
        }
      }
    }
    expect(missing).toEqual([]);
  });

  it('covers input object fields', () => {
    const missing: string[] = [];
    for (const type of types()) {
      if (type.name.startsWith('__') || !isInput(type)) continue;
      for (const field of Object.values(type.getFields!())) {
        if (
          getNamedType(field.type).name === 'ID' &&
          suspicious.test(field.name) &&
          !TARGET_NAMES[field.name]
        )
          missing.push(`${type.name}.${field.name}`);
      }
    }
    expect(missing).toEqual([]);
  });
});

describe('planOperation', () => {
  it('finds root fields through fragments and inline fragments', () => {
    const p = plan(`mutation { ...M ... on Mutation { indexDataset(datasetId: "${A}") { __typename } } }
      fragment M on Mutation { shareDataset(datasetId: "${B}", grants: []) { __typename } }`);
    expect(p.kind).toBe('mutation');
    expect(p.rootFields.sort()).toEqual(['indexDataset', 'shareDataset']);
    expect([...p.datasetIds].sort()).toEqual([A, B].sort());
  });

  it('reads ids from variables, lists, global ids and nested fields', () => {
    const p = plan(
      `query($ids: [ID!]!, $n: ID!) { datasetsByIds(ids: $ids) { id } node(id: $n) { id }
         nodes(ids: ["${encodeGlobalID('DataVersion', `${B}/7`)}", "${encodeGlobalID('Stream', '42')}", "${encodeGlobalID('User', '9')}"]) { id }
         stream(id: "5") { dataset { name } } }`,
      { ids: [A.toUpperCase()], n: encodeGlobalID('Dataset', B) },
    );
    expect([...p.datasetIds].sort()).toEqual([A, B].sort());
    expect([...p.streamIds].sort()).toEqual(['42', '5']);
  });

  it('finds a dataset named deep in a selection, under an alias', () => {
    const p = plan(`{ user(id: "1") { id } x: sql(datasetId: "${A}", sql: "select 1") { rowCount } }`);
    expect([...p.datasetIds]).toEqual([A]);
  });
});

describe('scopeRefusal', () => {
  it('needs read for a query, but not for introspection alone', () => {
    expect(scopeRefusal(principal(['write']), plan('{ user(id: "1") { id } }'))?.code).toBe('FORBIDDEN');
    expect(scopeRefusal(principal(['write']), plan('{ __typename }'))).toBeUndefined();
    expect(scopeRefusal(principal(['read']), plan('{ user(id: "1") { id } }'))).toBeUndefined();
  });

  it("needs each mutation's own scope", () => {
    const share = plan(`mutation { shareDataset(datasetId: "${A}", grants: []) { __typename } }`);
    expect(scopeRefusal(principal(['read', 'write']), share)).toMatchObject({
      code: 'FORBIDDEN',
      scope: 'share',
    });
    expect(scopeRefusal(principal(['share']), share)).toBeUndefined();
    const index = plan(`mutation { indexDataset(datasetId: "${A}") { __typename } }`);
    expect(scopeRefusal(principal(['read']), index)).toMatchObject({ scope: 'write' });
  });

  it('refuses an unclassified mutation and dataset creation under an allow-list', () => {
    expect(
      scopeRefusal(principal(['write']), {
        ...plan('mutation { __typename }'),
        rootFields: ['dropEverything'],
      })?.message,
    ).toMatch(/no declared scope/);
    const create = plan('mutation { createDataset(name: "x", columns: []) { __typename } }');
    expect(scopeRefusal(principal(['write']), create)).toBeUndefined();
    expect(scopeRefusal(principal(['write'], { ids: [A], tags: [] }), create)?.message).toMatch(
      /creates a dataset/,
    );
  });
});

describe('dataset allow-list', () => {
  const p = principal(['read'], { ids: [A], tags: ['finance'] });

  it('decides by id, and by tags from the metadata', () => {
    expect(datasetDecision(p, A.toUpperCase())).toBe('allowed');
    expect(datasetDecision(p, B)).toBe('tags');
    expect(datasetDecision(principal(['read'], { ids: [A], tags: [] }), B)).toBe('denied');
    expect(datasetAllowed(p, { id: B, tags: '["finance","x"]' })).toBe(true);
    expect(datasetAllowed(p, { id: B, tags: '["Finance"]' })).toBe(false);
    expect(datasetAllowed(p, { id: B, tags: 'not json' })).toBe(false);
    expect(datasetAllowed(p, { id: B })).toBe(false);
    expect(datasetAllowed(principal(['read']), { id: B })).toBe(true);
  });
});
