/**
 * Typed roots of pinned datasets through the real gateway on the sandbox: typed rows and filters,
 * typed aggregates computing what the selection asks, a column removed upstream answering an error
 * for its field only, and a reload adding a column without a restart.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fieldNames } from '../../src/graph/types/rows/names.ts';
import type { RowColumn } from '../../src/rows/values.ts';
import { DEMO_DATASETS } from '../../src/sandbox/seed.ts';
import {
  createDomoGraphClient,
  DistinctValuesDocument,
  MonthlyAggregateDocument,
  OrdersPageDocument,
  TypedSalesByMonthDocument,
  TypedSalesDocument,
} from '../../src/sdk/index.ts';
import { SANDBOX_TOKEN, type Stack, startStack } from '../helpers/stack.ts';

let stack: Stack;
let extra: RowColumn[] = [{ name: 'ghost column', type: 'STRING' }];
beforeAll(async () => {
  stack = await startStack({
    typed: {
      datasets: [
        { name: 'salesTransactions', datasetId: DEMO_DATASETS.sales },
        { name: 'customers', datasetId: DEMO_DATASETS.customers },
      ],
      // Customers as last read carries a column Domo no longer has (removed since the last reload).
      read: async (id, fromSandbox) =>
        id === DEMO_DATASETS.customers ? [...(await fromSandbox()), ...extra] : fromSandbox(),
    },
  });
});
afterAll(() => stack.close());

describe('typed roots', () => {
  it('typed rows and a typed where give what the generic rows give', async () => {
    const typed = await stack.gql<{
      salesTransactions: { totalCount: number; nodes: Array<Record<string, unknown>> };
    }>(
      `{ salesTransactions(
          where: { region: { in: ["West", "East"] }, quantity: { gte: 10 }, or: [{ product: { startsWith: "G" } }, { discount: { lt: 0.05 } }] },
          orderBy: [{ column: created_at, direction: DESC }], first: 5) {
        totalCount nodes { transaction_id region product quantity unit_price discount order_date created_at } } }`,
    );
    expect(typed.errors).toBeUndefined();
    const generic = await stack.gql<{
      dataset: { rows: { totalCount: number; nodes: Array<Record<string, unknown>> } };
    }>(
      `query($id: ID!) { dataset(id: $id) { rows(
          where: { and: [{ column: "region", in: ["West", "East"] }, { column: "quantity", gte: 10 },
            { or: [{ column: "product", startsWith: "G" }, { column: "discount", lt: 0.05 }] }] },
          orderBy: [{ column: "created_at", direction: DESC }], first: 5) { totalCount nodes } } }`,
      { id: DEMO_DATASETS.sales },
    );
    expect(typed.data!.salesTransactions.totalCount).toBe(generic.data!.dataset.rows.totalCount);
    expect(typed.data!.salesTransactions.nodes).toEqual(generic.data!.dataset.rows.nodes);
    expect(typeof typed.data!.salesTransactions.nodes[0]!.created_at).toBe('string');
  });

  it('a value of the wrong type is refused by GraphQL itself, before any call', async () => {
    const res = await stack.gql('{ salesTransactions(where: { quantity: { gt: "ten" } }) { totalCount } }');
    expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const date = await stack.gql(
      '{ salesTransactions(where: { order_date: { eq: "2023-02-30" } }) { totalCount } }',
    );
    expect(date.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(date.errors?.[0]?.extensions?.field).toBe('where.order_date.eq');
  });

  it('a typed aggregate computes the metrics the selection asks for, fragments included', async () => {
    const start = stack.sandbox.requests.length;
    const res = await stack.gql<{ salesTransactionsAggregate: { nodes: Array<Record<string, unknown>> } }>(
      `{ salesTransactionsAggregate(groupBy: [region], dateGrain: { column: order_date, grain: QUARTER },
          where: { order_date: { between: { from: "2023-01-01", to: "2023-12-31" } } },
          having: { sum: { quantity: { gt: 100 } } }, orderBy: [{ key: region }], first: 100) {
        nodes { keys { region order_date } count ...M } } }
       fragment M on SalesTransactionsGroup { sum { quantity } max { unit_price } }`,
    );
    expect(res.errors).toBeUndefined();
    const sql = stack.sandbox.requests.slice(start).find((r) => r.path.includes('/execute/'));
    expect(JSON.stringify(sql?.body)).not.toContain('AVG');
    const hand = await stack.gql<{ dataset: { query: { objects: Array<Record<string, unknown>> } } }>(
      `query($id: ID!) { dataset(id: $id) { query(sql: "SELECT region, QUARTER(order_date) AS q, COUNT(*) AS c, SUM(quantity) AS s, MAX(unit_price) AS m FROM t WHERE order_date BETWEEN '2023-01-01' AND '2023-12-31' GROUP BY region, QUARTER(order_date) HAVING SUM(quantity) > 100 ORDER BY region, q") { objects } } }`,
      { id: DEMO_DATASETS.sales },
    );
    expect(res.data!.salesTransactionsAggregate.nodes).toEqual(
      hand.data!.dataset.query.objects.map((r) => ({
        keys: { region: r.region, order_date: `2023-${String(Number(r.q) * 3 - 2).padStart(2, '0')}-01` },
        count: r.c,
        sum: { quantity: r.s },
        max: { unit_price: r.m },
      })),
    );
  });

  it('a column removed upstream is an error for its field only', async () => {
    const res = await stack.gql<{ customers: { nodes: Array<Record<string, unknown>> } }>(
      '{ customers(first: 2, orderBy: [{ column: customer_id }]) { nodes { customer_id name ghost_column } } }',
    );
    expect(res.data!.customers.nodes[0]).toEqual({
      customer_id: 1000,
      name: 'Ada Lovelace',
      ghost_column: null,
    });
    expect(res.errors?.[0]?.path).toEqual(['customers', 'nodes', 0, 'ghost_column']);
    expect(res.errors?.[0]?.message).toContain('no longer in');
    const filtered = await stack.gql('{ customers(where: { ghost_column: { eq: "x" } }) { totalCount } }');
    expect(filtered.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(filtered.errors?.[0]?.message).toContain('unknown column `ghost column`');
  });

  it('a reload adds and drops fields without a restart', async () => {
    extra = [{ name: 'added later', type: 'LONG' }];
    expect(await stack.typed!.reload()).toBe(true);
    const after = await stack.gql('{ customers(first: 1) { nodes { added_later } } }');
    expect(after.errors?.[0]?.message).toContain('no longer in');
    const gone = await stack.gql('{ customers(first: 1) { nodes { ghost_column } } }');
    expect(gone.errors?.[0]?.message).toContain('Cannot query field "ghost_column"');
  });
});

describe('the typed client (sdk/operations/rows.graphql)', () => {
  it('pages rows, aggregates and reads distinct values with typed documents', async () => {
    const client = createDomoGraphClient({ url: `${stack.gatewayUrl}/graphql`, token: SANDBOX_TOKEN });
    const page = await client.request(OrdersPageDocument, {
      datasetId: DEMO_DATASETS.sales,
      where: { column: 'region', eq: "O'Brien \\ `x`; --" },
      first: 2,
    });
    expect(page.dataset?.rows.nodes).toEqual([]);
    const typed = await client.request(TypedSalesDocument, { where: { quantity: { gte: 20 } }, first: 2 });
    expect(typed.salesTransactions.nodes.every((r) => (r.quantity ?? 0) >= 20)).toBe(true);
    const byMonth = await client.request(TypedSalesByMonthDocument, { having: { count: { gt: 0 } } });
    expect(byMonth.salesTransactionsAggregate.nodes[0]?.keys.order_date).toMatch(/^\d{4}-\d{2}-01$/);
    const monthly = await client.request(MonthlyAggregateDocument, {
      datasetId: DEMO_DATASETS.sales,
      dateGrain: { column: 'order_date', grain: 'YEAR' },
      metrics: [{ fn: 'COUNT' }],
    });
    expect(monthly.dataset?.aggregate.nodes.map((n) => n.keys)).toEqual([
      { order_date: '2023-01-01' },
      { order_date: '2024-01-01' },
    ]);
    const distinct = await client.request(DistinctValuesDocument, {
      datasetId: DEMO_DATASETS.sales,
      column: 'region',
    });
    expect(distinct.dataset?.distinct.nodes.map((n) => n.value)).toEqual([
      'Central',
      'East',
      'North',
      'South',
      'West',
    ]);
  });
});

describe('column names become GraphQL names predictably', () => {
  it('maps, prefixes and de-duplicates in schema order', () => {
    const names = fieldNames([
      'unit price',
      'unit_price',
      '2024 total',
      '__id',
      '',
      'é',
      'and',
      'Region',
      'a-b',
      'a_b',
    ]);
    expect([...names.values()]).toEqual([
      'unit_price',
      'unit_price_2',
      '_2024_total',
      'c__id',
      '_',
      '__2',
      'and_2',
      'Region',
      'a_b',
      'a_b_2',
    ]);
  });
});
