/**
 * Batching, measured on the upstream side (issue #3, item 8): the dashboard over twenty datasets
 * makes exactly the minimal set of calls; repeats across aliases, fragments and paths dedupe; the
 * fan-out of one request never exceeds DOMO_MAX_CONCURRENCY.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_DATASETS, DEMO_USERS } from '../../src/sandbox/seed.ts';
import { DEMO_STREAMS } from '../../src/sandbox/seed-streams.ts';
import {
  callsSince,
  DASHBOARD_QUERY,
  type DashboardFixture,
  minimalCalls,
  naiveCallCount,
  seedDashboard,
} from '../helpers/dashboard.ts';
import { type Stack, startStack } from '../helpers/stack.ts';

let stack: Stack;
let fixture: DashboardFixture;

beforeAll(async () => {
  stack = await startStack({ sandbox: { executionSettleMs: 0 } });
  fixture = await seedDashboard(stack.sandbox, stack.http);
});
afterAll(() => stack?.close());

/** Runs an operation and returns its response with the upstream calls it made (sorted). */
async function measured(query: string, variables?: Record<string, unknown>) {
  const from = stack.sandbox.requests.length;
  const res = await stack.gql(query, variables);
  return { res, calls: callsSince(stack.sandbox, from) };
}

interface DashboardRow {
  domoId: string;
  owner: { id: string; name: string | null } | null;
  streamId: number | null;
  stream: {
    domoId: number;
    lastExecution: { executionId: number } | null;
    executions: { totalCount: number; edges: Array<{ node: { executionId: number } }> };
  } | null;
  cards: Array<{ domoId: string }>;
  access: { entries: Array<{ accessLevel: string }> };
}

const SALES = DEMO_DATASETS.sales;
const SESSIONS = DEMO_DATASETS.sessions;
const S_SESSIONS = DEMO_STREAMS.sessions;

describe('the dashboard over twenty datasets', () => {
  it('has twenty datasets, two of them bare (no stream, no card, only the owner)', () => {
    expect(fixture.ids).toHaveLength(20);
    expect(new Set(fixture.ids).size).toBe(20);
    expect(fixture.datasets.filter((d) => d.streamId === null)).toHaveLength(2);
  });

  it('makes exactly one bulk call plus one call per distinct stream, history, cards and access list', async () => {
    const { res, calls } = await measured(DASHBOARD_QUERY, { ids: fixture.ids });
    expect(res.errors).toBeUndefined();
    const rows = (res.data as { datasetsByIds: DashboardRow[] }).datasetsByIds;
    expect(rows.map((r) => r.domoId.toLowerCase())).toEqual(fixture.ids);

    const expected = minimalCalls(fixture.datasets);
    expect(calls).toEqual(expected);
    // 1 bulk + 18 streams + 18 histories + 20 card lists + 20 access lists; nothing twice.
    expect(calls).toHaveLength(1 + 18 + 18 + 20 + 20);
    expect(new Set(calls).size).toBe(calls.length);
    expect(naiveCallCount(fixture.datasets)).toBe(18 * 7 + 2 * 4);

    // All the data arrived: owners from the metadata, last runs from the stream payload, five runs.
    for (const [i, row] of rows.entries()) {
      const { streamId } = fixture.datasets[i]!;
      expect(row.owner?.name).toBeTruthy();
      expect(row.streamId).toBe(streamId);
      expect(row.stream?.domoId ?? null).toBe(streamId);
      expect(row.access.entries[0]?.accessLevel).toBe('OWNER');
      if (row.stream) {
        const runs = row.stream.executions;
        expect(runs.edges.length).toBe(Math.min(5, runs.totalCount));
        expect(row.stream.lastExecution?.executionId ?? null).toBe(runs.edges[0]?.node.executionId ?? null);
      }
    }
    const bare = rows.filter((r) => r.stream === null);
    expect(bare.map((r) => [r.cards.length, r.access.entries.length])).toEqual([
      [0, 1],
      [0, 1],
    ]);
    // Some streams have more runs than the page holds, some none at all.
    const totals = rows.flatMap((r) => (r.stream ? [r.stream.executions.totalCount] : []));
    expect(Math.max(...totals)).toBeGreaterThan(5);
    expect(Math.min(...totals)).toBe(0);
  });

  it('makes the same calls when aliases, fragments and root fields name the same objects again', async () => {
    const { res, calls } = await measured(
      `query ($ids: [ID!]!, $again: [ID!]!) {
        all: datasetsByIds(ids: $ids) { ...Row }
        again: datasetsByIds(ids: $again) { ...Row stream { lastExecution { executionId } } }
        one: dataset(id: "${SESSIONS}") { name stream { domoId executions(first: 2) { totalCount } } }
        viaStream: stream(id: "${S_SESSIONS}") { dataSource { domoId cards { title } access { totalUserCount } } }
      }
      fragment Row on Dataset {
        domoId owner { name } cards { domoId } access { totalUserCount }
        stream { domoId lastExecution { executionId } executions(first: 5) { totalCount } }
      }`,
      { ids: fixture.ids, again: [fixture.ids[3], fixture.ids[3], fixture.ids[19]] },
    );
    expect(res.errors).toBeUndefined();
    expect(calls).toEqual(minimalCalls(fixture.datasets));
    const data = res.data as { again: Array<{ domoId: string }> };
    expect(data.again.map((d) => d.domoId.toLowerCase())).toEqual([
      fixture.ids[3],
      fixture.ids[3],
      fixture.ids[19],
    ]);
  });

  it('batches nodes(ids) through the same loader: twenty datasets in one bulk call', async () => {
    const ids = await globalIds(fixture.ids);
    const { res, calls } = await measured(
      `query ($ids: [ID!]!) { nodes(ids: $ids) { id ... on Dataset { domoId name } } }`,
      { ids },
    );
    expect(res.errors).toBeUndefined();
    expect(calls).toEqual(['POST /api/data/v3/datasources/bulk']);
    const nodes = (res.data as { nodes: Array<{ id: string; domoId: string }> }).nodes;
    expect(nodes.map((n) => n.id)).toEqual(ids);
  });

  it('resolves nodes of several types together: one bulk call, one call per stream and user', async () => {
    const { res: found } = await measured(`{
      a: dataset(id: "${SALES}") { id } b: dataset(id: "${SESSIONS}") { id }
      stream(id: "${S_SESSIONS}") { id } user(id: "${DEMO_USERS[2]!.id}") { id }
    }`);
    const d = found.data as {
      a: { id: string };
      b: { id: string };
      stream: { id: string };
      user: { id: string };
    };
    const ids = [d.a.id, d.stream.id, d.user.id, d.b.id, d.a.id];
    const { res, calls } = await measured(
      `query ($ids: [ID!]!) { nodes(ids: $ids) { __typename id ... on Dataset { name } ... on Stream { domoId } ... on User { displayName } } }`,
      { ids },
    );
    expect(res.errors).toBeUndefined();
    const nodes = (res.data as { nodes: Array<{ __typename: string; id: string }> }).nodes;
    expect(nodes.map((n) => [n.__typename, n.id])).toEqual([
      ['Dataset', d.a.id],
      ['Stream', d.stream.id],
      ['User', d.user.id],
      ['Dataset', d.b.id],
      ['Dataset', d.a.id],
    ]);
    expect(calls).toEqual(
      [
        'POST /api/data/v3/datasources/bulk',
        `GET /api/data/v1/streams/${S_SESSIONS}`,
        `GET /api/content/v3/users/${DEMO_USERS[2]!.id}`,
      ].sort(),
    );
  });

  it('refuses a global id whose Domo id is malformed, before any upstream call', async () => {
    const bad = Buffer.from('Dataset:not-a-uuid').toString('base64');
    const { res, calls } = await measured(`{ node(id: "${bad}") { id } }`);
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
    expect(calls).toEqual([]);
  });

  it('shares one dataset loader between nodes, datasetsByIds and dataset', async () => {
    const [first, second] = await globalIds([fixture.ids[0]!, fixture.ids[1]!]);
    const { res, calls } = await measured(
      `query ($ids: [ID!]!, $nodeIds: [ID!]!) {
        datasetsByIds(ids: $ids) { name }
        nodes(ids: $nodeIds) { id }
        node(id: "${first}") { id }
        dataset(id: "${fixture.ids[2]}") { name }
      }`,
      { ids: [fixture.ids[0], fixture.ids[3]], nodeIds: [second, first] },
    );
    expect(res.errors).toBeUndefined();
    expect(calls).toEqual(['POST /api/data/v3/datasources/bulk']);
  });
});

describe('dedupe across paths', () => {
  it('Dataset.stream and Query.stream share the stream loader', async () => {
    const { res, calls } = await measured(`{
      dataset(id: "${SESSIONS}") { stream { domoId lastExecution { executionId } } }
      stream(id: "${S_SESSIONS}") { domoId updateMethod }
      again: stream(id: "${S_SESSIONS}") { ... on Stream { valid } }
    }`);
    expect(res.errors).toBeUndefined();
    expect(calls).toEqual([
      `GET /api/data/v1/streams/${S_SESSIONS}`,
      `GET /api/data/v3/datasources/${SESSIONS}`,
    ]);
  });

  it('Stream.dataSource fills the dataset loader: the dataset behind it costs nothing more', async () => {
    const { res, calls } = await measured(`{
      stream(id: "${S_SESSIONS}") {
        dataSource { domoId name stream { domoId dataSource { name } } }
        executions(first: 1) { edges { node { stream { domoId dataSource { domoId } } } } }
      }
    }`);
    expect(res.errors).toBeUndefined();
    expect(calls).toEqual([
      `GET /api/data/v1/streams/${S_SESSIONS}`,
      `GET /api/data/v1/streams/${S_SESSIONS}/history/aggregate`,
    ]);
  });

  it('Stream.dataSource beside Query.dataset and datasetsByIds: each resource once', async () => {
    const { res, calls } = await measured(`{
      stream(id: "${S_SESSIONS}") { dataSource { cards { title } access { totalUserCount } } }
      dataset(id: "${SESSIONS}") { cards { title } access { totalUserCount } }
      datasetsByIds(ids: ["${SESSIONS}", "${SESSIONS.toUpperCase()}", "${SALES}"]) { name cards { title } }
    }`);
    expect(res.errors).toBeUndefined();
    expect(calls).toEqual(
      [
        'POST /api/data/v3/datasources/bulk',
        `GET /api/data/v1/streams/${S_SESSIONS}`,
        `GET /api/content/v1/datasources/${SESSIONS}/cards`,
        `GET /api/data/v3/datasources/${SESSIONS}/permissions`,
        `GET /api/content/v1/datasources/${SALES}/cards`,
      ].sort(),
    );
  });
});

describe('datasetsByIds', () => {
  it('answers null with NOT_FOUND for an unknown id, in place, the others intact', async () => {
    const unknown = '00000000-0000-4000-8000-000000000000';
    const { res, calls } = await measured(
      `{ datasetsByIds(ids: ["${SALES}", "${unknown}", "${SESSIONS}"]) { domoId } }`,
    );
    expect(res.data).toEqual({ datasetsByIds: [{ domoId: SALES }, null, { domoId: SESSIONS }] });
    expect(res.errors).toHaveLength(1);
    expect(res.errors![0]).toMatchObject({ path: ['datasetsByIds', 1], extensions: { code: 'NOT_FOUND' } });
    expect(calls).toEqual(['POST /api/data/v3/datasources/bulk']);
  });

  it('refuses a malformed id or more than 100 ids before any upstream call', async () => {
    const from = stack.sandbox.requests.length;
    const bad = await stack.gql(`{ datasetsByIds(ids: ["${SALES}", "nope"]) { domoId } }`);
    expect(bad.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'ids[1]' });
    const many = await stack.gql('query ($ids: [ID!]!) { datasetsByIds(ids: $ids) { domoId } }', {
      ids: Array.from({ length: 101 }, () => SALES),
    });
    expect(many.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'ids' });
    const nodes = await stack.gql('query ($ids: [ID!]!) { nodes(ids: $ids) { id } }', {
      ids: Array.from({ length: 101 }, () => 'RGF0YXNldDp4'),
    });
    expect(nodes.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
    expect(stack.sandbox.requests.length).toBe(from);
  });
});

describe('fan-out bounded by DOMO_MAX_CONCURRENCY', () => {
  for (const limit of [2, 8]) {
    it(`never has more than ${limit} upstream calls in flight for one request`, async () => {
      const bounded = await startStack({
        sandbox: { executionSettleMs: 0 },
        maxConcurrencyPerRequest: limit,
      });
      try {
        const seeded = await seedDashboard(bounded.sandbox, bounded.http);
        bounded.sandbox.resetStats();
        bounded.sandbox.setLatency(15);
        const res = await bounded.gql(DASHBOARD_QUERY, { ids: seeded.ids });
        expect(res.errors).toBeUndefined();
        expect((res.data as { datasetsByIds: unknown[] }).datasetsByIds).toHaveLength(20);
        expect(callsSince(bounded.sandbox, 0)).toEqual(minimalCalls(seeded.datasets));
        expect(bounded.sandbox.maxInFlight).toBeLessThanOrEqual(limit);
        // The bound is reached, not just respected: with 58 calls ready at once, the limit is the cap.
        expect(bounded.sandbox.maxInFlight).toBe(limit);
      } finally {
        await bounded.close();
      }
    });
  }
});

/** Global ids of datasets, as the gateway hands them out. */
async function globalIds(ids: string[]): Promise<string[]> {
  const res = await stack.gql('query ($ids: [ID!]!) { datasetsByIds(ids: $ids) { id } }', { ids });
  return (res.data as { datasetsByIds: Array<{ id: string }> }).datasetsByIds.map((d) => d.id);
}
