import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_DATASETS } from '../../src/sandbox/seed.ts';
import { type Stack, startStack } from '../helpers/stack.ts';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack.close());

const SALES = DEMO_DATASETS.sales;

describe('datasets through the gateway', () => {
  it('reads metadata, owner, columns and SQL for one dataset', async () => {
    const res = await stack.gql<{
      dataset: {
        domoId: string;
        name: string;
        rowCount: number;
        created: string;
        owner: { name: string };
        tags: string[];
        columns: Array<{ name: string; type: string }>;
        query: { columns: Array<{ name: string; type: string }>; rows: unknown[][]; rowCount: number };
      };
    }>(`{
      dataset(id: "${SALES}") {
        domoId name rowCount created owner { name } tags
        columns { name type }
        query(sql: "SELECT region, COUNT(*) AS n FROM \`sales\` GROUP BY region ORDER BY region") {
          columns { name type } rows rowCount
        }
      }
    }`);
    expect(res.errors).toBeUndefined();
    const d = res.data!.dataset;
    expect(d.domoId).toBe(SALES);
    expect(d.name).toBe('Sales Transactions');
    expect(d.rowCount).toBe(2000);
    expect(d.created).toBe('2025-01-01T00:00:00.000Z');
    expect(d.owner.name).toBe('Alexis Lorenz');
    expect(d.tags).toEqual(['sales', 'finance']);
    expect(d.columns.map((c) => c.type)).toEqual([
      'LONG',
      'STRING',
      'STRING',
      'LONG',
      'DECIMAL',
      'DOUBLE',
      'DATE',
      'DATETIME',
    ]);
    expect(d.query.columns).toEqual([
      { name: 'region', type: 'STRING' },
      { name: 'n', type: 'LONG' },
    ]);
    expect(d.query.rows).toEqual([
      ['Central', 400],
      ['East', 400],
      ['North', 400],
      ['South', 400],
      ['West', 400],
    ]);
  });

  it('answers NOT_FOUND for an unknown dataset and BAD_USER_INPUT for a malformed id', async () => {
    const res = await stack.gql(`{
      missing: dataset(id: "00000000-0000-4000-8000-000000000000") { name }
      bad: dataset(id: "evil/../x") { name }
      ok: dataset(id: "${SALES}") { name }
    }`);
    const byPath = Object.fromEntries((res.errors ?? []).map((e) => [e.path?.[0], e.extensions?.code]));
    expect(byPath).toEqual({ missing: 'NOT_FOUND', bad: 'BAD_USER_INPUT' });
    expect(res.data).toEqual({ missing: null, bad: null, ok: { name: 'Sales Transactions' } });
  });

  it('answers UNAUTHENTICATED without credentials, before any upstream call', async () => {
    const before = stack.sandbox.requests.length;
    const res = await stack.gql(`{ dataset(id: "${SALES}") { name } }`, undefined, {});
    expect(res.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(stack.sandbox.requests.length).toBe(before);
  });

  it('passes Domo 401 on as UNAUTHENTICATED with its toe, never echoing the token', async () => {
    const res = await stack.gql(`{ dataset(id: "${SALES}") { name } }`, undefined, {
      authorization: 'Bearer wrong-token-123',
    });
    expect(res.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(res.errors?.[0]?.extensions?.toe).toMatch(/^[A-Z0-9]{10}-[A-Z0-9]{5}-[A-Z0-9]{5}$/);
    expect(JSON.stringify(res)).not.toContain('wrong-token-123');
  });

  it('turns bad SQL into BAD_USER_INPUT with the engine message', async () => {
    const res = await stack.gql(`{ sql(datasetId: "${SALES}", sql: "SELECT nope FROM t") { rowCount } }`);
    expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(res.errors?.[0]?.message).toMatch(/nope/);
  });

  it('dedupes two aliases of one dataset into one upstream call', async () => {
    const before = stack.sandbox.requests.length;
    const res = await stack.gql(`{
      a: dataset(id: "${SALES}") { name }
      b: dataset(id: "${SALES.toUpperCase()}") { rowCount }
      ... on Query { c: dataset(id: "${SALES}") { ...F } }
    } fragment F on Dataset { domoId }`);
    expect(res.errors).toBeUndefined();
    const calls = stack.sandbox.requests.slice(before);
    expect(calls.map((r) => `${r.method} ${r.path}`)).toEqual([`GET /api/data/v3/datasources/${SALES}`]);
  });

  it('loads three datasets with one bulk call', async () => {
    const before = stack.sandbox.requests.length;
    const res = await stack.gql(`{
      a: dataset(id: "${DEMO_DATASETS.sales}") { name }
      b: dataset(id: "${DEMO_DATASETS.customers}") { name }
      c: dataset(id: "${DEMO_DATASETS.sessions}") { name }
    }`);
    expect(res.errors).toBeUndefined();
    const calls = stack.sandbox.requests.slice(before);
    expect(calls.map((r) => `${r.method} ${r.path}`)).toEqual(['POST /api/data/v3/datasources/bulk']);
  });

  it('pages through the dataset list with cursors and a total', async () => {
    type Page = {
      datasets: {
        totalCount: number;
        edges: Array<{ node: { name: string } }>;
        pageInfo: { hasNextPage: boolean; endCursor: string };
      };
    };
    const first = await stack.gql<Page>(
      '{ datasets(first: 2) { totalCount edges { node { name } } pageInfo { hasNextPage endCursor } } }',
    );
    expect(first.errors).toBeUndefined();
    expect(first.data!.datasets.totalCount).toBe(5);
    expect(first.data!.datasets.edges.map((e) => e.node.name)).toEqual(['Customers', 'Empty Staging']);
    expect(first.data!.datasets.pageInfo.hasNextPage).toBe(true);
    const after = first.data!.datasets.pageInfo.endCursor;
    const second = await stack.gql<Page>(
      `query($after: String) { datasets(first: 3, after: $after) { edges { node { name } } pageInfo { hasNextPage } } }`,
      { after },
    );
    expect(second.data!.datasets.edges.map((e) => e.node.name)).toEqual([
      'Regional Targets',
      'Sales Transactions',
      'Website Sessions',
    ]);
    expect(second.data!.datasets.pageInfo.hasNextPage).toBe(false);
    const tooMany = await stack.gql('{ datasets(first: 500) { totalCount } }');
    expect(tooMany.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('searches by text and reuses the results for lookups in the same request', async () => {
    const before = stack.sandbox.requests.length;
    const res = await stack.gql<{
      searchDatasets: { edges: Array<{ node: { name: string } }> };
      dataset: { name: string };
    }>(`{
      searchDatasets(text: "sess", first: 5) { edges { node { name } } }
    }`);
    expect(res.errors).toBeUndefined();
    expect(res.data!.searchDatasets.edges.map((e) => e.node.name)).toEqual(['Website Sessions']);
    expect(stack.sandbox.requests.length - before).toBe(1);
  });
});
