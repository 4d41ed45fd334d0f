/**
 * Scopes and the dataset allow-list through the real gateway and sandbox: a call outside them is
 * FORBIDDEN before any upstream call (the sandbox's request log says so), on every way in.
 */
import { encodeGlobalID } from '@pothos/plugin-relay';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashApiKey, parseApiKeyEntries } from '../../src/auth/keys.ts';
import { DEMO_DATASETS } from '../../src/sandbox/seed.ts';
import { DEMO_STREAMS } from '../../src/sandbox/seed-streams.ts';
import { SANDBOX_TOKEN, type Stack, startStack } from '../helpers/stack.ts';

const { sales: SALES, customers: CUSTOMERS, staging: STAGING } = DEMO_DATASETS;

const KEYS = {
  reader: 'reader-key-0123456789abcdef',
  writer: 'writer-key-0123456789abcdef',
  uploader: 'uploader-key-0123456789abcdef',
  sharer: 'sharer-key-0123456789abcdef',
  salesOnly: 'sales-only-key-0123456789abcdef',
  stagingUploader: 'staging-uploader-key-0123456789',
  finance: 'finance-tag-key-0123456789abcdef',
};
const ENTRIES = [
  `sha256:${hashApiKey(KEYS.reader)}:read`,
  `sha256:${hashApiKey(KEYS.writer)}:read,write`,
  `sha256:${hashApiKey(KEYS.uploader)}:read,upload`,
  `sha256:${hashApiKey(KEYS.sharer)}:read,share`,
  `sha256:${hashApiKey(KEYS.salesOnly)}:read,write,upload,share:${SALES}`,
  `sha256:${hashApiKey(KEYS.stagingUploader)}:read,upload:${STAGING}`,
  `sha256:${hashApiKey(KEYS.finance)}:read:tag:finance`,
];

const bearer = (key: string) => ({ authorization: `Bearer ${key}` });
const codes = (errors: Array<{ extensions?: { code?: string } }> | undefined) =>
  (errors ?? []).map((e) => e.extensions?.code);

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({
    serverCredentials: { kind: 'developer', token: SANDBOX_TOKEN },
    gatewayAuth: { apiKeys: parseApiKeyEntries(ENTRIES.join('\n')), jwt: null },
  });
});
afterAll(() => stack?.close());

/** The sandbox requests made while `act` ran. */
async function upstream(act: () => Promise<unknown>) {
  const before = stack.sandbox.requests.length;
  await act();
  return stack.sandbox.requests.slice(before);
}

async function refused(key: string, query: string, variables?: Record<string, unknown>) {
  let res!: Awaited<ReturnType<Stack['gql']>>;
  const calls = await upstream(async () => {
    res = await stack.gql(query, variables, bearer(key));
  });
  expect(codes(res.errors)).toEqual(['FORBIDDEN']);
  expect(res.data ?? null).toBeNull();
  expect(calls).toEqual([]);
  return res;
}

describe('scopes', () => {
  it('a read-only key cannot run a mutation', async () => {
    const res = await refused(
      KEYS.reader,
      `mutation { setDatasetTags(datasetId: "${STAGING}", tags: ["x"]) { dataset { id } } }`,
    );
    expect(res.errors?.[0]?.message).toMatch(/write scope/);
    expect(res.errors?.[0]?.extensions?.scope).toBe('write');
    // Hidden in a fragment, still seen.
    await refused(
      KEYS.reader,
      `mutation { ...M } fragment M on Mutation { indexDataset(datasetId: "${STAGING}") { __typename } }`,
    );
  });

  it('a write key runs a write mutation, but not an access change', async () => {
    const ok = await stack.gql(
      `mutation { setDatasetTags(datasetId: "${STAGING}", tags: ["x"]) { dataset { tags } } }`,
      undefined,
      bearer(KEYS.writer),
    );
    expect(ok.errors).toBeUndefined();
    await refused(
      KEYS.writer,
      `mutation { shareDataset(datasetId: "${STAGING}", grants: [{ type: USER, principalId: "1", accessLevel: CAN_SHARE }]) { __typename } }`,
    );
    await refused(
      KEYS.writer,
      `mutation { revokeDatasetAccess(datasetId: "${STAGING}", userId: "1") { __typename } }`,
    );
  });

  it('a key without share cannot change access; one with share can', async () => {
    await refused(
      KEYS.uploader,
      `mutation { removeDatasetUser(datasetId: "${STAGING}", userId: "1") { __typename } }`,
    );
    const res = await stack.gql(
      `mutation { revokeDatasetAccess(datasetId: "${STAGING}", userId: "1") { __typename } }`,
      undefined,
      bearer(KEYS.sharer),
    );
    expect(codes(res.errors)).not.toContain('FORBIDDEN');
  });

  it('a key without upload is refused on both upload routes, before the body is read', async () => {
    const csv = 'id,payload,amount,loaded_at\n1,a,1.5,2025-01-01 10:00:00\n';
    const calls = await upstream(async () => {
      const put = await fetch(`${stack.gatewayUrl}/v1/datasets/${STAGING}/upload?mode=append`, {
        method: 'PUT',
        headers: { 'content-type': 'text/csv', ...bearer(KEYS.writer) },
        body: csv,
      });
      expect(put.status).toBe(403);
      expect(await put.json()).toMatchObject({ error: { code: 'FORBIDDEN' } });
      expect(put.headers.get('www-authenticate')).toContain('scope="upload"');

      const form = new FormData();
      form.set(
        'operations',
        JSON.stringify({
          query:
            'mutation($id: ID!, $file: Upload!) { uploadDatasetCsv(datasetId: $id, file: $file) { rows } }',
          variables: { id: STAGING, file: null },
        }),
      );
      form.set('map', JSON.stringify({ 0: ['variables.file'] }));
      form.set('0', new Blob([csv], { type: 'text/csv' }), 'data.csv');
      const multipart = await fetch(`${stack.gatewayUrl}/graphql`, {
        method: 'POST',
        headers: bearer(KEYS.writer),
        body: form,
      });
      expect(multipart.status).toBe(403);
      const body = (await multipart.json()) as { errors: Array<{ extensions: { code: string } }> };
      expect(codes(body.errors)).toEqual(['FORBIDDEN']);
    });
    expect(calls).toEqual([]);
    await refused(
      KEYS.writer,
      `mutation { appendRows(datasetId: "${STAGING}", rows: [{ id: 1 }]) { rows } }`,
    );
  });

  it('an upload key uploads through the PUT route', async () => {
    const put = await fetch(`${stack.gatewayUrl}/v1/datasets/${STAGING}/upload?mode=append`, {
      method: 'PUT',
      headers: { 'content-type': 'text/csv', ...bearer(KEYS.uploader) },
      body: 'id,payload,amount,loaded_at\n1,a,1.5,2025-01-01 10:00:00\n',
    });
    expect(put.status).toBe(200);
  });
});

describe('dataset allow-list by id', () => {
  const key = KEYS.salesOnly;

  it('serves the listed dataset', async () => {
    const res = await stack.gql<{ dataset: { domoId: string } }>(
      `{ dataset(id: "${SALES}") { domoId } }`,
      undefined,
      bearer(key),
    );
    expect(res.errors).toBeUndefined();
    expect(res.data?.dataset.domoId).toBe(SALES);
  });

  it('refuses every way of naming another dataset, with no upstream call', async () => {
    await refused(key, `{ dataset(id: "${CUSTOMERS}") { name } }`);
    await refused(key, `{ dataset(id: "${CUSTOMERS.toUpperCase()}") { name } }`);
    await refused(key, 'query($id: ID!) { dataset(id: $id) { name } }', { id: CUSTOMERS });
    await refused(key, `{ node(id: "${encodeGlobalID('Dataset', CUSTOMERS)}") { id } }`);
    await refused(
      key,
      `{ nodes(ids: ["${encodeGlobalID('Dataset', SALES)}", "${encodeGlobalID('Dataset', CUSTOMERS)}"]) { id } }`,
    );
    await refused(key, `{ node(id: "${encodeGlobalID('DataVersion', `${CUSTOMERS}/1`)}") { id } }`);
    await refused(key, `{ datasetsByIds(ids: ["${SALES}", "${CUSTOMERS}"]) { name } }`);
    await refused(key, `{ sql(datasetId: "${CUSTOMERS}", sql: "SELECT 1") { rowCount } }`);
    await refused(key, `mutation { indexDataset(datasetId: "${CUSTOMERS}") { __typename } }`);
    await refused(key, `mutation { shareDataset(datasetId: "${CUSTOMERS}", grants: []) { __typename } }`);
    await refused(
      key,
      'mutation { createDataset(name: "x", columns: [{ name: "a", type: STRING }]) { __typename } }',
    );
  });

  it("refuses a stream whose dataset is outside, after reading only the stream's metadata", async () => {
    let res!: Awaited<ReturnType<Stack['gql']>>;
    const calls = await upstream(async () => {
      res = await stack.gql(`{ stream(id: "${DEMO_STREAMS.customers}") { id } }`, undefined, bearer(key));
    });
    expect(codes(res.errors)).toEqual(['FORBIDDEN']);
    expect(calls.map((c) => `${c.method} ${c.path}`)).toEqual([
      `GET /api/data/v1/streams/${DEMO_STREAMS.customers}`,
    ]);
    const own = await stack.gql(
      `{ stream(id: "${DEMO_STREAMS.sales}") { dataSource { domoId } } }`,
      undefined,
      bearer(key),
    );
    expect(own.errors).toBeUndefined();
  });

  it("passes Domo's answer on when the stream's metadata cannot be read to decide", async () => {
    const res = await stack.gql(`{ stream(id: "${DEMO_STREAMS.sales}") { id } }`, undefined, {
      ...bearer(key),
      'x-domo-developer-token': 'not-the-sandbox-token',
    });
    expect(codes(res.errors)).toEqual(['UNAUTHENTICATED']);
    expect(JSON.stringify(res)).not.toContain('not-the-sandbox-token');
  });

  it('filters lists to the allowed datasets, totalCount unknown', async () => {
    const res = await stack.gql<{
      datasets: { totalCount: number | null; edges: Array<{ node: { domoId: string } }> };
    }>('{ datasets(first: 50) { totalCount edges { node { domoId } } } }', undefined, bearer(key));
    expect(res.errors).toBeUndefined();
    expect(res.data?.datasets.edges.map((e) => e.node.domoId)).toEqual([SALES]);
    expect(res.data?.datasets.totalCount).toBeNull();
  });

  it('refuses the PUT upload into another dataset before the body is read', async () => {
    const calls = await upstream(async () => {
      const put = await fetch(`${stack.gatewayUrl}/v1/datasets/${CUSTOMERS}/upload?mode=append`, {
        method: 'PUT',
        headers: { 'content-type': 'text/csv', ...bearer(KEYS.stagingUploader) },
        body: 'id\n1\n',
      });
      expect(put.status).toBe(403);
      expect(await put.json()).toMatchObject({ error: { code: 'FORBIDDEN' } });
    });
    expect(calls).toEqual([]);
  });

  it('pages through a filtered list: cursors follow Domo, hidden datasets never appear', async () => {
    type Page = {
      datasets: {
        edges: Array<{ node: { domoId: string } }>;
        pageInfo: { hasNextPage: boolean; endCursor: string | null };
      };
    };
    const seen: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 10; page++) {
      const res: Awaited<ReturnType<Stack['gql']>> & { data?: Page | null } = await stack.gql<Page>(
        'query($after: String) { datasets(first: 2, after: $after) { edges { node { domoId } } pageInfo { hasNextPage endCursor } } }',
        { after },
        bearer(key),
      );
      expect(res.errors).toBeUndefined();
      seen.push(...(res.data?.datasets.edges ?? []).map((e) => e.node.domoId));
      if (!res.data?.datasets.pageInfo.hasNextPage) break;
      after = res.data.datasets.pageInfo.endCursor;
    }
    expect(seen).toEqual([SALES]);
  });
});

describe('dataset allow-list by tag', () => {
  it('decides from the metadata: a finance dataset is served, a crm one refused', async () => {
    const ok = await stack.gql(`{ dataset(id: "${SALES}") { name tags } }`, undefined, bearer(KEYS.finance));
    expect(ok.errors).toBeUndefined();
    let res!: Awaited<ReturnType<Stack['gql']>>;
    const calls = await upstream(async () => {
      res = await stack.gql(`{ dataset(id: "${CUSTOMERS}") { name } }`, undefined, bearer(KEYS.finance));
    });
    expect(codes(res.errors)).toEqual(['FORBIDDEN']);
    // Only a metadata read, to see its tags.
    expect(calls.every((c) => c.method === 'GET' && c.path.includes(CUSTOMERS))).toBe(true);
  });

  it('filters lists by tag', async () => {
    const res = await stack.gql<{ datasets: { edges: Array<{ node: { tags: string[] } }> } }>(
      '{ datasets(first: 50) { edges { node { tags } } } }',
      undefined,
      bearer(KEYS.finance),
    );
    expect(res.errors).toBeUndefined();
    const tags = res.data?.datasets.edges.map((e) => e.node.tags) ?? [];
    expect(tags.length).toBeGreaterThan(0);
    for (const list of tags) expect(list).toContain('finance');
  });
});
