/**
 * What the gateway tells a stranger about its schema: "Did you mean" hints and introspection, on
 * and off, through the real gateway.
 */
import { getIntrospectionQuery } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_DATASETS } from '../../src/sandbox/seed.ts';
import { type Stack, startStack } from '../helpers/stack.ts';

const SALES = DEMO_DATASETS.sales;
let dev: Stack;
let prod: Stack;
beforeAll(async () => {
  dev = await startStack();
  prod = await startStack({ introspection: false, fieldSuggestions: false });
});
afterAll(async () => {
  await dev.close();
  await prod.close();
});

const typos = [
  `{ dataset(id: "${SALES}") { nme } }`,
  `{ datasets(frist: 2) { totalCount } }`,
  `query ($o: DatasetOrdr) { datasets(orderBy: $o) { totalCount } }`,
];

describe('field suggestions', () => {
  it('are given in development', async () => {
    const res = await dev.gql(typos[0]!);
    expect(res.errors![0]!.message).toBe('Cannot query field "nme" on type "Dataset". Did you mean "name"?');
  });

  it.each(typos)('are removed outside development: %s', async (query) => {
    const [withHints, without] = await Promise.all([dev.gql(query), prod.gql(query)]);
    expect(withHints.errors![0]!.message).toMatch(/Did you mean/);
    expect(without.errors).toHaveLength(withHints.errors!.length);
    for (const error of without.errors!) {
      expect(error.message).not.toMatch(/Did you mean/i);
      expect(error.message.length).toBeGreaterThan(10);
    }
  });

  it('are removed from variable coercion errors (an enum value) too', async () => {
    const query = 'query ($o: DatasetOrder) { datasets(orderBy: $o) { totalCount } }';
    const [withHints, without] = await Promise.all([
      dev.gql(query, { o: 'NAMEE' }),
      prod.gql(query, { o: 'NAMEE' }),
    ]);
    expect(JSON.stringify(withHints.errors)).toMatch(/Did you mean/);
    expect(without.errors).toHaveLength(1);
    expect(without.errors![0]!.message).toMatch(/NAMEE/);
    expect(without.errors![0]!.message).not.toMatch(/Did you mean/i);
  });
});

describe('introspection', () => {
  it('answers when on', async () => {
    const res = await dev.gql(getIntrospectionQuery());
    expect(res.errors).toBeUndefined();
  });

  it.each([
    getIntrospectionQuery(),
    '{ __type(name: "Dataset") { fields { name } } }',
    '{ ...F } fragment F on Query { __schema { queryType { name } } }',
    `{ dataset(id: "${SALES}") { ... on Dataset { name } } ... on Query { __type(name: "Query") { name } } }`,
  ])('is refused when off, before any upstream call: %#', async (query) => {
    const before = prod.sandbox.requests.length;
    const res = await prod.gql(query);
    expect(res.data ?? null).toBeNull();
    expect(res.errors).toHaveLength(1);
    expect(res.errors![0]!.extensions?.code).toBe('INTROSPECTION_OFF');
    expect(prod.sandbox.requests.length).toBe(before);
  });

  it('still answers __typename when off', async () => {
    const res = await prod.gql(`{ __typename dataset(id: "${SALES}") { __typename name } }`);
    expect(res.errors).toBeUndefined();
    expect(res.data).toEqual({
      __typename: 'Query',
      dataset: { __typename: 'Dataset', name: 'Sales Transactions' },
    });
  });
});
