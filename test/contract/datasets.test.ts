/**
 * The client against the real sandbox: every datasets and query method, both SQL answer shapes,
 * and Domo's error bodies.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDomoClient, type DomoClient } from '../../src/domo/client.ts';
import { DomoError } from '../../src/domo/errors.ts';
import { createDispatcher, DomoHttp } from '../../src/domo/http.ts';
import { DEMO_DATASETS, DEMO_USERS } from '../../src/sandbox/seed.ts';
import { createSandbox, type Sandbox } from '../../src/sandbox/server.ts';

const TOKEN = 'contract-token';
const SALES = DEMO_DATASETS.sales;
const UNKNOWN = '00000000-0000-4000-8000-000000000000';

interface Side {
  sandbox: Sandbox;
  domo: DomoClient;
  close(): Promise<void>;
}

async function side(sqlShape: 'objects' | 'columns'): Promise<Side> {
  const sandbox = await createSandbox({ token: TOKEN, largeRows: 1_000, sqlShape });
  const dispatcher = createDispatcher({ connectTimeoutMs: 2_000, connections: 4 });
  const http = new DomoHttp({
    baseUrl: sandbox.url,
    dispatcher,
    retry: { maxRetries: 0, baseMs: 1, maxDelayMs: 1 },
    headersTimeoutMs: 10_000,
    bodyTimeoutMs: 10_000,
  });
  const domo = createDomoClient(http, { credentials: { kind: 'developer', token: TOKEN } });
  return {
    sandbox,
    domo,
    close: async () => {
      await dispatcher.close();
      await sandbox.close();
    },
  };
}

let objects: Side;
let columns: Side;
beforeAll(async () => {
  [objects, columns] = await Promise.all([side('objects'), side('columns')]);
});
afterAll(async () => {
  await Promise.all([objects.close(), columns.close()]);
});

async function domoError(promise: Promise<unknown>): Promise<DomoError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DomoError);
  return error as DomoError;
}

describe('datasets.get', () => {
  it('answers the metadata of one dataset', async () => {
    const d = await objects.domo.datasets.get(SALES);
    expect(d).toMatchObject({
      id: SALES,
      name: 'Sales Transactions',
      rowCount: 1_000,
      columnCount: 8,
      owner: { id: DEMO_USERS[0]!.id, name: 'Alexis Lorenz', type: 'USER' },
      tags: '["sales","finance"]',
      created: Date.parse('2025-01-01T00:00:00Z'),
    });
    expect(objects.sandbox.count('GET', `/api/data/v3/datasources/${SALES}`)).toBe(1);
  });

  it('fails with not_found for an unknown id, keeping the toe', async () => {
    const error = await domoError(objects.domo.datasets.get(UNKNOWN));
    expect(error).toMatchObject({ kind: 'not_found', status: 404, method: 'GET' });
    expect(error.toe).toMatch(/^[A-Z0-9]{10}-[A-Z0-9]{5}-[A-Z0-9]{5}$/);
  });

  it('encodes the id as one path segment', async () => {
    const error = await domoError(objects.domo.datasets.get('../../x?y=1'));
    expect(error.kind).toBe('not_found');
    expect(error.path).toBe('/api/data/v3/datasources/..%2F..%2Fx%3Fy%3D1');
  });
});

describe('datasets.bulk', () => {
  it('answers the visible datasets in one call, leaving unknown ids out', async () => {
    const found = await objects.domo.datasets.bulk([SALES, UNKNOWN, DEMO_DATASETS.customers]);
    expect(found.map((d) => d.name)).toEqual(['Sales Transactions', 'Customers']);
  });

  it('answers an empty list for no ids', async () => {
    expect(await objects.domo.datasets.bulk([])).toEqual([]);
  });
});

describe('datasets.list', () => {
  it('pages by name with a total', async () => {
    const page = await objects.domo.datasets.list({ limit: 2, offset: 1 });
    expect(page.totalCount).toBe(5);
    expect(page.dataSources.map((d) => d.name)).toEqual(['Empty Staging', 'Regional Targets']);
  });

  it('filters by name, owner and provider', async () => {
    const byName = await objects.domo.datasets.list({ limit: 50, offset: 0, nameLike: 'SALES' });
    expect(byName.dataSources.map((d) => d.name)).toEqual(['Sales Transactions']);
    const byOwner = await objects.domo.datasets.list({ limit: 50, offset: 0, ownerId: DEMO_USERS[0]!.id });
    expect(byOwner.dataSources.map((d) => d.name)).toEqual(['Empty Staging', 'Sales Transactions']);
    const byProvider = await objects.domo.datasets.list({
      limit: 50,
      offset: 0,
      dataProviderType: 'webform',
    });
    expect(byProvider.dataSources.map((d) => d.name)).toEqual(['Customers', 'Regional Targets']);
    expect(byProvider.totalCount).toBe(2);
  });

  it('orders by lastUpdated, newest first', async () => {
    const page = await objects.domo.datasets.list({ limit: 50, offset: 0, orderBy: 'lastUpdated' });
    expect(page.dataSources.map((d) => d.name)).toEqual([
      'Empty Staging',
      'Regional Targets',
      'Website Sessions',
      'Customers',
      'Sales Transactions',
    ]);
  });

  it('caps the page at 50, whatever the limit', async () => {
    const page = await objects.domo.datasets.list({ limit: 500, offset: 0 });
    expect(page.dataSources.length).toBe(5);
    expect(objects.sandbox.requests.at(-1)?.query).toContain('limit=500');
  });
});

describe('datasets.search', () => {
  it('matches text anywhere in the name, case-insensitively, newest first by default', async () => {
    const page = await objects.domo.datasets.search({ text: 'ES', count: 10, offset: 0 });
    expect(page.dataSources.map((d) => d.name)).toEqual(['Website Sessions', 'Sales Transactions']);
    expect(page.totalCount).toBe(2);
  });

  it('sorts by name and pages with count/offset', async () => {
    const page = await objects.domo.datasets.search({
      count: 2,
      offset: 2,
      sortField: 'name_sort',
      sortOrder: 'ASC',
    });
    expect(page.dataSources.map((d) => d.name)).toEqual(['Regional Targets', 'Sales Transactions']);
    expect(page.totalCount).toBe(5);
  });

  it('takes wildcard characters in the text literally (they are stripped)', async () => {
    const page = await objects.domo.datasets.search({ text: 'Sal*es', count: 10, offset: 0 });
    expect(page.dataSources.map((d) => d.name)).toEqual(['Sales Transactions']);
  });
});

describe('datasets.schema', () => {
  it('answers the indexed schema', async () => {
    const schema = await objects.domo.datasets.schema(SALES);
    const cols = schema.tables.flatMap((t) => t.columns);
    expect(cols.map((c) => `${c.name}:${c.type}`)).toEqual([
      'transaction_id:LONG',
      'region:STRING',
      'product:STRING',
      'quantity:LONG',
      'unit_price:DECIMAL',
      'discount:DOUBLE',
      'order_date:DATE',
      'created_at:DATETIME',
    ]);
    expect(cols[0]).toMatchObject({ id: 'transaction_id', visible: true, order: 0 });
  });

  it('fails with not_found for an unknown dataset', async () => {
    expect((await domoError(objects.domo.datasets.schema(UNKNOWN))).status).toBe(404);
  });
});

describe.each([
  ['objects', () => objects],
  ['columns', () => columns],
] as const)('query.execute (%s shape)', (shape, get) => {
  it('answers columns and rows in order', async () => {
    const result = await get().domo.query.execute(
      SALES,
      'SELECT region, COUNT(*) AS n, SUM(quantity) AS units FROM `table` GROUP BY region ORDER BY region LIMIT 2',
    );
    expect(result.columns).toEqual(['region', 'n', 'units']);
    expect(result.rows).toEqual([
      ['Central', 200, 2300],
      ['East', 200, 2500],
    ]);
    expect(result.types).toEqual(shape === 'columns' ? ['STRING', 'LONG', 'LONG'] : [null, null, null]);
  });

  it('sends dates as text, DATETIME as ISO without a zone, decimals as numbers', async () => {
    const result = await get().domo.query.execute(
      SALES,
      'SELECT order_date, created_at, unit_price, discount FROM sales ORDER BY transaction_id LIMIT 1',
    );
    expect(result.rows).toEqual([['2023-01-01', '2023-01-01T08:00:00', 5, 0]]);
  });

  it('answers an empty result', async () => {
    const result = await get().domo.query.execute(DEMO_DATASETS.staging, 'SELECT * FROM t');
    expect(result.rows).toEqual([]);
    // The row-object shape cannot carry columns without rows.
    expect(result.columns).toEqual(shape === 'columns' ? ['id', 'payload', 'amount', 'loaded_at'] : []);
  });

  it('fails with bad_request and the engine message on bad SQL', async () => {
    const error = await domoError(get().domo.query.execute(SALES, 'SELECT nope FROM t'));
    expect(error).toMatchObject({ kind: 'bad_request', status: 400 });
    expect(error.message).toMatch(/SQL error: .*nope/);
  });

  it('fails with bad_request on a write', async () => {
    const error = await domoError(get().domo.query.execute(SALES, 'DELETE FROM t'));
    expect(error.message).toMatch(/only SELECT/);
  });

  it('fails with not_found for an unknown dataset', async () => {
    expect((await domoError(get().domo.query.execute(UNKNOWN, 'SELECT 1 FROM t'))).kind).toBe('not_found');
  });
});

describe("Domo's error bodies", () => {
  const raw = (path: string, init: RequestInit = {}) => fetch(`${objects.sandbox.url}${path}`, init);

  it('answers 401 {status,statusReason,message,toe} without a token, before routing', async () => {
    for (const path of [`/api/data/v3/datasources/${SALES}`, '/no/such/route']) {
      const response = await raw(path, { headers: { 'x-domo-developer-token': 'wrong' } });
      expect(response.status).toBe(401);
      const body = await response.json();
      expect(Object.keys(body).sort()).toEqual(['message', 'status', 'statusReason', 'toe']);
      expect(body).toMatchObject({ status: 401, statusReason: 'Unauthorized' });
    }
  });

  it('accepts the token as X-DOMO-Authentication too, and gives the client unauthenticated', async () => {
    const ok = await raw(`/api/data/v3/datasources/${SALES}`, {
      headers: { 'x-domo-authentication': TOKEN },
    });
    expect(ok.status).toBe(200);
    const sandbox = objects.sandbox;
    const http = new DomoHttp({
      baseUrl: sandbox.url,
      retry: { maxRetries: 0, baseMs: 1, maxDelayMs: 1 },
      headersTimeoutMs: 5_000,
      bodyTimeoutMs: 5_000,
    });
    const domo = createDomoClient(http, { credentials: { kind: 'session', token: 'nope' } });
    const error = await domoError(domo.datasets.get(SALES));
    expect(error).toMatchObject({ kind: 'unauthenticated', status: 401 });
    expect(error.message).toBe('Full authentication is required to access this resource');
  });

  it('answers 404 with the same body for an unknown dataset', async () => {
    const response = await raw(`/api/data/v3/datasources/${UNKNOWN}`, {
      headers: { 'x-domo-developer-token': TOKEN },
    });
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ status: 404, statusReason: 'Not Found' });
  });

  it('answers 400 with the engine message for bad SQL', async () => {
    const response = await raw(`/api/query/v1/execute/${SALES}`, {
      method: 'POST',
      headers: { 'x-domo-developer-token': TOKEN, 'content-type': 'application/json' },
      body: JSON.stringify({ sql: 'SELECT nope FROM t' }),
    });
    expect(response.status).toBe(400);
    const body = await response.json();
    expect(body).toMatchObject({ status: 400, statusReason: 'Bad Request' });
    expect(body.message).toMatch(/Binder Error.*nope/s);
  });
});
