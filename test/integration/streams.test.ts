import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_DATASETS } from '../../src/sandbox/seed.ts';
import { DEMO_STREAMS } from '../../src/sandbox/seed-streams.ts';
import { type Stack, startStack } from '../helpers/stack.ts';

// Executions started here finish on the first read after the POST (settle time 0): deterministic.
let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ sandbox: { executionSettleMs: 0 } });
});
afterAll(() => stack.close());

const SESSIONS = DEMO_DATASETS.sessions;
const S = DEMO_STREAMS.sessions;

/** Upstream calls made while running `work`, as "METHOD path", sorted. */
async function callsDuring(work: () => Promise<unknown>): Promise<string[]> {
  const before = stack.sandbox.requests.length;
  await work();
  return stack.sandbox.requests
    .slice(before)
    .map((r) => `${r.method} ${r.path}`)
    .sort();
}

const EXECUTION_FIELDS = `streamId executionId toe startedAt endedAt createdAt modifiedAt updateMethod updateMethodName
  index retryCount retryExecution containerManagerId uploadId indexRequestKey currentState currentStateName runType
  latestPhase currentPhase removed rowsInserted bytesInserted startedBy cancelledBy dataTag peakMemoryUsedBytes
  peakMemoryCommittedBytes exportable manualIndex errors`;

describe('streams through the gateway', () => {
  it('reads a stream with every field, its dataset and last run from one upstream call', async () => {
    let res: Awaited<ReturnType<Stack['gql']>> | undefined;
    const calls = await callsDuring(async () => {
      res = await stack.gql(`{
        stream(id: "${S}") {
          id domoId valid invalidExecutionId
          transport { type description version }
          updateMethod updateMethodName
          dataProvider { id key name url defaultConnectorId defaultConnectorLabel authenticationScheme
            connectorValidatorPresent resourceBundlePresent moduleHandler iconPicker scope producer version
            dateCreated dateUpdated visibility type authenticationSchemeConfiguration }
          account { id name displayName dataProviderType valid }
          schedule { expression startDate retryExpression retryCount advancedScheduleJson state assertion inactiveScheduleCode
            advanced { type typeName timezone interval between { start end } json } }
          configuration { streamId category name type value }
          dataSource { domoId name streamId stream { domoId } }
          columns { name type }
          lastExecution { ${EXECUTION_FIELDS} }
          lastSuccessfulExecution { executionId }
          currentExecution { executionId }
          currentExecutionState
          createdAt createdBy modifiedAt modifiedBy
        }
      }`);
    });
    expect(res!.errors).toBeUndefined();
    expect(calls).toEqual([`GET /api/data/v1/streams/${S}`]);
    const s = (res!.data as { stream: Record<string, unknown> }).stream;
    expect(s).toMatchObject({
      domoId: S,
      valid: true,
      transport: { type: 'CONNECTOR', description: 'com.domo.connector.google.analytics', version: '4' },
      updateMethod: 'REPLACE',
      dataProvider: {
        id: 7,
        key: 'google-analytics',
        name: 'Google Analytics',
        visibility: 'WITH_CONNECTOR',
        authenticationSchemeConfiguration: [],
      },
      account: { id: 7, name: 'Google Analytics (demo)', valid: true },
      schedule: {
        expression: '0 0/30 * * * ?',
        retryCount: 0,
        advancedScheduleJson: '{"type":"MINUTE","timezone":"UTC","between":null,"interval":30}',
        state: 'ACTIVE',
        assertion: false,
        advanced: {
          type: 'MINUTE',
          typeName: 'MINUTE',
          timezone: 'UTC',
          interval: 30,
          between: null,
          json: { type: 'MINUTE', timezone: 'UTC', between: null, interval: 30 },
        },
      },
      configuration: [
        { streamId: S, category: 'METADATA', name: 'retry.retryNumber', type: 'string', value: '0' },
        { streamId: S, category: 'METADATA', name: 'report', type: 'string', value: 'sessions_by_source' },
      ],
      dataSource: { domoId: SESSIONS, name: 'Website Sessions', streamId: S, stream: { domoId: S } },
      currentExecution: null,
      currentExecutionState: 'SUCCESS',
      // createdAt is epoch seconds upstream: the dataset was created on 2025-01-03.
      createdAt: '2025-01-03T00:00:00.000Z',
      createdBy: '1893952720',
    });
    expect((s.dataProvider as { dateCreated: string }).dateCreated).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    expect((s.columns as unknown[]).length).toBe(5);
    const last = s.lastExecution as Record<string, unknown>;
    expect(Object.keys(last)).toHaveLength(EXECUTION_FIELDS.split(/\s+/).length);
    expect(last).toMatchObject({
      streamId: S,
      currentState: 'SUCCESS',
      updateMethod: 'REPLACE',
      index: true,
      errors: [],
      runType: 'AUTOMATED',
      startedAt: expect.stringMatching(/^2025-01-07T00:10:00.000Z$/),
    });
    expect(last.toe).toMatch(/^[A-Z0-9]{10}-[A-Z0-9]{5}-[A-Z0-9]{5}$/);
    expect((s.lastSuccessfulExecution as { executionId: number }).executionId).toBe(last.executionId);
  });

  it('dedupes Dataset.stream, Query.stream, Stream.dataSource and Query.dataset to the minimal calls', async () => {
    let res: Awaited<ReturnType<Stack['gql']>> | undefined;
    const calls = await callsDuring(async () => {
      res = await stack.gql(`{
        dataset(id: "${SESSIONS}") { name stream { domoId dataSource { name } } }
        stream(id: "${S}") { domoId dataSource { domoId stream { domoId } } }
        again: stream(id: "${S}") { schedule { expression } lastExecution { stream { domoId } } }
      }`);
    });
    expect(res!.errors).toBeUndefined();
    // Both roots are needed (nothing links them before either answer); every nested field is free.
    expect(calls).toEqual([`GET /api/data/v1/streams/${S}`, `GET /api/data/v3/datasources/${SESSIONS}`]);

    // From the stream side alone, its dataset and a later lookup of it cost nothing more.
    const one = await callsDuring(async () => {
      res = await stack.gql(`{
        stream(id: "${S}") { dataSource { name stream { domoId dataSource { domoId } } } }
      }`);
    });
    expect(res!.errors).toBeUndefined();
    expect(one).toEqual([`GET /api/data/v1/streams/${S}`]);

    // From the dataset side: its stream comes from metadata.streamId, no search for it.
    const two = await callsDuring(async () => {
      res = await stack.gql(`{ dataset(id: "${SESSIONS}") { stream { domoId dataSource { name } } } }`);
    });
    expect(two).toEqual([`GET /api/data/v1/streams/${S}`, `GET /api/data/v3/datasources/${SESSIONS}`]);
    expect(res!.data).toEqual({
      dataset: { stream: { domoId: S, dataSource: { name: 'Website Sessions' } } },
    });
  });

  it('pages executions newest first from one history call, with a total', async () => {
    type Page = {
      edges: Array<{ node: { executionId: number; currentState: string; errors: unknown[] } }>;
      pageInfo: { hasNextPage: boolean; endCursor: string };
      totalCount: number;
    };
    let res: Awaited<ReturnType<Stack['gql']>> | undefined;
    const calls = await callsDuring(async () => {
      res = await stack.gql(`{
        stream(id: "${S}") {
          a: executions(first: 2) { totalCount edges { node { executionId currentState errors } } pageInfo { hasNextPage endCursor } }
          b: executions(first: 10) { totalCount edges { node { executionId } } }
        }
      }`);
    });
    expect(res!.errors).toBeUndefined();
    expect(calls).toEqual([
      `GET /api/data/v1/streams/${S}`,
      `GET /api/data/v1/streams/${S}/history/aggregate`,
    ]);
    const stream = (res!.data as { stream: { a: Page; b: Page } }).stream;
    expect(stream.a.totalCount).toBe(5);
    expect(stream.a.pageInfo.hasNextPage).toBe(true);
    const all = stream.b.edges.map((e) => e.node.executionId);
    expect(all).toEqual([...all].sort((x, y) => y - x));
    expect(stream.a.edges.map((e) => e.node.executionId)).toEqual(all.slice(0, 2));

    const next = await stack.gql<{ stream: { executions: Page } }>(
      `query($after: String) { stream(id: "${S}") { executions(first: 2, after: $after) {
        edges { node { executionId currentState errors } } pageInfo { hasNextPage } } } }`,
      { after: stream.a.pageInfo.endCursor },
    );
    const page = next.data!.stream.executions;
    expect(page.edges.map((e) => e.node.executionId)).toEqual(all.slice(2, 4));
    expect(page.edges[0]!.node.currentState).toBe('FAILED');
    expect(page.edges[0]!.node.errors).toEqual([
      { code: 'CONNECTOR_TIMEOUT', message: 'The connector did not answer within 600 seconds.' },
    ]);
  });

  it('resolves a stream by its global id through node()', async () => {
    const first = await stack.gql<{ stream: { id: string } }>(`{ stream(id: "${S}") { id } }`);
    const res = await stack.gql(`query($id: ID!) { node(id: $id) { ... on Stream { domoId } } }`, {
      id: first.data!.stream.id,
    });
    expect(res.data).toEqual({ node: { domoId: S } });
  });

  it('answers NOT_FOUND for an unknown stream and BAD_USER_INPUT for a malformed id, the latter with no call', async () => {
    const calls = await callsDuring(async () => {
      const res = await stack.gql(`{ bad: stream(id: "12/../x") { domoId } }`);
      expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'id' });
    });
    expect(calls).toEqual([]);
    const res = await stack.gql(
      `{ missing: stream(id: "999999") { domoId } ok: stream(id: "${S}") { domoId } }`,
    );
    expect(res.errors?.map((e) => [e.path?.[0], e.extensions?.code])).toEqual([['missing', 'NOT_FOUND']]);
    expect(res.data).toEqual({ missing: null, ok: { domoId: S } });
  });
});

const CREATE = `mutation($input: CreateStreamInput!) {
  createStream(input: $input) {
    streamId datasetId
    stream { domoId updateMethod schedule { advancedScheduleJson advanced { type timezone } }
      configuration { name value } account { id } dataProvider { key name } }
    dataset { domoId name description streamId }
  }
}`;
const UPDATE = `mutation($id: ID!, $input: UpdateStreamInput!) {
  updateStream(streamId: $id, input: $input) {
    streamId
    stream { updateMethod dataSource { name description } configuration { name value }
      schedule { advancedScheduleJson expression state } }
    dataset { name description }
  }
}`;
const EXECUTE = `mutation($id: ID!) {
  executeStream(streamId: $id) {
    streamId executionId
    execution { executionId currentState runType startedBy }
    stream { currentExecutionState lastExecution { executionId currentState } }
  }
}`;

const createInput = (over: Record<string, unknown> = {}) => ({
  transport: { type: 'CONNECTOR', description: 'com.domo.connector.snowflakeunloadv2', version: '1' },
  configuration: [{ name: 'query', value: 'SELECT * FROM table' }],
  account: { id: 3 },
  updateMethod: 'APPEND',
  dataProvider: { key: 'snowflake-unload-v2' },
  dataSource: { name: 'hello world', description: 'config works?' },
  schedule: { type: 'MANUAL', timezone: 'UTC' },
  ...over,
});

describe('stream writes through the gateway', () => {
  it('creates, updates, executes, and reads back the run and the new name', async () => {
    type Created = {
      createStream: {
        streamId: number;
        datasetId: string;
        stream: Record<string, unknown>;
        dataset: Record<string, unknown>;
      };
    };
    let created: Awaited<ReturnType<typeof stack.gql<Created>>> | undefined;
    const createCalls = await callsDuring(async () => {
      created = await stack.gql<Created>(CREATE, { input: createInput() });
    });
    expect(created!.errors).toBeUndefined();
    const c = created!.data!.createStream;
    // The write, then one re-read whose embedded dataset answers `dataset` too.
    expect(createCalls).toEqual(
      ['POST /api/data/v1/streams', `GET /api/data/v1/streams/${c.streamId}`].sort(),
    );
    expect(c.stream).toEqual({
      domoId: c.streamId,
      updateMethod: 'APPEND',
      schedule: {
        advancedScheduleJson: '{"type": "MANUAL", "timezone": "UTC"}',
        advanced: { type: 'MANUAL', timezone: 'UTC' },
      },
      configuration: [{ name: 'query', value: 'SELECT * FROM table' }],
      account: { id: 3 },
      dataProvider: { key: 'snowflake-unload-v2', name: 'Snowflake Unload V2' },
    });
    expect(c.dataset).toEqual({
      domoId: c.datasetId,
      name: 'hello world',
      description: 'config works?',
      streamId: c.streamId,
    });

    const updated = await stack.gql<{ updateStream: Record<string, unknown> }>(UPDATE, {
      id: String(c.streamId),
      input: {
        updateMethod: 'REPLACE',
        dataSource: { name: 'renamed stream dataset' },
        schedule: { type: 'MINUTE', interval: 15, timezone: 'America/Denver' },
      },
    });
    expect(updated.errors).toBeUndefined();
    expect(updated.data!.updateStream).toEqual({
      streamId: c.streamId,
      stream: {
        updateMethod: 'REPLACE',
        // A new name alone keeps the description; untouched settings stay.
        dataSource: { name: 'renamed stream dataset', description: 'config works?' },
        configuration: [{ name: 'query', value: 'SELECT * FROM table' }],
        schedule: {
          advancedScheduleJson: '{"type": "MINUTE", "timezone": "America/Denver", "interval": 15}',
          expression: '0 0/15 * * * ?',
          state: 'ACTIVE',
        },
      },
      dataset: { name: 'renamed stream dataset', description: 'config works?' },
    });

    type Executed = {
      executeStream: {
        executionId: number;
        execution: { executionId: number; currentState: string; runType: string };
        stream: {
          currentExecutionState: string;
          lastExecution: { executionId: number; currentState: string };
        };
      };
    };
    let executed: Awaited<ReturnType<typeof stack.gql<Executed>>> | undefined;
    const executeCalls = await callsDuring(async () => {
      executed = await stack.gql<Executed>(EXECUTE, { id: String(c.streamId) });
    });
    expect(executed!.errors).toBeUndefined();
    expect(executeCalls).toEqual(
      [`POST /api/data/v1/streams/${c.streamId}/executions`, `GET /api/data/v1/streams/${c.streamId}`].sort(),
    );
    const e = executed!.data!.executeStream;
    expect(e.execution).toMatchObject({
      executionId: e.executionId,
      currentState: 'SUCCESS',
      runType: 'MANUAL',
    });
    expect(e.stream.lastExecution).toEqual({ executionId: e.executionId, currentState: 'SUCCESS' });

    const read = await stack.gql<{
      stream: {
        lastSuccessfulExecution: { executionId: number };
        executions: { totalCount: number; edges: Array<{ node: { executionId: number } }> };
      };
      dataset: { name: string; stream: { domoId: number } };
    }>(`{
      stream(id: "${c.streamId}") { lastSuccessfulExecution { executionId } executions(first: 5) { totalCount edges { node { executionId } } } }
      dataset(id: "${c.datasetId}") { name stream { domoId } }
    }`);
    expect(read.errors).toBeUndefined();
    expect(read.data!.stream.lastSuccessfulExecution.executionId).toBe(e.executionId);
    expect(read.data!.stream.executions.totalCount).toBe(1);
    expect(read.data!.stream.executions.edges[0]!.node.executionId).toBe(e.executionId);
    expect(read.data!.dataset).toEqual({ name: 'renamed stream dataset', stream: { domoId: c.streamId } });
  });

  it('refuses bad inputs with BAD_USER_INPUT naming the field, before any upstream call', async () => {
    const cases: Array<[string, Record<string, unknown>, string]> = [
      [
        CREATE,
        {
          input: createInput({
            configuration: [
              { name: 'a', value: '1' },
              { name: 'a', value: '2' },
            ],
          }),
        },
        'input.configuration[1].name',
      ],
      [
        CREATE,
        { input: createInput({ configuration: [{ name: '  ', value: '1' }] }) },
        'input.configuration[0].name',
      ],
      [CREATE, { input: createInput({ updateMethod: 'UNKNOWN' }) }, 'input.updateMethod'],
      [
        CREATE,
        { input: createInput({ schedule: { type: 'DAY', timezone: 'Mars/Olympus' } }) },
        'input.schedule.timezone',
      ],
      [CREATE, { input: createInput({ schedule: { type: 'UNKNOWN' } }) }, 'input.schedule.type'],
      [
        CREATE,
        { input: createInput({ schedule: { type: 'MINUTE', interval: 0 } }) },
        'input.schedule.interval',
      ],
      [CREATE, { input: createInput({ dataSource: { name: '' } }) }, 'input.dataSource.name'],
      [CREATE, { input: createInput({ dataProvider: { key: '../admin' } }) }, 'input.dataProvider.key'],
      [CREATE, { input: createInput({ account: { id: -4 } }) }, 'input.account.id'],
      [UPDATE, { id: 'abc', input: {} }, 'streamId'],
      [UPDATE, { id: String(S), input: { dataSource: { name: ' ' } } }, 'input.dataSource.name'],
      [
        UPDATE,
        { id: String(S), input: { transport: { type: 'lower', description: 'x' } } },
        'input.transport.type',
      ],
      [EXECUTE, { id: '0' }, 'streamId'],
      [EXECUTE, { id: '1e3' }, 'streamId'],
    ];
    for (const [query, variables, field] of cases) {
      const calls = await callsDuring(async () => {
        const res = await stack.gql(query, variables);
        expect(res.errors?.[0]?.extensions, JSON.stringify(variables)).toMatchObject({
          code: 'BAD_USER_INPUT',
          field,
        });
      });
      expect(calls, field).toEqual([]);
    }
  });

  it('requires an account on create, as the API doc does, with no upstream call', async () => {
    const calls = await callsDuring(async () => {
      const res = await stack.gql(CREATE, { input: createInput({ account: undefined }) });
      expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', variable: 'input' });
      expect(res.errors?.[0]?.message).toMatch(/account/);
    });
    expect(calls).toEqual([]);
  });

  it('passes upstream failures on with their code, sends each write once, and changes nothing', async () => {
    const { sandbox } = stack;
    const datasetsBefore = (
      await stack.gql<{ datasets: { totalCount: number } }>('{ datasets(first: 1) { totalCount } }')
    ).data!.datasets.totalCount;

    // createStream: 403 → FORBIDDEN, one POST, no stream or dataset created.
    sandbox.inject({ method: 'POST', path: '/api/data/v1/streams', status: 403 });
    const forbidden = await callsDuring(async () => {
      const res = await stack.gql(CREATE, { input: createInput() });
      expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', upstreamStatus: 403 });
      expect(res.data).toEqual({ createStream: null });
    });
    expect(forbidden).toEqual(['POST /api/data/v1/streams']);
    // createStream: Domo's own 400 (unknown connector) → BAD_USER_INPUT.
    const unknown = await stack.gql(CREATE, {
      input: createInput({ dataProvider: { key: 'no-such-connector' } }),
    });
    expect(unknown.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', upstreamStatus: 400 });
    const datasetsAfter = (
      await stack.gql<{ datasets: { totalCount: number } }>('{ datasets(first: 1) { totalCount } }')
    ).data!.datasets.totalCount;
    expect(datasetsAfter).toBe(datasetsBefore);

    // updateStream: 500 on the PUT → UPSTREAM_ERROR, one PUT (never retried), name unchanged.
    const T = DEMO_STREAMS.targets;
    sandbox.inject({ method: 'PUT', path: `/api/data/v1/streams/${T}`, status: 500 });
    const failedUpdate = await callsDuring(async () => {
      const res = await stack.gql(UPDATE, {
        id: String(T),
        input: { dataSource: { name: 'should not stick' } },
      });
      expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'UPSTREAM_ERROR', upstreamStatus: 500 });
    });
    expect(failedUpdate).toEqual([`GET /api/data/v1/streams/${T}`, `PUT /api/data/v1/streams/${T}`]);
    // updateStream on a stream that does not exist: NOT_FOUND from the read before the write, no PUT.
    const missing = await callsDuring(async () => {
      const res = await stack.gql(UPDATE, { id: '999999', input: { updateMethod: 'APPEND' } });
      expect(res.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    });
    expect(missing).toEqual(['GET /api/data/v1/streams/999999']);

    // executeStream: 404 → NOT_FOUND; 500 → UPSTREAM_ERROR; one POST each; no execution added.
    const historyBefore = await stack.gql<{ stream: { executions: { totalCount: number } } }>(
      `{ stream(id: "${T}") { executions { totalCount } } }`,
    );
    for (const [status, code] of [
      [404, 'NOT_FOUND'],
      [500, 'UPSTREAM_ERROR'],
    ] as const) {
      sandbox.inject({ method: 'POST', path: `/api/data/v1/streams/${T}/executions`, status });
      const calls = await callsDuring(async () => {
        const res = await stack.gql(EXECUTE, { id: String(T) });
        expect(res.errors?.[0]?.extensions).toMatchObject({ code, upstreamStatus: status });
      });
      expect(calls).toEqual([`POST /api/data/v1/streams/${T}/executions`]);
    }

    const after = await stack.gql<{
      stream: { dataSource: { name: string }; executions: { totalCount: number } };
    }>(`{ stream(id: "${T}") { dataSource { name } executions { totalCount } } }`);
    expect(after.data!.stream.dataSource.name).toBe('Regional Targets');
    expect(after.data!.stream.executions.totalCount).toBe(historyBefore.data!.stream.executions.totalCount);
  });
});

describe('an execution in progress', () => {
  let slow: Stack;
  beforeAll(async () => {
    // Executions stay RUNNING for ten minutes: long enough for every read in this block.
    slow = await startStack({ sandbox: { executionSettleMs: 600_000, seed: true } });
  });
  afterAll(() => slow.close());

  it('shows as currentExecution, RUNNING, until it settles', async () => {
    const res = await slow.gql<{
      executeStream: {
        executionId: number;
        execution: { currentState: string; startedBy: string };
        stream: {
          currentExecutionState: string;
          lastExecution: { executionId: number; currentState: string };
        };
      };
    }>(EXECUTE, { id: String(DEMO_STREAMS.customers) });
    expect(res.errors).toBeUndefined();
    const e = res.data!.executeStream;
    expect(e.execution).toEqual({
      executionId: e.executionId,
      currentState: 'RUNNING',
      runType: 'MANUAL',
      startedBy: '1345408759',
    });
    expect(e.stream.currentExecutionState).toBe('RUNNING');
    const read = await slow.gql<{
      stream: { currentExecution: { executionId: number }; lastSuccessfulExecution: { executionId: number } };
    }>(
      `{ stream(id: "${DEMO_STREAMS.customers}") { currentExecution { executionId } lastSuccessfulExecution { executionId } } }`,
    );
    expect(read.data!.stream.currentExecution.executionId).toBe(e.executionId);
    expect(read.data!.stream.lastSuccessfulExecution.executionId).toBeLessThan(e.executionId);
    // A second run while one is in progress: Domo's 409 → BAD_USER_INPUT.
    const again = await slow.gql(EXECUTE, { id: String(DEMO_STREAMS.customers) });
    expect(again.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', upstreamStatus: 409 });
  });
});
