/**
 * Subscriptions across two gateway replicas on one real redis-server: one poller between them (a
 * lease in Redis), states fanned out over pub/sub to subscribers on both, a late subscriber on the
 * other replica starting from the last state without a call, and the other replica taking over
 * when the polling one loses its last subscriber.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_DATASETS } from '../../src/sandbox/seed.ts';
import { createSandbox, type Sandbox } from '../../src/sandbox/server.ts';
import { type RedisServer, redisMissing, startRedis, untilReady } from '../helpers/redis.ts';
import { subscribeSse } from '../helpers/sse.ts';
import { SANDBOX_TOKEN, type Stack, startStack } from '../helpers/stack.ts';

if (redisMissing) console.warn(redisMissing);

const STAGING = DEMO_DATASETS.staging;
const CHANGED = `subscription($id: ID!) { datasetChanged(id: $id) { rowCount } }`;
const EXECUTION = `subscription($s: ID!, $e: ID!) { executionProgress(streamId: $s, executionId: $e) { currentState } }`;
type Changed = { datasetChanged: { rowCount: number } };
type Execution = { executionProgress: { currentState: string } };

describe.skipIf(redisMissing)('subscriptions on Redis, two replicas', () => {
  let redis: RedisServer;
  let sandbox: Sandbox;
  let a: Stack;
  let b: Stack;
  beforeAll(async () => {
    redis = await startRedis();
    sandbox = await createSandbox({ token: SANDBOX_TOKEN, largeRows: 100, executionSettleMs: 400 });
    const live = { pollBaseMs: 40, pollMaxMs: 120 };
    a = await startStack({ sharedSandbox: sandbox, ops: { redisUrl: redis.url }, live });
    b = await startStack({ sharedSandbox: sandbox, ops: { redisUrl: redis.url }, live });
    await Promise.all([untilReady(a.gatewayUrl), untilReady(b.gatewayUrl)]);
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await sandbox?.close();
    await redis?.stop();
  });

  const versionCalls = (s: Stack) =>
    s.attempts.filter((x) => x.request.path === `/api/data/v3/datasources/${STAGING}/dataversions/details`)
      .length;
  const append = async (id: number) => {
    const res = await a.gql(
      `mutation { appendRows(datasetId: "${STAGING}", rows: [{ id: ${id}, payload: "r" }]) { rows } }`,
    );
    expect(res.errors).toBeUndefined();
  };
  const nextCount = async (sub: Awaited<ReturnType<typeof subscribeSse<Changed>>>, not: number) => {
    for (;;) {
      const event = await sub.next();
      const count = event?.data?.datasetChanged.rowCount;
      if (count === undefined) throw new Error(`ended: ${JSON.stringify(event)}`);
      if (count !== not) return count;
    }
  };

  it('one poller for both replicas; a change reaches subscribers on both; the other takes over when the first leaves', async () => {
    const onA = await subscribeSse<Changed>(a.gatewayUrl, CHANGED, { id: STAGING });
    const first = (await onA.next())!.data!.datasetChanged.rowCount;
    const bCallsBefore = versionCalls(b);
    const onB = await subscribeSse<Changed>(b.gatewayUrl, CHANGED, { id: STAGING });
    // B starts from the state A's poller published, without a call of its own.
    expect((await onB.next())!.data!.datasetChanged.rowCount).toBe(first);
    expect(a.gateway.live.stats().polling + b.gateway.live.stats().polling).toBe(1);
    expect(a.gateway.live.stats().polling).toBe(1);

    await append(9001);
    expect(await nextCount(onA, first)).toBe(first + 1);
    expect(await nextCount(onB, first)).toBe(first + 1);
    expect(versionCalls(b)).toBe(bCallsBefore);

    onA.stop();
    await until(() => a.gateway.live.stats().topics === 0);
    // A gave its lease up: B's poller takes it (it retries every 5 s) and B's subscriber sees the next change.
    await until(() => b.gateway.live.stats().polling === 1, 15_000);
    await append(9002);
    expect(await nextCount(onB, first + 1)).toBe(first + 2);
    onB.stop();
    await until(() => b.gateway.live.stats().topics === 0);
  });

  it('Redis going away costs the sharing, not the states: each replica then polls for itself', async () => {
    const onA = await subscribeSse<Changed>(a.gatewayUrl, CHANGED, { id: STAGING });
    const onB = await subscribeSse<Changed>(b.gatewayUrl, CHANGED, { id: STAGING });
    const first = (await onA.next())!.data!.datasetChanged.rowCount;
    expect((await onB.next())!.data!.datasetChanged.rowCount).toBe(first);
    await redis.kill();
    await until(() => a.gateway.live.stats().polling === 1 && b.gateway.live.stats().polling === 1, 15_000);
    await append(9003);
    expect(await nextCount(onA, first)).toBe(first + 1);
    expect(await nextCount(onB, first)).toBe(first + 1);
    onA.stop();
    onB.stop();
    await until(() => a.gateway.live.stats().topics === 0 && b.gateway.live.stats().topics === 0);
    await redis.restart();
    await Promise.all([untilReady(a.gatewayUrl), untilReady(b.gatewayUrl)]);
  });

  it('a stream run followed from both replicas: the same states, polled by one of them', async () => {
    const run = await a.gql<{ executeStream: { execution: { executionId: number } } }>(
      `mutation { executeStream(streamId: "105") { execution { executionId } } }`,
    );
    const executionId = run.data!.executeStream.execution.executionId;
    const history = (s: Stack) =>
      s.attempts.filter((x) => x.request.path === '/api/data/v1/streams/105/history/aggregate').length;
    const [ha, hb] = [history(a), history(b)];
    const vars = { s: '105', e: executionId };
    const onA = await subscribeSse<Execution>(a.gatewayUrl, EXECUTION, vars);
    const firstA = await onA.next();
    const onB = await subscribeSse<Execution>(b.gatewayUrl, EXECUTION, vars);
    const [restA, restB] = await Promise.all([onA.rest(), onB.rest()]);
    const statesA = [firstA, ...restA].map((e) => e?.data?.executionProgress.currentState);
    const statesB = restB.map((e) => e.data?.executionProgress.currentState);
    expect(statesA).toEqual(['RUNNING', 'SUCCESS']);
    expect(statesB.at(-1)).toBe('SUCCESS');
    expect(history(b) - hb).toBe(0);
    expect(history(a) - ha).toBeGreaterThan(0);
  });
});

async function until(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
