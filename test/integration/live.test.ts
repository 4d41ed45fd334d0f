/**
 * Subscriptions end to end: the real gateway over the real sandbox, whose stream runs and indexing
 * take time (executionSettleMs, indexSettleMs), over yoga's SSE and the graphql-sse protocol.
 */
import { createClient } from 'graphql-sse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { subscribeSse } from '../helpers/sse.ts';
import { authHeader, type Stack, startStack } from '../helpers/stack.ts';

const STAGING = 'e2d4f6a8-1b3c-4d5e-8f70-a1b2c3d4e5f6';
const SALES = '3f5a1b2c-7d4e-4f60-9a8b-1c2d3e4f5a60';
const STAGING_STREAM = '105';

const EXECUTION = `subscription($s: ID!, $e: ID!) { executionProgress(streamId: $s, executionId: $e) { executionId currentState rowsInserted } }`;
const INDEX = `subscription($d: ID!, $i: ID!) { indexProgress(datasetId: $d, indexId: $i) { indexId status } }`;
const CHANGED = `subscription($id: ID!) { datasetChanged(id: $id) { datasetId rowCount deleted dataVersions { dataVersionId } } }`;

type Execution = {
  executionProgress: { executionId: number; currentState: string; rowsInserted: number | null };
};
type Index = { indexProgress: { indexId: string; status: string } };
type Changed = {
  datasetChanged: { datasetId: string; rowCount: number; deleted: boolean; dataVersions: unknown[] };
};

const callsTo = (stack: Stack, pattern: RegExp) =>
  stack.attempts.filter((a) => pattern.test(a.request.path)).length;

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({
    sandbox: { executionSettleMs: 400, indexSettleMs: 400 },
    live: { pollBaseMs: 40, pollMaxMs: 120 },
  });
});
afterAll(() => stack.close());

describe('subscriptions over yoga SSE', () => {
  it('executionProgress: RUNNING, then SUCCESS, then complete', async () => {
    const run = await stack.gql<{ executeStream: { execution: { executionId: number } } }>(
      `mutation { executeStream(streamId: "${STAGING_STREAM}") { execution { executionId } } }`,
    );
    expect(run.errors).toBeUndefined();
    const executionId = run.data!.executeStream.execution.executionId;
    const sub = await subscribeSse<Execution>(stack.gatewayUrl, EXECUTION, {
      s: STAGING_STREAM,
      e: executionId,
    });
    const events = await sub.rest();
    expect(events.map((e) => e.data?.executionProgress.currentState)).toEqual(['RUNNING', 'SUCCESS']);
    expect(events[1]!.data!.executionProgress.executionId).toBe(executionId);
    expect(stack.gateway.live.stats()).toMatchObject({ subscriptions: 0, topics: 0, polling: 0 });
  });

  it('datasetChanged: the state at once, a new one after an append, and the poller stops when the client leaves', async () => {
    const sub = await subscribeSse<Changed>(stack.gatewayUrl, CHANGED, { id: STAGING });
    const first = (await sub.next())!.data!.datasetChanged;
    expect(first).toMatchObject({ datasetId: STAGING, deleted: false });
    const append = await stack.gql(
      `mutation { appendRows(datasetId: "${STAGING}", rows: [{ id: 901, payload: "live" }]) { rows } }`,
    );
    expect(append.errors).toBeUndefined();
    let next = (await sub.next())!.data!.datasetChanged;
    // A poll may land between the append's steps (a new version before the new count): wait for the count.
    while (next.rowCount === first.rowCount) next = (await sub.next())!.data!.datasetChanged;
    expect(next.rowCount).toBe(first.rowCount + 1);
    expect(next.dataVersions.length).toBeGreaterThan(first.dataVersions.length);
    expect(stack.gateway.live.stats()).toMatchObject({ subscriptions: 1, topics: 1, polling: 1 });
    sub.stop();
    await until(() => stack.gateway.live.stats().topics === 0);
    const calls = callsTo(stack, /dataversions\/details$/);
    await new Promise((resolve) => setTimeout(resolve, 400));
    // Stopped: no poll after the last subscriber left (the poll base is 40 ms).
    expect(callsTo(stack, /dataversions\/details$/)).toBe(calls);
  });

  it('a missing execution ends with NOT_FOUND', async () => {
    const sub = await subscribeSse<Execution>(stack.gatewayUrl, EXECUTION, {
      s: STAGING_STREAM,
      e: '999999',
    });
    const events = await sub.rest();
    expect(events).toHaveLength(1);
    expect(events[0]!.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });
});

describe('subscriptions over the graphql-sse protocol', () => {
  it('indexProgress: QUEUED, RUNNING, COMPLETE, then complete', async () => {
    const started = await stack.gql<{ indexDataset: { indexId: string } }>(
      `mutation { indexDataset(datasetId: "${SALES}") { indexId } }`,
    );
    expect(started.errors).toBeUndefined();
    const indexId = started.data!.indexDataset.indexId;
    const client = createClient({
      url: `${stack.gatewayUrl}/graphql/stream`,
      headers: authHeader(),
      retryAttempts: 0,
    });
    const states: string[] = [];
    for await (const result of client.iterate<Index>({
      query: INDEX,
      variables: { d: SALES, i: indexId },
    })) {
      expect(result.errors).toBeUndefined();
      states.push(result.data!.indexProgress.status);
    }
    client.dispose();
    expect(states).toEqual(['QUEUED', 'RUNNING', 'COMPLETE']);
  });
});

describe('shutdown', () => {
  it('a drain completes open subscriptions instead of waiting for them or cutting them', async () => {
    const sub = await subscribeSse<Changed>(stack.gatewayUrl, CHANGED, { id: STAGING });
    expect((await sub.next())?.data?.datasetChanged.datasetId).toBe(STAGING);
    const drained = stack.gateway.drain(60_000);
    expect(await sub.next()).toBeUndefined();
    expect(await drained).toEqual({ cut: 0 });
    expect(stack.gateway.live.stats()).toMatchObject({ subscriptions: 0, topics: 0 });
  });
});

async function until(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
