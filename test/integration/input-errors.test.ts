/**
 * Bad input in the document or in variables is BAD_USER_INPUT, with graphql-js's message naming the
 * argument or variable, and never reaches Domo. A broken document stays GRAPHQL_VALIDATION_FAILED.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_DATASETS } from '../../src/sandbox/seed.ts';
import { type Stack, startStack } from '../helpers/stack.ts';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack.close());

const SALES = DEMO_DATASETS.sales;

async function firstError(query: string, variables?: Record<string, unknown>) {
  const before = stack.sandbox.requests.length;
  const res = await stack.gql(query, variables);
  expect(stack.sandbox.requests.length).toBe(before);
  expect(res.data ?? null).toBeNull();
  expect(res.errors).toHaveLength(1);
  return res.errors![0]!;
}

describe('bad input through the gateway', () => {
  it('an unknown enum literal: BAD_USER_INPUT naming the argument', async () => {
    const error = await firstError('{ datasets(orderBy: SIZE) { totalCount } }');
    expect(error.message).toContain('"SIZE"');
    expect(error.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'orderBy' });
  });

  it('a literal of the wrong type, inside an input object too', async () => {
    const literal = await firstError('{ datasets(first: "ten") { totalCount } }');
    expect(literal.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'first' });
    const nested = await firstError(`mutation {
      shareDataset(datasetId: "${SALES}", grants: [{ principalId: "587894148", type: USER, accessLevel: ADMIN }]) {
        datasetId
      }
    }`);
    expect(nested.message).toContain('"ADMIN"');
    expect(nested.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'grants' });
  });

  it('a missing required argument', async () => {
    const error = await firstError('{ dataset { name } }');
    expect(error.message).toContain('argument "id"');
    expect(error.extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
  });

  it('an unknown enum value in a variable: BAD_USER_INPUT naming the variable', async () => {
    const error = await firstError(
      'query ($order: DatasetOrder) { datasets(orderBy: $order) { totalCount } }',
      {
        order: 'SIZE',
      },
    );
    expect(error.message).toMatch(/^Variable "\$order" got invalid value "SIZE"/);
    expect(error.extensions).toMatchObject({ code: 'BAD_USER_INPUT', variable: 'order' });
  });

  it('a variable of the wrong type, deep in an input, or missing', async () => {
    const deep = await firstError(
      'mutation ($grants: [AccessGrantInput!]!) { shareDataset(datasetId: "' +
        SALES +
        '", grants: $grants) { datasetId } }',
      { grants: [{ principalId: '587894148', type: 'USER', accessLevel: 'ADMIN' }] },
    );
    expect(deep.message).toContain('$grants');
    expect(deep.message).toContain('accessLevel');
    expect(deep.extensions).toMatchObject({ code: 'BAD_USER_INPUT', variable: 'grants' });
    const missing = await firstError('query ($id: ID!) { dataset(id: $id) { name } }', {});
    expect(missing.extensions).toMatchObject({ code: 'BAD_USER_INPUT', variable: 'id' });
  });

  it('a broken document stays GRAPHQL_VALIDATION_FAILED', async () => {
    const error = await firstError('{ datasets { sizeInBytes } }');
    expect(error.extensions).toMatchObject({ code: 'GRAPHQL_VALIDATION_FAILED' });
  });
});
