/** Each StreamsApi method against the real sandbox over loopback HTTP. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDomoClient, type DomoClient } from '../../src/domo/client.ts';
import { DomoError } from '../../src/domo/errors.ts';
import { createDispatcher, DomoHttp } from '../../src/domo/http.ts';
import { parseAdvancedSchedule } from '../../src/domo/schedule.ts';
import type { DomoStreamWriteRequest } from '../../src/domo/types.ts';
import { DEMO_DATASETS } from '../../src/sandbox/seed.ts';
import { DEMO_STREAMS } from '../../src/sandbox/seed-streams.ts';
import { createSandbox, type Sandbox } from '../../src/sandbox/server.ts';

const TOKEN = 'contract-token';
let sandbox: Sandbox;
let client: DomoClient;
let dispatcher: ReturnType<typeof createDispatcher>;

beforeAll(async () => {
  // A long settle time keeps API-started executions RUNNING for the whole file.
  sandbox = await createSandbox({ token: TOKEN, largeRows: 100, executionSettleMs: 600_000 });
  dispatcher = createDispatcher({ connectTimeoutMs: 5_000, connections: 4 });
  const http = new DomoHttp({
    baseUrl: sandbox.url,
    dispatcher,
    headersTimeoutMs: 10_000,
    bodyTimeoutMs: 10_000,
    retry: { maxRetries: 2, baseMs: 1, maxDelayMs: 5 },
  });
  client = createDomoClient(http, { credentials: { kind: 'developer', token: TOKEN } });
});
afterAll(async () => {
  await dispatcher.close();
  await sandbox.close();
});

const body = (over: Partial<DomoStreamWriteRequest> = {}): DomoStreamWriteRequest => ({
  transport: { type: 'CONNECTOR', description: 'com.domo.connector.snowflakeunloadv2', version: '1' },
  configuration: [{ name: 'query', value: 'SELECT * FROM table', type: 'string', category: 'METADATA' }],
  account: { id: 3 },
  updateMethod: 'APPEND',
  dataProvider: { key: 'snowflake-unload-v2' },
  dataSource: { name: 'hello world', description: 'config works?' },
  advancedScheduleJson: '{"type": "MANUAL", "timezone": "UTC"}',
  ...over,
});

describe('StreamsApi.get', () => {
  it('reads a stream with every field of the doc, its dataset embedded', async () => {
    const stream = await client.streams.get(DEMO_STREAMS.sessions);
    expect(Object.keys(stream)).toEqual([
      'id',
      'valid',
      'invalidExecutionId',
      'transport',
      'updateMethod',
      'dataProvider',
      'account',
      'dataSource',
      'schemaDefinition',
      'scheduleExpression',
      'scheduleStartDate',
      'advancedScheduleJson',
      'scheduleRetryExpression',
      'scheduleRetryCount',
      'lastExecution',
      'lastSuccessfulExecution',
      'currentExecution',
      'currentExecutionState',
      'createdAt',
      'createdBy',
      'modifiedAt',
      'modifiedBy',
      'scheduleState',
      'scheduleAssertion',
      'inactiveScheduleCode',
      'configuration',
    ]);
    expect(stream.id).toBe(DEMO_STREAMS.sessions);
    expect(stream.dataSource?.id).toBe(DEMO_DATASETS.sessions);
    expect(stream.dataSource?.streamId).toBe(DEMO_STREAMS.sessions);
    expect(stream.dataProvider?.key).toBe('google-analytics');
    expect(Object.keys(stream.dataProvider ?? {})).toHaveLength(19);
    expect(parseAdvancedSchedule(stream.advancedScheduleJson)).toMatchObject({
      type: 'MINUTE',
      interval: 30,
    });
    expect(stream.scheduleExpression).toBe('0 0/30 * * * ?');
    expect(stream.lastExecution?.currentState).toBe('SUCCESS');
    expect(Object.keys(stream.lastExecution ?? {})).toHaveLength(29);
    expect(stream.currentExecution).toBeNull();
    expect(stream.configuration?.[0]).toEqual({
      streamId: DEMO_STREAMS.sessions,
      category: 'METADATA',
      name: 'retry.retryNumber',
      type: 'string',
      value: '0',
    });
  });

  it('answers a Domo 404 for an unknown stream', async () => {
    const error = await client.streams.get(999_999).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DomoError);
    expect((error as DomoError).kind).toBe('not_found');
    expect((error as DomoError).toe).toMatch(/^[A-Z0-9]{10}-/);
  });
});

describe('StreamsApi.history', () => {
  it('lists executions newest first', async () => {
    const history = await client.streams.history(DEMO_STREAMS.sessions);
    expect(history).toHaveLength(5);
    const ids = history.map((e) => e.executionId);
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
    expect(history.map((e) => e.currentState)).toEqual([
      'SUCCESS',
      'SUCCESS',
      'FAILED',
      'SUCCESS',
      'SUCCESS',
    ]);
    for (const key of ['streamId', 'executionId', 'rowsInserted', 'bytesInserted', 'startedAt', 'endedAt']) {
      expect(history[0]).toHaveProperty(key);
    }
  });

  it('answers 404 for an unknown stream', async () => {
    await expect(client.streams.history(424_242)).rejects.toMatchObject({ kind: 'not_found', status: 404 });
  });
});

describe('StreamsApi.create', () => {
  it('creates a stream and its dataset, linked both ways', async () => {
    const stream = await client.streams.create(body());
    expect(stream.id).toBeGreaterThan(DEMO_STREAMS.staging);
    expect(stream.dataSource?.name).toBe('hello world');
    expect(stream.dataSource?.description).toBe('config works?');
    expect(stream.dataSource?.streamId).toBe(stream.id);
    expect(stream.dataProvider?.name).toBe('Snowflake Unload V2');
    expect(stream.account).toEqual({ id: 3 });
    expect(stream.configuration).toEqual([
      {
        streamId: stream.id,
        category: 'METADATA',
        name: 'query',
        type: 'string',
        value: 'SELECT * FROM table',
      },
    ]);
    const dataset = await client.datasets.get(stream.dataSource!.id);
    expect(dataset.streamId).toBe(stream.id);
    expect((await client.streams.get(stream.id)).advancedScheduleJson).toBe(
      '{"type": "MANUAL", "timezone": "UTC"}',
    );
  });

  it('answers 400 for a body the doc would refuse, and creates nothing', async () => {
    const before = (await client.datasets.list({ limit: 50, offset: 0 })).totalCount;
    for (const bad of [
      body({ updateMethod: 'SIDEWAYS' }),
      body({ dataProvider: { key: 'no-such-connector' } }),
      body({ dataSource: { name: '' } }),
      body({
        configuration: [
          { name: 'a', value: '1', type: 'string', category: 'METADATA' },
          { name: 'a', value: '2', type: 'string', category: 'METADATA' },
        ],
      }),
      body({ advancedScheduleJson: 'not json' }),
    ]) {
      await expect(client.streams.create(bad)).rejects.toMatchObject({ kind: 'bad_request', status: 400 });
    }
    expect((await client.datasets.list({ limit: 50, offset: 0 })).totalCount).toBe(before);
  });
});

describe('StreamsApi.update', () => {
  it('changes the stream and its dataset name and description', async () => {
    const created = await client.streams.create(body());
    const result = await client.streams.update(
      created.id,
      body({
        updateMethod: 'REPLACE',
        dataProvider: { key: 'postgresql-partition' },
        configuration: [{ name: 'fetch_size', value: 'None', type: 'string', category: 'METADATA' }],
        dataSource: { name: 'renamed', description: 'new words' },
        advancedScheduleJson: '{"type": "HOUR", "timezone": "UTC", "interval": 2}',
      }),
    );
    expect(result.stream?.id).toBe(created.id);
    const stream = await client.streams.get(created.id);
    expect(stream.updateMethod).toBe('REPLACE');
    expect(stream.dataProvider?.key).toBe('postgresql-partition');
    expect(stream.configuration?.map((c) => c.name)).toEqual(['fetch_size']);
    expect(stream.scheduleState).toBe('ACTIVE');
    expect(stream.scheduleExpression).toBe('0 0 0/2 * * ?');
    expect(stream.dataSource?.name).toBe('renamed');
    expect((await client.datasets.get(created.dataSource!.id)).description).toBe('new words');
  });

  it('answers 404 for an unknown stream and 400 for a bad body', async () => {
    await expect(client.streams.update(999_999, body())).rejects.toMatchObject({ kind: 'not_found' });
    await expect(
      client.streams.update(DEMO_STREAMS.staging, { ...body(), account: undefined } as never),
    ).rejects.toMatchObject({ kind: 'bad_request' });
  });
});

describe('StreamsApi.execute', () => {
  it("answers the doc's empty body and appends a RUNNING execution", async () => {
    const before = await client.streams.history(DEMO_STREAMS.targets);
    const result = await client.streams.execute(DEMO_STREAMS.targets);
    expect(result.response).toEqual({});
    expect(result.execution).toBeNull();
    const history = await client.streams.history(DEMO_STREAMS.targets);
    expect(history).toHaveLength(before.length + 1);
    expect(history[0]).toMatchObject({
      currentState: 'RUNNING',
      runType: 'MANUAL',
      streamId: DEMO_STREAMS.targets,
    });
    const stream = await client.streams.get(DEMO_STREAMS.targets);
    expect(stream.currentExecution?.executionId).toBe(history[0]!.executionId);
    expect(stream.currentExecutionState).toBe('RUNNING');
    expect(stream.lastExecution?.executionId).toBe(history[0]!.executionId);
    expect(stream.lastSuccessfulExecution?.executionId).toBe(before[0]!.executionId);
  });

  it('refuses a second run while one is running (409), and is never retried', async () => {
    const posts = sandbox.count('POST', `/api/data/v1/streams/${DEMO_STREAMS.targets}/executions`);
    await expect(client.streams.execute(DEMO_STREAMS.targets)).rejects.toMatchObject({
      kind: 'bad_request',
      status: 409,
    });
    sandbox.inject({
      method: 'POST',
      path: `/api/data/v1/streams/${DEMO_STREAMS.customers}/executions`,
      status: 503,
    });
    await expect(client.streams.execute(DEMO_STREAMS.customers)).rejects.toMatchObject({ status: 503 });
    expect(sandbox.count('POST', `/api/data/v1/streams/${DEMO_STREAMS.targets}/executions`)).toBe(posts + 1);
    expect(sandbox.count('POST', `/api/data/v1/streams/${DEMO_STREAMS.customers}/executions`)).toBe(1);
  });

  it('answers 404 for an unknown stream and 400 without an action', async () => {
    await expect(client.streams.execute(999_999)).rejects.toMatchObject({ kind: 'not_found' });
    await expect(client.streams.execute(DEMO_STREAMS.staging, '')).rejects.toMatchObject({
      kind: 'bad_request',
    });
  });
});

describe('persistence', () => {
  it('keeps created streams, runs and the dataset link across a restart with SANDBOX_DB, seeding nothing twice', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'streams-'));
    const dbPath = join(dir, 'sandbox.duckdb');
    const open = async () => {
      const box = await createSandbox({ token: TOKEN, largeRows: 10, dbPath, executionSettleMs: 0 });
      const agent = createDispatcher({ connectTimeoutMs: 5_000, connections: 2 });
      const http = new DomoHttp({
        baseUrl: box.url,
        dispatcher: agent,
        headersTimeoutMs: 10_000,
        bodyTimeoutMs: 10_000,
        retry: { maxRetries: 0, baseMs: 1, maxDelayMs: 1 },
      });
      const api = createDomoClient(http, { credentials: { kind: 'developer', token: TOKEN } });
      const close = async () => {
        await agent.close();
        await box.close();
      };
      return { api, close };
    };
    try {
      const first = await open();
      const created = await first.api.streams.create(body({ dataSource: { name: 'kept' } }));
      await first.api.streams.execute(created.id);
      const runs = await first.api.streams.history(created.id);
      const seeded = await first.api.streams.history(DEMO_STREAMS.sales);
      await first.close();

      const second = await open();
      const again = await second.api.streams.get(created.id);
      expect(again.dataSource?.name).toBe('kept');
      expect(again.lastSuccessfulExecution?.executionId).toBe(runs[0]!.executionId);
      expect(await second.api.streams.history(created.id)).toEqual(runs);
      expect(await second.api.streams.history(DEMO_STREAMS.sales)).toEqual(seeded);
      expect((await second.api.datasets.get(created.dataSource!.id)).streamId).toBe(created.id);
      await second.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
