import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_DATASETS, DEMO_GROUPS, DEMO_USERS } from '../../src/sandbox/seed.ts';
import { type Stack, startStack } from '../helpers/stack.ts';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack.close());

const { sales, customers, sessions, targets, staging } = DEMO_DATASETS;
const [alexis, bryan, jae, scott] = DEMO_USERS as [
  (typeof DEMO_USERS)[0],
  (typeof DEMO_USERS)[0],
  (typeof DEMO_USERS)[0],
  (typeof DEMO_USERS)[0],
];
const finance = DEMO_GROUPS[0]!;

/** The upstream calls a step made, as "METHOD path". */
async function calls<T>(step: () => Promise<T>): Promise<{ result: T; calls: string[] }> {
  const before = stack.sandbox.requests.length;
  const result = await step();
  return { result, calls: stack.sandbox.requests.slice(before).map((r) => `${r.method} ${r.path}`) };
}

// biome-ignore lint/suspicious/noExplicitAny: untyped GraphQL answers in tests
type Data = Record<string, any>;

describe('reads', () => {
  it('lists cards with every field, the datasource through the dataset loader (no extra call)', async () => {
    const { result, calls: made } = await calls(() =>
      stack.gql<Data>(`{
        dataset(id: "${sales}") {
          cardCount cardInfo { cardCount cardViewCount }
          cards {
            domoId urn type chartType title ownerId access datasourceId
            owners { id type displayName }
            datasource { domoId name }
          }
          withoutDrill: cards(drill: false) { title }
        }
      }`),
    );
    expect(result.errors).toBeUndefined();
    const d = result.data!.dataset;
    expect(d.cardCount).toBe(3);
    expect(d.cardInfo).toEqual({ cardCount: 3, cardViewCount: 177 });
    expect(d.cards).toHaveLength(4);
    expect(d.cards[0]).toEqual({
      domoId: '93905300',
      urn: '93905300',
      type: 'kpi',
      chartType: 'badge_vert_bar',
      title: 'Revenue by Region',
      ownerId: alexis.id,
      access: true,
      datasourceId: sales,
      owners: [{ id: alexis.id, type: 'USER', displayName: 'Alexis Lorenz' }],
      datasource: { domoId: sales, name: 'Sales Transactions' },
    });
    expect(d.withoutDrill.map((c: Data) => c.title)).toEqual([
      'Revenue by Region',
      'Units Sold per Month',
      'Top Products',
    ]);
    expect(made.sort()).toEqual([
      `GET /api/content/v1/datasources/${sales}/cards`,
      `GET /api/content/v1/datasources/${sales}/cards`,
      `GET /api/data/v3/datasources/${sales}`,
    ]);
  });

  it('lists access entries with typed levels and totals', async () => {
    const res = await stack.gql<Data>(`{
      dataset(id: "${sales}") {
        access {
          totalUserCount totalGroupCount
          entries { principalId type typeName name accessLevel accessLevelName }
        }
      }
    }`);
    expect(res.errors).toBeUndefined();
    expect(res.data!.dataset.access).toEqual({
      totalUserCount: 3,
      totalGroupCount: 1,
      entries: [
        entry(alexis.id, 'USER', 'Alexis Lorenz', 'OWNER'),
        entry(bryan.id, 'USER', 'Bryan Van Kampen', 'CO_OWNER'),
        entry(jae.id, 'USER', 'Jae Wilson', 'CAN_VIEW'),
        entry(finance.id, 'GROUP', 'Finance', 'CAN_VIEW'),
      ],
    });
  });

  // Issue #8 item 8: an unknown value reads as UNKNOWN beside the raw string (it read as null before).
  it('keeps an unknown access level and principal type raw, with UNKNOWN enums', async () => {
    stack.sandbox.inject({
      method: 'GET',
      path: `/api/data/v3/datasources/${customers}/permissions`,
      status: 200,
      body: { list: [{ type: 'ROLE', id: '7', accessLevel: 'CAN_ADMIN', name: 'Admins' }] },
    });
    const res = await stack.gql<Data>(
      `{ dataset(id: "${customers}") { access { totalUserCount entries { type typeName accessLevel accessLevelName } } } }`,
    );
    expect(res.errors).toBeUndefined();
    expect(res.data!.dataset.access).toEqual({
      totalUserCount: null,
      entries: [{ type: 'UNKNOWN', typeName: 'ROLE', accessLevel: 'UNKNOWN', accessLevelName: 'CAN_ADMIN' }],
    });
  });

  it('serves schema and columns from one upstream call', async () => {
    const { result, calls: made } = await calls(() =>
      stack.gql<Data>(`{
        dataset(id: "${sessions}") {
          columns { name }
          schema { name dataSourceId tables { columns { name type visible order } } }
          hidden: schema(includeHidden: true) { tables { columns { name } } }
        }
      }`),
    );
    expect(result.errors).toBeUndefined();
    const d = result.data!.dataset;
    expect(d.schema.name).toBe('schema');
    expect(d.schema.dataSourceId).toBe(sessions);
    expect(d.schema.tables[0].columns[0]).toEqual({
      name: 'session_id',
      type: 'STRING',
      visible: true,
      order: 0,
    });
    expect(d.schema.tables[0].columns.map((c: Data) => c.name)).toEqual(d.columns.map((c: Data) => c.name));
    expect(made.filter((c) => c.includes('/schema/indexed'))).toHaveLength(2); // includeHidden false and true
  });

  it('dedupes cards and access across two aliases of one dataset: one call each', async () => {
    const { result, calls: made } = await calls(() =>
      stack.gql<Data>(`{
        a: dataset(id: "${targets}") { cards { title } access { totalUserCount } }
        b: dataset(id: "${targets}") { cards { domoId } access { entries { name } } }
      }`),
    );
    expect(result.errors).toBeUndefined();
    expect(made.sort()).toEqual([
      `GET /api/content/v1/datasources/${targets}/cards`,
      `GET /api/data/v3/datasources/${targets}`,
      `GET /api/data/v3/datasources/${targets}/permissions`,
    ]);
  });

  it('refuses an empty indexId and reports NOT_FOUND for an unknown one', async () => {
    const before = stack.sandbox.requests.length;
    const empty = await stack.gql<Data>(
      `{ dataset(id: "${sales}") { indexStatus(indexId: " ") { status } } }`,
    );
    expect(empty.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'indexId' });
    expect(stack.sandbox.requests.slice(before).filter((r) => r.path.includes('/indexes/'))).toHaveLength(0);
    const missing = await stack.gql<Data>(
      `{ dataset(id: "${sales}") { indexStatus(indexId: "424242") { status } } }`,
    );
    expect(missing.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });
});

function entry(id: string, type: string, name: string, level: string) {
  return { principalId: id, type, typeName: type, name, accessLevel: level, accessLevelName: level };
}

describe('writes, read back in the same request and the next', () => {
  it('creates a dataset, which then answers SQL and lists its owner', async () => {
    const before = stack.sandbox.requests.length;
    const created = await stack.gql<Data>(`mutation {
      createDataset(name: "Event RSVPs", description: "Who comes", columns: [
        { name: "Friend", type: STRING }, { name: "Attending", type: STRING }, { name: "Guests", type: LONG }
      ]) { datasetId dataset { name description dataProviderType rowCount owner { name } columns { name type } } }
    }`);
    expect(created.errors).toBeUndefined();
    const { datasetId, dataset } = created.data!.createDataset;
    // The create body is the API doc's (no description field); the description follows as a property.
    const writes = stack.sandbox.requests.slice(before).filter((r) => r.method !== 'GET');
    expect(writes.map((r) => `${r.method} ${r.path}`)).toEqual([
      'POST /api/data/v2/datasources',
      `PUT /api/data/v3/datasources/${datasetId}/properties`,
    ]);
    expect(JSON.parse(writes[0]!.body!)).toEqual({
      userDefinedType: 'api',
      dataSourceName: 'Event RSVPs',
      schema: {
        columns: [
          { type: 'STRING', name: 'Friend' },
          { type: 'STRING', name: 'Attending' },
          { type: 'LONG', name: 'Guests' },
        ],
      },
    });
    expect(JSON.parse(writes[1]!.body!)).toEqual({ dataProviderType: 'api', description: 'Who comes' });
    expect(dataset).toEqual({
      name: 'Event RSVPs',
      description: 'Who comes',
      dataProviderType: 'api',
      rowCount: 0,
      owner: { name: 'Alexis Lorenz' },
      columns: [
        { name: 'Friend', type: 'STRING' },
        { name: 'Attending', type: 'STRING' },
        { name: 'Guests', type: 'LONG' },
      ],
    });
    const after = await stack.gql<Data>(`{
      dataset(id: "${datasetId}") {
        query(sql: "SELECT COUNT(*) AS n FROM t WHERE Guests > 0") { rows }
        access { entries { name accessLevel } }
      }
    }`);
    expect(after.errors).toBeUndefined();
    expect(after.data!.dataset.query.rows).toEqual([[0]]);
    expect(after.data!.dataset.access.entries).toEqual([{ name: 'Alexis Lorenz', accessLevel: 'OWNER' }]);
  });

  it('says which dataset was created when its description could not be set', async () => {
    stack.sandbox.inject({ method: 'PUT', path: /\/properties$/, status: 500 });
    const res = await stack.gql<Data>(`mutation {
      createDataset(name: "Half done", description: "d", columns: [{ name: "a", type: STRING }]) { datasetId }
    }`);
    const error = res.errors?.[0];
    expect(error?.extensions?.code).toBe('UPSTREAM_ERROR');
    const id = error?.extensions?.datasetId as string;
    expect(error?.message).toContain(id);
    const check = await stack.gql<Data>(`{ dataset(id: "${id}") { name description } }`);
    expect(check.data!.dataset).toEqual({ name: 'Half done', description: null });
  });

  it('alters the schema: the payload, columns and SQL see the new column; a rename keeps the data', async () => {
    const res = await stack.gql<Data>(`mutation {
      alterDatasetSchema(datasetId: "${customers}", columns: [
        { name: "customer_id", type: LONG }, { name: "full_name", id: "name", type: STRING },
        { name: "country", type: STRING }, { name: "signup_date", type: DATE },
        { name: "lifetime_value", type: DOUBLE }, { name: "segment", type: STRING },
        { name: "email", type: STRING, visible: false }
      ]) { dataset { columnCount columns { name type } } }
    }`);
    expect(res.errors).toBeUndefined();
    expect(res.data!.alterDatasetSchema.dataset.columnCount).toBe(7);
    expect(res.data!.alterDatasetSchema.dataset.columns.map((c: Data) => `${c.name}:${c.type}`)).toEqual([
      'customer_id:LONG',
      'full_name:STRING',
      'country:STRING',
      'signup_date:DATE',
      'lifetime_value:DOUBLE',
      'segment:STRING',
    ]);
    const sql = await stack.gql<Data>(`{
      sql(datasetId: "${customers}", sql: "SELECT full_name, segment, email FROM t ORDER BY customer_id LIMIT 1") { rows }
    }`);
    expect(sql.errors).toBeUndefined();
    expect(sql.data!.sql.rows).toEqual([['Ada Lovelace', null, 'customer1000@example.com']]);
  });

  it('updates properties, read back in the payload', async () => {
    const res = await stack.gql<Data>(`mutation {
      updateDatasetProperties(datasetId: "${sessions}", dataProviderType: "domo-jupyterdata", name: "Web Sessions", description: "GA") {
        dataset { name description dataProviderType }
      }
    }`);
    expect(res.errors).toBeUndefined();
    expect(res.data!.updateDatasetProperties.dataset).toEqual({
      name: 'Web Sessions',
      description: 'GA',
      dataProviderType: 'domo-jupyterdata',
    });
  });

  it('sends the current dataProviderType (required by the API doc) when only the name changes', async () => {
    const before = stack.sandbox.requests.length;
    const res = await stack.gql<Data>(`mutation {
      updateDatasetProperties(datasetId: "${sales}", name: "Sales 2025") { dataset { name dataProviderType } }
    }`);
    expect(res.errors).toBeUndefined();
    expect(res.data!.updateDatasetProperties.dataset).toEqual({
      name: 'Sales 2025',
      dataProviderType: 'api',
    });
    const put = stack.sandbox.requests.slice(before).find((r) => r.method === 'PUT');
    expect(JSON.parse(put!.body!)).toEqual({ dataProviderType: 'api', name: 'Sales 2025' });
  });

  it('sets, adds and removes tags, each re-read after its write', async () => {
    const res = await stack.gql<Data>(`mutation {
      before: setDatasetTags(datasetId: "${staging}", tags: ["raw", "etl"]) { dataset { tags } }
      added: addDatasetTags(datasetId: "${staging}", tags: ["etl", "daily"]) { dataset { tags } }
      removed: removeDatasetTags(datasetId: "${staging}", tags: ["raw"]) { dataset { tags } }
    }`);
    expect(res.errors).toBeUndefined();
    expect(res.data!.before.dataset.tags).toEqual(['raw', 'etl']);
    expect(res.data!.added.dataset.tags).toEqual(['raw', 'etl', 'daily']);
    expect(res.data!.removed.dataset.tags).toEqual(['etl', 'daily']);
    const again = await stack.gql<Data>(`{ dataset(id: "${staging}") { tags } }`);
    expect(again.data!.dataset.tags).toEqual(['etl', 'daily']);
  });

  it('shares, then revokes and removes; each payload shows the access list after the write', async () => {
    const res = await stack.gql<Data>(`mutation {
      shared: shareDataset(datasetId: "${staging}", sendEmail: false, grants: [
        { principalId: "${bryan.id}", type: USER, accessLevel: CAN_EDIT },
        { principalId: "${jae.id}", type: USER, accessLevel: CAN_VIEW },
        { principalId: "${scott.id}", type: USER, accessLevel: CAN_VIEW },
        { principalId: "${finance.id}", type: GROUP, accessLevel: CAN_SHARE }
      ]) { access { totalUserCount totalGroupCount entries { principalId accessLevel } } }
      revoked: revokeDatasetAccess(datasetId: "${staging}", userId: "${bryan.id}") { access { totalUserCount } }
      removed: removeDatasetUser(datasetId: "${staging}", userId: "${jae.id}") { access { totalUserCount } }
      removedMany: removeDatasetUsers(datasetId: "${staging}", principals: [
        { principalId: "${scott.id}", type: USER }, { principalId: "${finance.id}", type: GROUP }
      ]) { datasetId access { totalUserCount totalGroupCount entries { name } } dataset { name } }
    }`);
    expect(res.errors).toBeUndefined();
    expect(res.data!.shared.access).toEqual({
      totalUserCount: 4,
      totalGroupCount: 1,
      entries: [
        { principalId: alexis.id, accessLevel: 'OWNER' },
        { principalId: bryan.id, accessLevel: 'CAN_EDIT' },
        { principalId: jae.id, accessLevel: 'CAN_VIEW' },
        { principalId: scott.id, accessLevel: 'CAN_VIEW' },
        { principalId: finance.id, accessLevel: 'CAN_SHARE' },
      ],
    });
    expect(res.data!.revoked.access.totalUserCount).toBe(3);
    expect(res.data!.removed.access.totalUserCount).toBe(2);
    expect(res.data!.removedMany).toEqual({
      datasetId: staging,
      access: { totalUserCount: 1, totalGroupCount: 0, entries: [{ name: 'Alexis Lorenz' }] },
      dataset: { name: 'Empty Staging' },
    });
  });

  it('indexes a dataset and its versions; indexStatus follows the run to COMPLETE', async () => {
    const res = await stack.gql<Data>(`mutation {
      whole: indexDataset(datasetId: "${targets}") { datasetId indexId response }
      versions: indexDataVersions(datasetId: "${targets}", dataIds: ["11", "12"]) { indexId response dataset { name } }
    }`);
    expect(res.errors).toBeUndefined();
    const { whole, versions } = res.data!;
    expect(whole.indexId).toMatch(/^\d+$/);
    expect(whole.response).toMatchObject({ status: 'QUEUED', dataSourceId: targets });
    expect(versions.dataset.name).toBe('Regional Targets');
    const status = `query($id: ID!) { dataset(id: "${targets}") { indexStatus(indexId: $id) { indexId status statusName dataIds raw } } }`;
    const first = await stack.gql<Data>(status, { id: versions.indexId });
    expect(first.errors).toBeUndefined();
    expect(first.data!.dataset.indexStatus).toMatchObject({
      indexId: versions.indexId,
      status: 'RUNNING',
      statusName: 'RUNNING',
      dataIds: ['11', '12'],
    });
    expect(first.data!.dataset.indexStatus.raw).toMatchObject({
      indexId: versions.indexId,
      status: 'RUNNING',
    });
    const second = await stack.gql<Data>(status, { id: versions.indexId });
    expect(second.data!.dataset.indexStatus.status).toBe('COMPLETE');
  });
});

/** What the sandbox holds for a dataset, and how many datasets and index runs there are. */
function snapshot(id: string): string {
  const store = stack.sandbox.store;
  return JSON.stringify({
    dataset: store.getDoc('dataset', id),
    schema: store.getDoc('schema', id),
    access: store.getDoc('access', id),
    datasets: store.listDocs('dataset').length,
    indexes: store.listDocs('index').length,
  });
}

interface MutationCase {
  name: string;
  bad: string;
  badField: string;
  ok: string;
  /** The write that fails. */
  method: string;
  path: string;
  status: number;
  code: string;
}

const T = targets;
const CASES: MutationCase[] = [
  {
    name: 'createDataset',
    bad: `createDataset(name: "x", columns: [{ name: "a", type: STRING }, { name: "A", type: LONG }]) { datasetId }`,
    badField: 'columns[1].name',
    ok: `createDataset(name: "x", columns: [{ name: "a", type: STRING }]) { datasetId }`,
    method: 'POST',
    path: '/api/data/v2/datasources',
    status: 403,
    code: 'FORBIDDEN',
  },
  {
    name: 'alterDatasetSchema',
    bad: `alterDatasetSchema(datasetId: "${T}", columns: [{ name: " ", type: STRING }]) { datasetId }`,
    badField: 'columns[0].name',
    ok: `alterDatasetSchema(datasetId: "${T}", columns: [{ name: "region", type: STRING }]) { datasetId }`,
    method: 'POST',
    path: `/api/data/v2/datasources/${T}/schemas`,
    status: 500,
    code: 'UPSTREAM_ERROR',
  },
  {
    name: 'updateDatasetProperties',
    bad: `updateDatasetProperties(datasetId: "${T}") { datasetId }`,
    badField: 'dataProviderType',
    ok: `updateDatasetProperties(datasetId: "${T}", name: "Renamed") { datasetId }`,
    method: 'PUT',
    path: `/api/data/v3/datasources/${T}/properties`,
    status: 404,
    code: 'NOT_FOUND',
  },
  {
    name: 'setDatasetTags',
    bad: `setDatasetTags(datasetId: "${T}", tags: ["a", "a"]) { datasetId }`,
    badField: 'tags[1]',
    ok: `setDatasetTags(datasetId: "${T}", tags: ["a"]) { datasetId }`,
    method: 'POST',
    path: `/api/data/ui/v3/datasources/${T}/tags`,
    status: 500,
    code: 'UPSTREAM_ERROR',
  },
  {
    name: 'addDatasetTags',
    bad: `addDatasetTags(datasetId: "${T}", tags: []) { datasetId }`,
    badField: 'tags',
    ok: `addDatasetTags(datasetId: "${T}", tags: ["new"]) { datasetId }`,
    method: 'POST',
    path: `/api/data/ui/v3/datasources/${T}/tags`,
    status: 403,
    code: 'FORBIDDEN',
  },
  {
    name: 'removeDatasetTags',
    bad: `removeDatasetTags(datasetId: "not-a-uuid", tags: ["finance"]) { datasetId }`,
    badField: 'datasetId',
    ok: `removeDatasetTags(datasetId: "${T}", tags: ["finance"]) { datasetId }`,
    method: 'POST',
    path: `/api/data/ui/v3/datasources/${T}/tags`,
    status: 500,
    code: 'UPSTREAM_ERROR',
  },
  {
    name: 'shareDataset',
    bad: `shareDataset(datasetId: "${T}", grants: [
      { principalId: "${jae.id}", type: USER, accessLevel: CAN_VIEW },
      { principalId: "${jae.id}", type: USER, accessLevel: CAN_EDIT }]) { datasetId }`,
    badField: 'grants[1]',
    ok: `shareDataset(datasetId: "${T}", grants: [{ principalId: "${jae.id}", type: USER, accessLevel: CAN_VIEW }]) { datasetId }`,
    method: 'POST',
    path: `/api/data/v3/datasources/${T}/share`,
    status: 403,
    code: 'FORBIDDEN',
  },
  {
    name: 'revokeDatasetAccess',
    bad: `revokeDatasetAccess(datasetId: "${T}", userId: "../admin") { datasetId }`,
    badField: 'userId',
    ok: `revokeDatasetAccess(datasetId: "${T}", userId: "${alexis.id}") { datasetId }`,
    method: 'DELETE',
    path: `/api/data/v3/datasources/${T}/permissions/USER/${alexis.id}`,
    status: 404,
    code: 'NOT_FOUND',
  },
  {
    name: 'removeDatasetUser',
    bad: `removeDatasetUser(datasetId: "${T}", userId: "") { datasetId }`,
    badField: 'userId',
    ok: `removeDatasetUser(datasetId: "${T}", userId: "${alexis.id}") { datasetId }`,
    method: 'DELETE',
    path: `/api/data/v3/datasources/${T}/USERS/${alexis.id}`,
    status: 500,
    code: 'UPSTREAM_ERROR',
  },
  {
    name: 'removeDatasetUsers',
    bad: `removeDatasetUsers(datasetId: "${T}", principals: []) { datasetId }`,
    badField: 'principals',
    ok: `removeDatasetUsers(datasetId: "${T}", principals: [{ principalId: "${finance.id}", type: GROUP }]) { datasetId }`,
    method: 'DELETE',
    path: `/api/data/v3/datasources/${T}/users`,
    status: 403,
    code: 'FORBIDDEN',
  },
  {
    name: 'indexDataset',
    bad: `indexDataset(datasetId: "${T.slice(0, 30)}") { indexId }`,
    badField: 'datasetId',
    ok: `indexDataset(datasetId: "${T}") { indexId }`,
    method: 'POST',
    path: `/api/query/v1/datasources/${T}`,
    status: 500,
    code: 'UPSTREAM_ERROR',
  },
  {
    name: 'indexDataVersions',
    bad: `indexDataVersions(datasetId: "${T}", dataIds: ["1", "1"]) { indexId }`,
    badField: 'dataIds',
    ok: `indexDataVersions(datasetId: "${T}", dataIds: ["1"]) { indexId }`,
    method: 'POST',
    path: `/api/data/v3/datasources/${T}/indexes`,
    status: 404,
    code: 'NOT_FOUND',
  },
];

describe('every mutation refuses bad input before any call, and reports upstream failures unchanged', () => {
  it.each(CASES)('$name: bad input → BAD_USER_INPUT naming $badField, no upstream call', async (c) => {
    const state = snapshot(T);
    const { result, calls: made } = await calls(() => stack.gql(`mutation { ${c.bad} }`));
    expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: c.badField });
    expect(made).toEqual([]);
    expect(snapshot(T)).toBe(state);
  });

  it.each(CASES)('$name: upstream $status → $code, one attempt, nothing changed', async (c) => {
    const state = snapshot(T);
    stack.sandbox.inject({ method: c.method, path: c.path, status: c.status });
    const { result, calls: made } = await calls(() => stack.gql(`mutation { ${c.ok} }`));
    expect(result.errors?.[0]?.extensions).toMatchObject({ code: c.code, upstreamStatus: c.status });
    expect(result.errors?.[0]?.path).toEqual([c.name]);
    expect(made.filter((m) => m === `${c.method} ${c.path}`)).toHaveLength(1);
    expect(snapshot(T)).toBe(state);
  });
});

describe('schema input checks', () => {
  it('refuses two columns with one id, naming the second, before any call', async () => {
    const { result, calls: made } = await calls(() =>
      stack.gql(`mutation { alterDatasetSchema(datasetId: "${T}", columns: [
        { name: "x", id: "region", type: STRING }, { name: "y", id: "REGION", type: STRING }
      ]) { datasetId } }`),
    );
    expect(result.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'columns[1].id' });
    expect(made).toEqual([]);
  });
});

describe('inputs GraphQL itself refuses', () => {
  it('rejects unknown enum values (column type, access level) in validation, before any upstream call', async () => {
    const { result, calls: made } = await calls(async () => [
      await stack.gql(
        'mutation { createDataset(name: "x", columns: [{ name: "a", type: TEXT }]) { datasetId } }',
      ),
      await stack.gql(
        `mutation($l: AccessLevel!) { shareDataset(datasetId: "${T}", grants: [{ principalId: "1", type: USER, accessLevel: $l }]) { datasetId } }`,
        { l: 'CAN_FLY' },
      ),
    ]);
    const [literal, variable] = result;
    expect(literal!.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'columns' });
    expect(literal!.errors?.[0]?.message).toMatch(/TEXT/);
    expect(variable!.status).toBe(400);
    expect(variable!.errors?.[0]?.message).toMatch(/CAN_FLY/);
    expect(variable!.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', variable: 'l' });
    expect(made).toEqual([]);
  });
});
