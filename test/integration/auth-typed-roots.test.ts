/**
 * The typed roots of pinned datasets (Query.<name>, Query.<name>Aggregate) name their dataset in the
 * schema, not in an argument: the dataset allow-list and the call estimate must still see it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashApiKey, parseApiKeyEntries } from '../../src/auth/keys.ts';
import { DEMO_TYPED_DATASETS } from '../../src/example.ts';
import { DEMO_DATASETS } from '../../src/sandbox/seed.ts';
import { SANDBOX_TOKEN, type Stack, startStack } from '../helpers/stack.ts';

const { sales: SALES, customers: CUSTOMERS } = DEMO_DATASETS;
const SALES_ONLY = 'typed-sales-only-key-0123456789';
const CUSTOMERS_ONLY = 'typed-customers-only-key-012345';
const salesRoot = DEMO_TYPED_DATASETS.find((d) => d.datasetId === SALES)!.name;
const customersRoot = DEMO_TYPED_DATASETS.find((d) => d.datasetId === CUSTOMERS)!.name;

const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({
    serverCredentials: { kind: 'developer', token: SANDBOX_TOKEN },
    gatewayAuth: {
      apiKeys: parseApiKeyEntries(
        [
          `sha256:${hashApiKey(SALES_ONLY)}:read:${SALES}`,
          `sha256:${hashApiKey(CUSTOMERS_ONLY)}:read:${CUSTOMERS}`,
        ].join('\n'),
      ),
      jwt: null,
    },
    typed: { datasets: DEMO_TYPED_DATASETS },
  });
});
afterAll(() => stack?.close());

describe('typed roots and the dataset allow-list', () => {
  it('answers the typed root of an allowed dataset', async () => {
    const res = await stack.gql(`{ ${salesRoot}(first: 2) { totalCount } }`, undefined, bearer(SALES_ONLY));
    expect(res.errors).toBeUndefined();
    expect((res.data as Record<string, { totalCount: number }>)[salesRoot]!.totalCount).toBeGreaterThan(0);
  });

  it('refuses the typed root and the typed aggregate of a dataset outside it, before any upstream call', async () => {
    for (const query of [
      `{ ${salesRoot}(first: 2) { totalCount } }`,
      `{ ${salesRoot}Aggregate { nodes { __typename } } }`,
      `{ ...F } fragment F on Query { ${salesRoot}(first: 1) { totalCount } }`,
    ]) {
      const before = stack.sandbox.requests.length;
      const res = await stack.gql(query, undefined, bearer(CUSTOMERS_ONLY));
      expect(
        res.errors?.map((e) => e.extensions?.code),
        query,
      ).toEqual(['FORBIDDEN']);
      expect(stack.sandbox.requests.slice(before), query).toEqual([]);
    }
    const ok = await stack.gql(
      `{ ${customersRoot}(first: 1) { totalCount } }`,
      undefined,
      bearer(CUSTOMERS_ONLY),
    );
    expect(ok.errors).toBeUndefined();
  });
});
