/** Each cards, access and dataset-management client method against the real sandbox. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DomoClient } from '../../src/domo/client.ts';
import { createDomoClient } from '../../src/domo/client.ts';
import { DomoError } from '../../src/domo/errors.ts';
import { DomoHttp } from '../../src/domo/http.ts';
import { DEMO_DATASETS, DEMO_GROUPS, DEMO_USERS } from '../../src/sandbox/seed.ts';
import { createSandbox, type Sandbox } from '../../src/sandbox/server.ts';

let sandbox: Sandbox;
let domo: DomoClient;
function clientFor(url: string, maxRetries = 2): DomoClient {
  const http = new DomoHttp({
    baseUrl: url,
    headersTimeoutMs: 10_000,
    bodyTimeoutMs: 10_000,
    retry: { maxRetries, baseMs: 1, maxDelayMs: 5 },
  });
  return createDomoClient(http, { credentials: { kind: 'developer', token: 't' } });
}

beforeAll(async () => {
  sandbox = await createSandbox({ token: 't', largeRows: 100 });
  domo = clientFor(sandbox.url);
});
afterAll(() => sandbox.close());

const { sales, sessions, targets, customers } = DEMO_DATASETS;
const MISSING = '00000000-0000-4000-8000-000000000000';

async function failure(promise: Promise<unknown>): Promise<DomoError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DomoError);
  return error as DomoError;
}

describe('cards', () => {
  it('lists the cards of a dataset with every field of the doc, drill paths only with drill=true', async () => {
    const cards = await domo.cards.forDataset(sales);
    expect(cards).toHaveLength(4);
    expect(cards[0]).toEqual({
      id: 93905300,
      urn: '93905300',
      type: 'kpi',
      chartType: 'badge_vert_bar',
      title: 'Revenue by Region',
      ownerId: 1345408759,
      owners: [{ id: '1345408759', type: 'USER', displayName: 'Alexis Lorenz' }],
      access: true,
      datasourceId: sales,
    });
    expect(await domo.cards.forDataset(sales, false)).toHaveLength(3);
    expect(sandbox.requests.at(-1)?.query).toBe('?drill=false');
    const meta = await domo.datasets.get(sales);
    expect(meta.cardInfo).toEqual({ cardCount: 3, cardViewCount: 177 });
    expect(meta.cardCount).toBe(3);
    expect(await domo.cards.forDataset(DEMO_DATASETS.staging)).toEqual([]);
    expect((await failure(domo.cards.forDataset(MISSING))).kind).toBe('not_found');
  });
});

describe('access', () => {
  it('lists the access list with its totals', async () => {
    const access = await domo.permissions.list(sales);
    expect(access.list[0]).toEqual({
      type: 'USER',
      id: DEMO_USERS[0]!.id,
      accessLevel: 'OWNER',
      name: 'Alexis Lorenz',
    });
    expect(access.totalUserCount).toBe(3);
    expect(access.totalGroupCount).toBe(1);
  });

  it('shares, then revokes, removes one user and removes several (DELETE with a JSON body)', async () => {
    await domo.permissions.share(sessions, {
      permissions: [
        { id: DEMO_USERS[0]!.id, type: 'USER', accessLevel: 'CAN_EDIT' },
        { id: DEMO_USERS[1]!.id, type: 'USER', accessLevel: 'CAN_VIEW' },
        { id: DEMO_GROUPS[0]!.id, type: 'GROUP', accessLevel: 'CAN_SHARE' },
      ],
      sendEmail: false,
    });
    let ids = (await domo.permissions.list(sessions)).list.map((e) => `${e.type}:${e.id}:${e.accessLevel}`);
    expect(ids).toEqual([
      `USER:${DEMO_USERS[2]!.id}:OWNER`,
      `USER:${DEMO_USERS[3]!.id}:CAN_VIEW`,
      `USER:${DEMO_USERS[0]!.id}:CAN_EDIT`,
      `USER:${DEMO_USERS[1]!.id}:CAN_VIEW`,
      `GROUP:${DEMO_GROUPS[0]!.id}:CAN_SHARE`,
    ]);
    await domo.permissions.revokeUser(sessions, DEMO_USERS[0]!.id);
    await domo.permissions.removeUser(sessions, DEMO_USERS[1]!.id);
    expect(sandbox.requests.at(-1)?.path).toBe(
      `/api/data/v3/datasources/${sessions}/USERS/${DEMO_USERS[1]!.id}`,
    );
    await domo.permissions.removeUsers(sessions, [
      { id: DEMO_USERS[3]!.id, type: 'USER' },
      { id: DEMO_GROUPS[0]!.id, type: 'GROUP' },
    ]);
    ids = (await domo.permissions.list(sessions)).list.map((e) => `${e.type}:${e.id}:${e.accessLevel}`);
    expect(ids).toEqual([`USER:${DEMO_USERS[2]!.id}:OWNER`]);
  });

  it('refuses bad share and removal bodies with 400 and unknown datasets with 404', async () => {
    const bad = await failure(
      domo.permissions.share(targets, {
        permissions: [{ id: '42', type: 'USER', accessLevel: 'CAN_VIEW' }],
        sendEmail: false,
      }),
    );
    expect(bad.status).toBe(400);
    expect((await failure(domo.permissions.removeUsers(targets, []))).status).toBe(400);
    expect((await failure(domo.permissions.revokeUser(targets, DEMO_USERS[3]!.id))).status).toBe(400);
    expect((await failure(domo.permissions.list(MISSING))).status).toBe(404);
    expect((await domo.permissions.list(targets)).list).toHaveLength(4);
  });
});

describe('dataset management', () => {
  it('creates a dataset owned by the sandbox user, with its table, schema and access list', async () => {
    const { id, response } = await domo.datasets.create({
      userDefinedType: 'api',
      dataSourceName: 'hello world',
      schema: {
        columns: [
          { type: 'STRING', name: 'Friend' },
          { type: 'STRING', name: 'Attending' },
        ],
      },
    });
    expect(response).toMatchObject({ dataSourceId: id, dataSourceName: 'hello world' });
    const meta = await domo.datasets.get(id);
    expect(meta).toMatchObject({
      name: 'hello world',
      rowCount: 0,
      columnCount: 2,
      owner: { id: DEMO_USERS[0]!.id },
    });
    const schema = await domo.datasets.schema(id);
    expect(schema.tables[0]!.columns.map((c) => `${c.name}:${c.type}`)).toEqual([
      'Friend:STRING',
      'Attending:STRING',
    ]);
    expect((await domo.permissions.list(id)).list).toEqual([
      { type: 'USER', id: DEMO_USERS[0]!.id, accessLevel: 'OWNER', name: 'Alexis Lorenz' },
    ]);
    const dup = await failure(
      domo.datasets.create({
        userDefinedType: 'api',
        dataSourceName: 'x',
        schema: {
          columns: [
            { type: 'STRING', name: 'a' },
            { type: 'LONG', name: 'A' },
          ],
        },
      }),
    );
    expect(dup.status).toBe(400);
  });

  it('alters the schema: adds, drops, renames and retypes columns of the table', async () => {
    await domo.datasets.alterSchema(targets, {
      columns: [
        { name: 'area', id: 'region', type: 'STRING', visible: true, order: 0 },
        { name: 'quarter', id: 'quarter', type: 'STRING', visible: true, order: 1 },
        { name: 'target', id: 'target', type: 'LONG', visible: true, order: 2 },
        { name: 'note', id: 'note', type: 'STRING', visible: false, order: 3 },
      ],
      objects: [],
      views: [],
    });
    const visible = await domo.datasets.schema(targets);
    expect(visible.tables[0]!.columns.map((c) => `${c.name}:${c.type}`)).toEqual([
      'area:STRING',
      'quarter:STRING',
      'target:LONG',
    ]);
    const all = await domo.datasets.schema(targets, true);
    expect(all.tables[0]!.columns.map((c) => c.name)).toEqual(['area', 'quarter', 'target', 'note']);
    const rows = await domo.query.execute(
      targets,
      'SELECT area, target, note FROM t ORDER BY target LIMIT 1',
    );
    expect(rows.rows).toEqual([['North', 100000, null]]);
    expect((await domo.datasets.get(targets)).columnCount).toBe(4);
  });

  it('swaps two column names keeping the data, and adds a column under a renamed-away name', async () => {
    const { id } = await domo.datasets.create({
      userDefinedType: 'api',
      dataSourceName: 'swap',
      schema: {
        columns: [
          { type: 'STRING', name: 'a' },
          { type: 'STRING', name: 'b' },
        ],
      },
    });
    await sandbox.store.run(`INSERT INTO "ds_${id}" VALUES ('x', 'y')`);
    await domo.datasets.alterSchema(id, {
      columns: [
        { name: 'b', id: 'a', type: 'STRING', visible: true, order: 0 },
        { name: 'c', id: 'b', type: 'STRING', visible: true, order: 1 },
        { name: 'a', id: 'a', type: 'LONG', visible: true, order: 2 },
      ],
      objects: [],
      views: [],
    });
    const rows = await domo.query.execute(id, 'SELECT b, c, a FROM t');
    expect(rows.rows).toEqual([['x', 'y', null]]);
    const dupId = await failure(
      domo.datasets.alterSchema(id, {
        columns: [
          { name: 'p', id: 'b', type: 'STRING', visible: true, order: 0 },
          { name: 'q', id: 'b', type: 'STRING', visible: true, order: 1 },
        ],
        objects: [],
        views: [],
      }),
    );
    expect(dupId.status).toBe(400);
  });

  it('updates properties and replaces tags in the metadata', async () => {
    await domo.datasets.updateProperties(customers, {
      dataProviderType: 'domo-jupyterdata',
      description: 'new',
    });
    await domo.datasets.setTags(customers, ['a', 'b']);
    const meta = await domo.datasets.get(customers);
    expect(meta).toMatchObject({
      dataProviderType: 'domo-jupyterdata',
      description: 'new',
      name: 'Customers',
    });
    expect(meta.tags).toBe('["a","b"]');
    expect((await failure(domo.datasets.updateProperties(customers, {}))).status).toBe(400);
  });

  it('indexes a dataset and its versions; the status goes QUEUED → RUNNING → COMPLETE', async () => {
    const whole = await domo.datasets.index(sales);
    expect(whole.indexId).toMatch(/^\d+$/);
    expect(whole.response).toMatchObject({ status: 'QUEUED', dataSourceId: sales });
    const versions = await domo.datasets.indexVersions(sales, { dataIds: ['7', 8] });
    expect(versions.indexId).not.toBe(whole.indexId);
    const first = await domo.datasets.indexStatus(sales, versions.indexId!);
    expect(first).toMatchObject({ indexId: versions.indexId, status: 'RUNNING', dataIds: ['7', '8'] });
    expect((await domo.datasets.indexStatus(sales, versions.indexId!)).status).toBe('COMPLETE');
    expect((await domo.datasets.indexStatus(sales, versions.indexId!)).status).toBe('COMPLETE');
    expect((await failure(domo.datasets.indexStatus(sales, '999999'))).status).toBe(404);
    expect((await failure(domo.datasets.index(MISSING))).status).toBe(404);
  });

  it('reads a list-shaped status answer as a history whose last entry is current', async () => {
    const path = `/api/data/v3/datasources/${sales}/indexes/77/statuses`;
    sandbox.inject({
      method: 'GET',
      path,
      status: 200,
      body: [
        { indexId: 77, status: 'RUNNING' },
        { indexId: 77, status: 'COMPLETE', dataIds: [3] },
      ],
    });
    const status = await domo.datasets.indexStatus(sales, '77');
    expect(status).toMatchObject({ indexId: '77', status: 'COMPLETE', dataIds: ['3'] });
    expect(Array.isArray(status.raw)).toBe(true);
  });

  it('finds the new id however the create answer nests it, and fails clearly without one', async () => {
    sandbox.inject({
      method: 'POST',
      path: '/api/data/v2/datasources',
      status: 200,
      body: { dataSource: { id: 'abc' } },
    });
    const body = {
      userDefinedType: 'api',
      dataSourceName: 'n',
      schema: { columns: [{ type: 'STRING', name: 'a' }] },
    };
    expect((await domo.datasets.create(body)).id).toBe('abc');
    sandbox.inject({ method: 'POST', path: '/api/data/v2/datasources', status: 200, body: {} });
    expect((await failure(domo.datasets.create(body))).kind).toBe('upstream');
  });

  it('never retries a write', async () => {
    sandbox.inject({ method: 'POST', path: `/api/data/ui/v3/datasources/${sales}/tags`, status: 503 });
    const before = sandbox.count('POST', `/api/data/ui/v3/datasources/${sales}/tags`);
    expect((await failure(domo.datasets.setTags(sales, ['x']))).status).toBe(503);
    expect(sandbox.count('POST', `/api/data/ui/v3/datasources/${sales}/tags`)).toBe(before + 1);
  });
});

describe('persistence', () => {
  it('keeps shares, tags and cards across a restart with SANDBOX_DB, without re-seeding over them', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'access-'));
    const dbPath = join(dir, 'sandbox.duckdb');
    try {
      const first = await createSandbox({ token: 't', largeRows: 10, dbPath });
      const client = clientFor(first.url, 0);
      await client.permissions.removeUser(sales, DEMO_USERS[2]!.id);
      await client.datasets.setTags(sales, ['kept']);
      await first.close();

      const second = await createSandbox({ token: 't', largeRows: 10, dbPath });
      try {
        const again = clientFor(second.url, 0);
        expect((await again.permissions.list(sales)).list.map((e) => e.id)).not.toContain(DEMO_USERS[2]!.id);
        expect((await again.datasets.get(sales)).tags).toBe('["kept"]');
        expect(await again.cards.forDataset(sales)).toHaveLength(4);
      } finally {
        await second.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
