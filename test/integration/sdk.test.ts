/**
 * The typed client SDK against the real gateway in front of the real sandbox: the server-to-server
 * flow of examples/server-to-server.ts step by step, with read-after-write, and every write checked
 * at the sandbox against the method, path and body that /work/shared/domo-dataset-api.md documents.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serverToServer } from '../../examples/server-to-server.ts';
import { DEMO_DATASETS, DEMO_GROUPS, DEMO_USERS } from '../../src/sandbox/seed.ts';
import { DEMO_STREAMS } from '../../src/sandbox/seed-streams.ts';
import {
  CreateDatasetDocument,
  createDomoGraphClient,
  DatasetDocument,
  type DomoGraphClient,
  DomoGraphError,
  ShareDatasetDocument,
  SqlDocument,
} from '../../src/sdk/index.ts';
import { SANDBOX_TOKEN, type Stack, startStack } from '../helpers/stack.ts';

// Executions started here finish on the first read after the POST (settle time 0): deterministic.
let stack: Stack;
let client: DomoGraphClient;
beforeAll(async () => {
  stack = await startStack({ sandbox: { executionSettleMs: 0 } });
  client = createDomoGraphClient({ url: `${stack.gatewayUrl}/graphql`, token: SANDBOX_TOKEN });
});
afterAll(() => stack.close());

const owner = DEMO_USERS[0]!;
const jae = DEMO_USERS[2]!;
const finance = DEMO_GROUPS[0]!;

/** POSTs that only read (dataset bulk, search, SQL); every other non-GET is a write. */
const READ_ONLY_POSTS = [/\/datasources\/bulk$/, /\/datasources\/search$/, /^\/api\/query\/v1\/execute\//];
const isWrite = (r: { method: string; path: string }) =>
  r.method !== 'GET' && !READ_ONLY_POSTS.some((re) => re.test(r.path));

describe('server-to-server flow through the SDK', () => {
  it('creates, shares, tags, runs the stream, updates and cleans up; each write as the API doc has it', async () => {
    const requestsBefore = stack.sandbox.requests.length;
    const attemptsBefore = stack.attempts.length;
    const lines: string[] = [];
    const r = await serverToServer(client, {
      name: 'SDK flow',
      userId: jae.id,
      groupId: finance.id,
      pollMs: 0,
      log: (line) => lines.push(line),
    });
    const id = r.datasetId;
    const ownerEntry = { principalId: owner.id, type: 'USER', name: owner.name, accessLevel: 'OWNER' };
    const jaeEntry = { principalId: jae.id, type: 'USER', name: jae.name, accessLevel: 'CAN_EDIT' };
    const financeEntry = {
      principalId: finance.id,
      type: 'GROUP',
      name: finance.name,
      accessLevel: 'CAN_VIEW',
    };

    // 1. create: the payload is the dataset re-read after the write.
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(r.created.dataset).toMatchObject({
      domoId: id,
      name: 'SDK flow',
      dataProviderType: 'api',
      tags: [],
      rowCount: 0,
      columnCount: 3,
      streamId: null,
      columns: [
        { name: 'Friend', type: 'STRING' },
        { name: 'Attending', type: 'STRING' },
        { name: 'Guests', type: 'LONG' },
      ],
    });
    // 2. share: the access list after the write.
    expect(r.shared.access).toEqual({
      totalUserCount: 2,
      totalGroupCount: 1,
      entries: [ownerEntry, jaeEntry, financeEntry],
    });
    // 3. tags: set, then add.
    expect(r.tagged.dataset?.tags).toEqual(['server-to-server', 'example']);
    expect(r.added.dataset?.tags).toEqual(['server-to-server', 'example', 'rsvp']);
    // 4. the new dataset has no stream of its own, so the flow created one (with its own dataset).
    const created = r.createdStream!;
    expect(created.streamId).toBe(Number(r.streamId));
    expect(created.datasetId).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.datasetId).not.toBe(id);
    expect(created.stream).toMatchObject({
      domoId: created.streamId,
      updateMethod: 'APPEND',
      schedule: { advancedScheduleJson: '{"type": "MANUAL", "timezone": "UTC"}', state: 'INACTIVE' },
    });
    // 5. the run: started, then finished with SUCCESS.
    expect(r.executed?.streamId).toBe(created.streamId);
    expect(r.executed?.executionId).toEqual(expect.any(Number));
    expect(r.finished.currentExecution).toBeNull();
    expect(r.finished.currentExecutionState).toBe('SUCCESS');
    expect(r.finished.lastExecution).toMatchObject({
      executionId: r.executed?.executionId,
      currentState: 'SUCCESS',
      runType: 'MANUAL',
    });
    expect(r.finished.dataSource).toEqual({ domoId: created.datasetId, name: 'SDK flow feed' });
    // 6. properties.
    expect(r.properties.dataset?.dataProviderType).toBe('domo-jupyterdata');
    // 7. read-after-write of everything so far, and SQL on the new (empty) table.
    expect(r.read).toMatchObject({
      domoId: id,
      name: 'SDK flow',
      dataProviderType: 'domo-jupyterdata',
      tags: ['server-to-server', 'example', 'rsvp'],
      owner: { id: owner.id, name: owner.name },
      access: { entries: [ownerEntry, jaeEntry, financeEntry] },
    });
    expect(r.sql).toMatchObject({ rowCount: 1, truncated: false, objects: [{ n: 0 }] });
    // 8. cleanup: each step's payload, then an independent read.
    expect(r.revoked.access?.entries).toEqual([ownerEntry, financeEntry]);
    expect(r.removed.access?.entries).toEqual([ownerEntry]);
    expect(r.untagged.dataset?.tags).toEqual([]);
    const { dataset: after } = await client.request(DatasetDocument, { id });
    expect(after).toMatchObject({ tags: [], dataProviderType: 'domo-jupyterdata' });
    expect(after?.access.entries.map((e) => e.principalId)).toEqual([owner.id]);
    expect(lines.map((l) => l.split(' ')[0])).toEqual(['1.', '2.', '3.', '4.', '5.', '', '6.', '7.', '8.']);

    // What reached the sandbox: exactly the doc's writes, in order, each once (writes are never retried).
    const streamId = created.streamId;
    const documented = [
      {
        method: 'POST',
        path: '/api/data/v2/datasources',
        body: {
          userDefinedType: 'api',
          dataSourceName: 'SDK flow',
          schema: {
            columns: [
              { type: 'STRING', name: 'Friend' },
              { type: 'STRING', name: 'Attending' },
              { type: 'LONG', name: 'Guests' },
            ],
          },
        },
      },
      {
        method: 'POST',
        path: `/api/data/v3/datasources/${id}/share`,
        body: {
          permissions: [
            { id: jae.id, type: 'USER', accessLevel: 'CAN_EDIT' },
            { id: finance.id, type: 'GROUP', accessLevel: 'CAN_VIEW' },
          ],
          sendEmail: false,
        },
      },
      {
        method: 'POST',
        path: `/api/data/ui/v3/datasources/${id}/tags`,
        body: ['server-to-server', 'example'],
      },
      {
        method: 'POST',
        path: `/api/data/ui/v3/datasources/${id}/tags`,
        body: ['server-to-server', 'example', 'rsvp'],
      },
      {
        method: 'POST',
        path: '/api/data/v1/streams',
        body: {
          transport: { type: 'CONNECTOR', description: 'com.domo.connector.snowflakeunloadv2', version: '1' },
          configuration: [
            { name: 'query', value: 'SELECT * FROM table', type: 'string', category: 'METADATA' },
          ],
          account: { id: 3 },
          updateMethod: 'APPEND',
          dataProvider: { key: 'snowflake-unload-v2' },
          dataSource: { name: 'SDK flow feed', description: 'Feeds the server-to-server flow' },
          advancedScheduleJson: '{"type": "MANUAL", "timezone": "UTC"}',
        },
      },
      { method: 'POST', path: `/api/data/v1/streams/${streamId}/executions`, body: { action: 'MANUAL' } },
      {
        method: 'PUT',
        path: `/api/data/v3/datasources/${id}/properties`,
        body: { dataProviderType: 'domo-jupyterdata' },
      },
      {
        method: 'DELETE',
        path: `/api/data/v3/datasources/${id}/permissions/USER/${jae.id}`,
        body: undefined,
      },
      {
        method: 'DELETE',
        path: `/api/data/v3/datasources/${id}/users`,
        body: [{ id: finance.id, type: 'GROUP' }],
      },
      { method: 'POST', path: `/api/data/ui/v3/datasources/${id}/tags`, body: [] },
    ];
    const seen = stack.sandbox.requests
      .slice(requestsBefore)
      .filter(isWrite)
      .map((q) => ({ method: q.method, path: q.path, body: q.body ? JSON.parse(q.body) : undefined }));
    expect(seen).toStrictEqual(documented);
    // The gateway's side of the same calls: one attempt each, and no body where the doc has none
    // (the sandbox only records a body its route reads).
    const sent = stack.attempts
      .slice(attemptsBefore)
      .filter((a) => !a.request.idempotent)
      .map((a) => ({
        method: a.request.method,
        path: a.request.path,
        body: a.request.json,
        attempt: a.attempt,
      }));
    expect(sent).toStrictEqual(documented.map((d) => ({ ...d, attempt: 1 })));
  });

  it('runs an existing stream when asked, without creating one', async () => {
    const before = stack.sandbox.requests.length;
    const r = await serverToServer(client, {
      name: 'SDK flow, existing stream',
      userId: jae.id,
      groupId: finance.id,
      streamId: String(DEMO_STREAMS.targets),
      pollMs: 0,
    });
    expect(r.createdStream).toBeNull();
    expect(r.finished.lastExecution).toMatchObject({
      executionId: r.executed?.executionId,
      currentState: 'SUCCESS',
    });
    const writes = stack.sandbox.requests.slice(before).filter(isWrite);
    expect(writes.filter((w) => w.path === '/api/data/v1/streams')).toHaveLength(0);
    expect(
      writes.filter((w) => w.path === `/api/data/v1/streams/${DEMO_STREAMS.targets}/executions`),
    ).toHaveLength(1);
  });
});

describe('the SDK client', () => {
  it('types results and variables from the generated documents', async () => {
    const { sql } = await client.request(SqlDocument, {
      datasetId: DEMO_DATASETS.targets,
      sql: 'SELECT COUNT(*) AS n FROM table',
    });
    expect(sql.columns).toEqual([{ name: 'n', type: 'LONG' }]);
    expect(sql.objects).toEqual([{ n: 20 }]);
  });

  it('throws DomoGraphError with the codes; a bad input makes no upstream call', async () => {
    const before = stack.sandbox.requests.length;
    const error = await client
      .request(ShareDatasetDocument, {
        datasetId: DEMO_DATASETS.staging,
        grants: [{ principalId: 'not-a-number', type: 'USER', accessLevel: 'CAN_VIEW' }],
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DomoGraphError);
    const e = error as DomoGraphError;
    expect(e.code).toBe('BAD_USER_INPUT');
    expect(e.errors[0]?.extensions?.field).toBe('grants[0].principalId');
    expect(e.operationName).toBe('ShareDataset');
    expect(e.message).toMatch(/^ShareDataset: .*\[BAD_USER_INPUT\]$/);
    expect(stack.sandbox.requests.length).toBe(before);
  });

  it('carries partial data with a NOT_FOUND', async () => {
    const error = (await client
      .request(DatasetDocument, { id: '00000000-0000-4000-8000-000000000000' })
      .catch((e: unknown) => e)) as DomoGraphError;
    expect(error).toBeInstanceOf(DomoGraphError);
    expect(error.codes).toEqual(['NOT_FOUND']);
    expect(error.data).toEqual({ dataset: null });
  });

  it('reports an upstream failure of a write, and the write is not retried', async () => {
    stack.sandbox.inject({ method: 'POST', path: '/api/data/v2/datasources', status: 500 });
    const before = stack.sandbox.count('POST', '/api/data/v2/datasources');
    const error = (await client
      .request(CreateDatasetDocument, { name: 'never', columns: [{ name: 'a', type: 'STRING' }] })
      .catch((e: unknown) => e)) as DomoGraphError;
    expect(error).toBeInstanceOf(DomoGraphError);
    expect(error.code).toBe('UPSTREAM_ERROR');
    expect(stack.sandbox.count('POST', '/api/data/v2/datasources')).toBe(before + 1);
  });

  it('never puts the token in an error message', async () => {
    const secret = 'wrong-token-s3cr3t';
    const wrong = createDomoGraphClient({ url: `${stack.gatewayUrl}/graphql`, token: secret });
    const error = (await wrong
      .request(DatasetDocument, { id: DEMO_DATASETS.sales })
      .catch((e: unknown) => e)) as DomoGraphError;
    expect(error.code).toBe('UNAUTHENTICATED');
    expect(error.message).not.toContain(secret);
    expect(JSON.stringify(error.errors)).not.toContain(secret);

    // Even when a server echoes it back.
    const echo = createDomoGraphClient({
      url: 'http://gateway.invalid/graphql?token=abc',
      token: secret,
      fetch: async (_url, init) => {
        const sent = new Headers(init?.headers).get('x-domo-developer-token');
        return new Response(JSON.stringify({ errors: [{ message: `bad token ${sent}` }], data: null }));
      },
    });
    const echoed = (await echo
      .request(DatasetDocument, { id: 'x' })
      .catch((e: unknown) => e)) as DomoGraphError;
    expect(echoed.message).toBe('Dataset: bad token [redacted]');
    expect(echoed.errors[0]?.message).toBe('bad token [redacted]');
  });

  it('fails clearly on an answer that is not GraphQL, and on no answer', async () => {
    const notGraphql = createDomoGraphClient({ url: `${stack.gatewayUrl}/nowhere`, token: SANDBOX_TOKEN });
    const e1 = (await notGraphql
      .request(DatasetDocument, { id: DEMO_DATASETS.sales })
      .catch((e: unknown) => e)) as DomoGraphError;
    expect(e1).toBeInstanceOf(DomoGraphError);
    expect(e1.status).toBe(404);
    expect(e1.errors).toEqual([]);

    const down = createDomoGraphClient({
      url: 'http://127.0.0.1:9/graphql?token=abc',
      token: SANDBOX_TOKEN,
    });
    const e2 = (await down
      .request(DatasetDocument, { id: DEMO_DATASETS.sales })
      .catch((e: unknown) => e)) as DomoGraphError;
    expect(e2.status).toBe(0);
    expect(e2.message).toMatch(/^Dataset: request to http:\/\/127\.0\.0\.1:9\/graphql failed/);
    expect(e2.message).not.toContain('token=abc');
  });

  it('runs the README example as written (pointed at this stack)', async () => {
    const readme = await readFile(new URL('../../README.md', import.meta.url), 'utf8');
    // The examples that import the SDK from the checkout; the installed package's example
    // ('@domo-graph/gateway/sdk') is run by package.test.ts from an installed tarball.
    const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)]
      .map((m) => m[1]!)
      .filter((block) => block.includes("from './src/sdk/index.ts'"));
    expect(blocks.length).toBeGreaterThan(0);
    const dir = await mkdtemp(join(tmpdir(), 'domo-graph-readme-'));
    try {
      for (const [i, block] of blocks.entries()) {
        const file = join(dir, `example-${i}.mts`);
        const source = block
          .replaceAll("'./src/sdk/index.ts'", `'${new URL('../../src/sdk/index.ts', import.meta.url).href}'`)
          .replaceAll('http://localhost:4000/graphql', `${stack.gatewayUrl}/graphql`);
        await writeFile(file, source);
        // Async: the gateway answering the example runs in this process.
        const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', file], {
          cwd: new URL('../..', import.meta.url).pathname,
          env: { ...process.env, DOMO_GRAPH_TOKEN: SANDBOX_TOKEN },
        });
        expect(stdout).toMatch(/^created [0-9a-f-]{36}/);
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
