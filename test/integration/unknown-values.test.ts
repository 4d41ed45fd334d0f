/**
 * Issue #8 item 8, through the real gateway in front of a port-0 fake Domo that answers values the
 * gateway does not know: every enum read from a Domo string reads UNKNOWN beside its raw string
 * (never a null, never an error that nulls the parent); an unknown index id is an error on
 * indexStatus alone; undecodable global ids are BAD_USER_INPUT before any upstream call; and
 * `dataset(id:)` takes the global id `Dataset.id` returns.
 */
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDispatcher, DomoHttp } from '../../src/domo/http.ts';
import { DEFAULT_LIMITS } from '../../src/graph/limits.ts';
import { silentLogger } from '../../src/log.ts';
import { createGateway } from '../../src/server.ts';
import { type FakeUpstream, fakeUpstream, json, type Step } from '../helpers/fake-upstream.ts';
import { testLane } from '../helpers/lane.ts';
import type { GqlResponse } from '../helpers/stack.ts';

const DATASET = '0a1b2c3d-0000-4000-8000-00000000000a';
const STREAM = 42;
const TOKEN = 'fake-token';

const dataset = { id: DATASET, name: 'Odd', streamId: STREAM, owner: { id: '7', name: 'Ann' } };
const execution = (executionId: number, currentState: string, updateMethod: string) => ({
  streamId: STREAM,
  executionId,
  currentState,
  updateMethod,
});
const stream = {
  id: STREAM,
  updateMethod: 'MERGE_INTO',
  currentExecutionState: 'PAUSED_FOR_REVIEW',
  advancedScheduleJson: '{"type":"FORTNIGHT","timezone":"UTC"}',
  lastExecution: execution(9, 'THROTTLED', 'MERGE_INTO'),
  dataSource: dataset,
};

/** What the fake Domo answers: known shapes, unknown values. */
function domo({ method, url }: { method: string; url: string }): Step {
  const path = url.split('?')[0]!;
  const routes: Record<string, Step> = {
    [`GET /api/data/v3/datasources/${DATASET}`]: json(200, dataset),
    [`GET /api/data/v3/datasources/${DATASET}/indexes/ix-success/statuses`]: json(200, {
      indexId: 'ix-success',
      status: 'SUCCESS',
    }),
    [`GET /api/data/v3/datasources/${DATASET}/indexes/ix-missing/statuses`]: json(404, {
      status: 404,
      message: 'Index not found',
    }),
    [`GET /api/data/v3/datasources/${DATASET}/permissions`]: json(200, {
      list: [{ id: '5', type: 'ROLE', name: 'Admins', accessLevel: 'CAN_ADMIN' }],
    }),
    [`GET /api/query/v1/datasources/${DATASET}/schema/indexed`]: json(200, {
      tables: [{ columns: [{ name: 'where', type: 'GEOGRAPHY' }] }],
    }),
    [`POST /api/query/v1/execute/${DATASET}`]: json(200, {
      columns: ['where'],
      metadata: [{ type: 'GEOGRAPHY' }],
      rows: [['POINT(0 0)']],
    }),
    [`GET /api/data/v1/streams/${STREAM}`]: json(200, stream),
    [`GET /api/data/v1/streams/${STREAM}/history/aggregate`]: json(200, [
      execution(9, 'THROTTLED', 'MERGE_INTO'),
    ]),
  };
  return routes[`${method} ${path}`] ?? json(404, { status: 404, message: `no route ${method} ${path}` });
}

let fake: FakeUpstream;
let server: Server;
let url: string;

beforeAll(async () => {
  fake = await fakeUpstream(domo);
  const dispatcher = createDispatcher({ connectTimeoutMs: 2_000, connections: 4 });
  const http = new DomoHttp({
    baseUrl: fake.url,
    dispatcher,
    headersTimeoutMs: 5_000,
    bodyTimeoutMs: 5_000,
    retry: { maxRetries: 0, baseMs: 1, maxDelayMs: 1 },
  });
  ({ server } = createGateway({
    config: {
      lane: testLane(),
      serverCredentials: { kind: 'developer', token: TOKEN },
      upstream: {
        connectTimeoutMs: 2_000,
        headersTimeoutMs: 5_000,
        bodyTimeoutMs: 5_000,
        maxRetries: 0,
        retryBaseMs: 1,
        retryMaxDelayMs: 1,
        connections: 4,
        maxConcurrencyPerRequest: 4,
        maxCallsPerRequest: 50,
      },
      limits: DEFAULT_LIMITS,
      corsOrigins: [],
      maxPageSize: 50,
      maxQueryRows: 100,
    },
    http,
    logger: silentLogger,
    readyTtlMs: 0,
  }));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
  return async () => {
    await dispatcher.close();
  };
});
afterAll(async () => {
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  await fake?.close();
});

async function gql<T = Record<string, unknown>>(query: string): Promise<GqlResponse<T>> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ query }),
  });
  const body = (await response.json()) as { data?: T; errors?: GqlResponse<T>['errors'] };
  return { status: response.status, data: body.data, errors: body.errors };
}

/** Runs an operation and returns it with the upstream requests it made. */
async function measured<T = Record<string, unknown>>(query: string) {
  const from = fake.requests.length;
  const res = await gql<T>(query);
  return { res, calls: fake.requests.slice(from).map((r) => `${r.method} ${r.url.split('?')[0]}`) };
}

describe('enum values Domo sends that the gateway does not know', () => {
  it('index status: UNKNOWN beside statusName (SUCCESS is outside IndexState)', async () => {
    const res = await gql(
      `{ dataset(id: "${DATASET}") { name indexStatus(indexId: "ix-success") { status statusName } } }`,
    );
    expect(res.errors).toBeUndefined();
    expect(res.data).toEqual({
      dataset: { name: 'Odd', indexStatus: { status: 'UNKNOWN', statusName: 'SUCCESS' } },
    });
  });

  it('an unknown index id is a NOT_FOUND on indexStatus alone; the dataset stays', async () => {
    const res = await gql(
      `{ dataset(id: "${DATASET}") { name indexStatus(indexId: "ix-missing") { status } } }`,
    );
    expect(res.data).toEqual({ dataset: { name: 'Odd', indexStatus: null } });
    expect(res.errors).toHaveLength(1);
    expect(res.errors![0]).toMatchObject({
      path: ['dataset', 'indexStatus'],
      extensions: { code: 'NOT_FOUND' },
    });
  });

  it('access level and principal type: UNKNOWN beside the raw strings', async () => {
    const res = await gql(
      `{ dataset(id: "${DATASET}") { access { entries { type typeName accessLevel accessLevelName user { domoId } } } } }`,
    );
    expect(res.errors).toBeUndefined();
    expect(res.data).toEqual({
      dataset: {
        access: {
          entries: [
            {
              type: 'UNKNOWN',
              typeName: 'ROLE',
              accessLevel: 'UNKNOWN',
              accessLevelName: 'CAN_ADMIN',
              user: null,
            },
          ],
        },
      },
    });
  });

  it('column type, in the schema and in a query result: UNKNOWN beside typeName', async () => {
    const res = await gql(
      `{ dataset(id: "${DATASET}") { columns { name type typeName } schema { tables { columns { type typeName } } } query(sql: "SELECT * FROM table") { columns { name type } } } }`,
    );
    expect(res.errors).toBeUndefined();
    expect(res.data).toEqual({
      dataset: {
        columns: [{ name: 'where', type: 'UNKNOWN', typeName: 'GEOGRAPHY' }],
        schema: { tables: [{ columns: [{ type: 'UNKNOWN', typeName: 'GEOGRAPHY' }] }] },
        query: { columns: [{ name: 'where', type: 'UNKNOWN' }] },
      },
    });
  });

  it('stream update method, execution states and schedule type: UNKNOWN beside the raw strings', async () => {
    const res = await gql(`{
      stream(id: "${STREAM}") {
        updateMethod updateMethodName currentExecutionState currentExecutionStateName
        schedule { advanced { type typeName } }
        lastExecution { currentState currentStateName updateMethod updateMethodName }
        executions { edges { node { currentState currentStateName updateMethod updateMethodName } } }
      }
    }`);
    expect(res.errors).toBeUndefined();
    const run = {
      currentState: 'UNKNOWN',
      currentStateName: 'THROTTLED',
      updateMethod: 'UNKNOWN',
      updateMethodName: 'MERGE_INTO',
    };
    expect(res.data).toEqual({
      stream: {
        updateMethod: 'UNKNOWN',
        updateMethodName: 'MERGE_INTO',
        currentExecutionState: 'UNKNOWN',
        currentExecutionStateName: 'PAUSED_FOR_REVIEW',
        schedule: { advanced: { type: 'UNKNOWN', typeName: 'FORTNIGHT' } },
        lastExecution: run,
        executions: { edges: [{ node: run }] },
      },
    });
  });
});

describe('UNKNOWN is never sent back to Domo', () => {
  for (const [name, mutation] of [
    [
      'access level',
      `shareDataset(datasetId: "${DATASET}", grants: [{ principalId: "5", type: USER, accessLevel: UNKNOWN }]) { datasetId }`,
    ],
    [
      'principal type',
      `removeDatasetUsers(datasetId: "${DATASET}", principals: [{ principalId: "5", type: UNKNOWN }]) { datasetId }`,
    ],
    ['column type', `createDataset(name: "x", columns: [{ name: "a", type: UNKNOWN }]) { datasetId }`],
    ['update method', `updateStream(streamId: "${STREAM}", input: { updateMethod: UNKNOWN }) { streamId }`],
    [
      'schedule type',
      `updateStream(streamId: "${STREAM}", input: { schedule: { type: UNKNOWN } }) { streamId }`,
    ],
  ] as const) {
    it(`${name}: BAD_USER_INPUT, no upstream call`, async () => {
      const { res, calls } = await measured(`mutation { ${mutation} }`);
      expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      expect(calls).toEqual([]);
    });
  }
});

describe('global ids', () => {
  const encode = (text: string) => Buffer.from(text).toString('base64');

  for (const [name, id] of [
    ['not base64 of anything', '!!!'],
    ['no type', encode(':x')],
    ['no id', encode('Dataset:')],
    ['a type that does not exist', encode('Nope:1')],
    ['a type that is not a node', encode('Execution:1')],
    ['a Dataset whose id is not a UUID', encode('Dataset:not-a-uuid')],
    ['a Stream whose id is not a stream id', encode('Stream:abc')],
  ] as const) {
    it(`node(id:) with ${name} is BAD_USER_INPUT before any upstream call`, async () => {
      const { res, calls } = await measured(`{ node(id: ${JSON.stringify(id)}) { id } }`);
      expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      expect(res.errors?.[0]?.path).toEqual(['node']);
      expect(calls).toEqual([]);
    });
  }

  it('nodes(ids:) with one undecodable id is BAD_USER_INPUT', async () => {
    const { res, calls } = await measured(
      `{ nodes(ids: ["${encode(`Dataset:${DATASET}`)}", "???"]) { id } }`,
    );
    expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(calls).toEqual([]);
  });

  it('dataset(id:) and datasetsByIds take the global id Dataset.id returns', async () => {
    const first = await gql<{ dataset: { id: string } }>(`{ dataset(id: "${DATASET}") { id } }`);
    const globalId = first.data!.dataset.id;
    expect(globalId).not.toBe(DATASET);
    const res = await gql(
      `{ dataset(id: "${globalId}") { id domoId } datasetsByIds(ids: ["${globalId}", "${DATASET}"]) { domoId } }`,
    );
    expect(res.errors).toBeUndefined();
    expect(res.data).toEqual({
      dataset: { id: globalId, domoId: DATASET },
      datasetsByIds: [{ domoId: DATASET }, { domoId: DATASET }],
    });
  });

  it('dataset(id:) refuses the global id of another type, before any upstream call', async () => {
    const { res, calls } = await measured(`{ dataset(id: "${encode(`Stream:${STREAM}`)}") { id } }`);
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'id' });
    expect(calls).toEqual([]);
  });
});
