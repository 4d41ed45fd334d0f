/** The sandbox as a product: persistence across restarts, and both SQL answer shapes through the gateway. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { DomoDataSource } from '../../src/domo/types.ts';
import { DEMO_DATASETS } from '../../src/sandbox/seed.ts';
import { createSandbox } from '../../src/sandbox/server.ts';
import { tableName } from '../../src/sandbox/store.ts';
import { startStack } from '../helpers/stack.ts';

const TOKEN = 'persist-token';
const NEW_ID = '11111111-2222-4333-8444-555555555555';
const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

const get = async (url: string, path: string) => {
  const response = await fetch(`${url}${path}`, { headers: { 'x-domo-developer-token': TOKEN } });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
};

describe('SANDBOX_DB persistence', () => {
  it('keeps catalog changes, new datasets and their rows across a restart', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'domo-sandbox-'));
    dirs.push(dir);
    const dbPath = join(dir, 'sandbox.duckdb');

    const first = await createSandbox({ token: TOKEN, dbPath, largeRows: 100 });
    const sales = first.store.dataset(DEMO_DATASETS.sales);
    await first.store.putDoc<DomoDataSource>('dataset', sales.id, { ...sales, name: 'Renamed Sales' });
    await first.store.createDataset({ id: NEW_ID, name: 'Made Here', owner: { id: '1' } }, [
      { name: 'k', type: 'LONG' },
      { name: 'v', type: 'STRING' },
    ]);
    await first.store.run(`INSERT INTO ${tableName(NEW_ID)} VALUES (1, 'one'), (2, 'two')`);
    await first.store.refreshCounts(NEW_ID, 0);
    await first.store.putDoc('note', 'n1', { text: 'kept' });
    await first.close();

    // Reopened with a different seed size: seeding skips what is already there.
    const second = await createSandbox({ token: TOKEN, dbPath, largeRows: 5 });
    try {
      expect((await get(second.url, `/api/data/v3/datasources/${DEMO_DATASETS.sales}`)).body).toMatchObject({
        name: 'Renamed Sales',
        rowCount: 100,
      });
      expect((await get(second.url, `/api/data/v3/datasources/${NEW_ID}`)).body).toMatchObject({
        name: 'Made Here',
        rowCount: 2,
        columnCount: 2,
      });
      const rows = await fetch(`${second.url}/api/query/v1/execute/${NEW_ID}`, {
        method: 'POST',
        headers: { 'x-domo-developer-token': TOKEN, 'content-type': 'application/json' },
        body: JSON.stringify({ sql: 'SELECT v FROM t ORDER BY k' }),
      });
      expect(await rows.json()).toEqual([{ v: 'one' }, { v: 'two' }]);
      expect(second.store.getDoc('note', 'n1')).toEqual({ text: 'kept' });
      expect(second.store.listDocs('dataset')).toHaveLength(6);
    } finally {
      await second.close();
    }
  });

  it('keeps nothing in memory mode', async () => {
    const first = await createSandbox({ token: TOKEN, largeRows: 10 });
    await first.store.putDoc('note', 'n1', { text: 'gone' });
    await first.close();
    const second = await createSandbox({ token: TOKEN, largeRows: 10 });
    expect(second.store.getDoc('note', 'n1')).toBeUndefined();
    await second.close();
  });
});

describe('SANDBOX_SQL_SHAPE through the gateway', () => {
  const query = `{
    sql(datasetId: "${DEMO_DATASETS.sales}", sql: "SELECT region, product, COUNT(*) AS n, AVG(discount) AS d, MIN(order_date) AS first, MAX(created_at) AS last FROM sales GROUP BY region, product ORDER BY region, product LIMIT 4") {
      columns { name type } rows objects rowCount truncated
    }
    dataset(id: "${DEMO_DATASETS.targets}") {
      query(sql: "SELECT * FROM \`table\` ORDER BY quarter, region LIMIT 3") { columns { name type } rows }
    }
  }`;

  it('gives the same answer whichever shape the upstream sends', async () => {
    const answers = [];
    for (const sqlShape of ['objects', 'columns'] as const) {
      const stack = await startStack({ sandbox: { sqlShape } });
      try {
        const res = await stack.gql(query);
        expect(res.errors).toBeUndefined();
        answers.push(res.data);
      } finally {
        await stack.close();
      }
    }
    expect(answers[1]).toEqual(answers[0]);
    expect(answers[0]).toMatchObject({
      sql: {
        columns: [
          { name: 'region', type: 'STRING' },
          { name: 'product', type: 'STRING' },
          { name: 'n', type: 'LONG' },
          { name: 'd', type: 'DOUBLE' },
          { name: 'first', type: 'DATE' },
          { name: 'last', type: 'DATETIME' },
        ],
        rowCount: 4,
        truncated: false,
      },
    });
  });
});

describe('request log', () => {
  it('keeps nothing when recording is off, as a long-running sandbox runs', async () => {
    const sandbox = await createSandbox({ token: 't', largeRows: 10, recordRequests: false });
    try {
      const res = await fetch(`${sandbox.url}/api/data/v3/datasources/${DEMO_DATASETS.sales}`, {
        headers: { 'x-domo-developer-token': 't' },
      });
      expect(res.status).toBe(200);
      expect(sandbox.requests).toEqual([]);
    } finally {
      await sandbox.close();
    }
  });
});
