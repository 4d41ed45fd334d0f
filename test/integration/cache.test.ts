/**
 * The response cache on a real redis-server, two gateways in front of one sandbox: answers shared
 * between replicas, invalidated across them by a mutation, never shared between callers, keys
 * without tokens, and Redis going away mid-run costs the cache, not the answers.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CacheSettings } from '../../src/config-settings.ts';
import { silentLogger } from '../../src/log.ts';
import type { OpsEvent } from '../../src/ops/events.ts';
import { DEMO_DATASETS } from '../../src/sandbox/seed.ts';
import { createSandbox, type Sandbox } from '../../src/sandbox/server.ts';
import { allPayloads, postIncremental } from '../helpers/incremental.ts';
import { type RedisServer, redisMissing, startRedis, untilReady } from '../helpers/redis.ts';
import { authHeader, SANDBOX_TOKEN, type Stack, startStack } from '../helpers/stack.ts';

if (redisMissing) console.warn(redisMissing);

const SALES = DEMO_DATASETS.sales;
const CACHE: CacheSettings = { enabled: true, ttlSeconds: 60, rowsTtlSeconds: 60, maxEntries: 100 };

describe.skipIf(redisMissing)('response cache on Redis, two replicas', () => {
  let redis: RedisServer;
  let sandbox: Sandbox;
  let a: Stack;
  let b: Stack;
  const events: OpsEvent[] = [];
  const warnings: string[] = [];
  const logger = { ...silentLogger, warn: (message: string) => warnings.push(message) };
  beforeAll(async () => {
    redis = await startRedis();
    sandbox = await createSandbox({ token: SANDBOX_TOKEN, largeRows: 100 });
    const ops = { redisUrl: redis.url, cache: CACHE };
    a = await startStack({ sharedSandbox: sandbox, ops, opsSink: { emit: (e) => events.push(e) }, logger });
    b = await startStack({ sharedSandbox: sandbox, ops });
    await Promise.all([untilReady(a.gatewayUrl), untilReady(b.gatewayUrl)]);
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await sandbox?.close();
    await redis?.stop();
  });

  const calls = (path: string) => sandbox.requests.filter((r) => r.path === path).length;
  const metadata = `/api/data/v3/datasources/${SALES}`;

  it('answers the same query through both replicas with one upstream call', async () => {
    const query = `{ dataset(id: "${SALES}") { name description } }`;
    const before = calls(metadata);
    const first = await a.gql(query);
    const second = await b.gql(query);
    expect(first.errors).toBeUndefined();
    expect(second.data).toEqual(first.data);
    expect(calls(metadata) - before).toBe(1);
    expect(events.filter((e) => e.type === 'cache').map((e) => (e as { outcome: string }).outcome)).toContain(
      'miss',
    );
  });

  it('invalidates the other replica’s answer when a mutation through one changes the dataset', async () => {
    const query = `{ dataset(id: "${SALES}") { tags } }`;
    await a.gql(query);
    const cached = calls(metadata);
    expect((await b.gql(query)).errors).toBeUndefined();
    expect(calls(metadata)).toBe(cached);
    const original = ((await b.gql<{ dataset: { tags: string[] } }>(query)).data?.dataset.tags ?? []).slice();
    const changed = await a.gql(
      `mutation { addDatasetTags(datasetId: "${SALES}", tags: ["cache-test"]) { datasetId } }`,
    );
    expect(changed.errors).toBeUndefined();
    const after = await b.gql<{ dataset: { tags: string[] } }>(query);
    expect(after.data?.dataset.tags).toEqual([...original, 'cache-test']);
    await a.gql(`mutation { removeDatasetTags(datasetId: "${SALES}", tags: ["cache-test"]) { datasetId } }`);
  });

  it('never serves one caller’s answer to another', async () => {
    const query = `{ dataset(id: "${SALES}") { name rowCount } }`;
    const primed = await a.gql(query);
    expect(primed.errors).toBeUndefined();
    // The same token as a session token is another credential: its own entry, its own call.
    const before = calls(metadata);
    const session = await b.gql(query, undefined, { 'x-domo-authentication': SANDBOX_TOKEN });
    expect(session.data).toEqual(primed.data);
    expect(calls(metadata) - before).toBe(1);
    // A wrong token gets Domo's refusal, not the cached answer.
    const stranger = await b.gql(query, undefined, authHeader('not-the-token'));
    expect(stranger.data?.dataset ?? null).toBeNull();
    expect(stranger.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('keeps no token in any Redis key or value', async () => {
    const client = new Redis(redis.url);
    try {
      const keys = await client.keys('*');
      expect(keys.length).toBeGreaterThan(0);
      expect(keys.every((k) => k.startsWith('domo-graph:cache:'))).toBe(true);
      for (const key of keys) {
        expect(key).not.toContain(SANDBOX_TOKEN);
        const value =
          (await client.type(key)) === 'string' ? await client.get(key) : (await client.smembers(key)).join();
        expect(value).not.toContain(SANDBOX_TOKEN);
      }
    } finally {
      client.disconnect();
    }
  });

  it('skips the cache on Cache-Control: no-cache, and for mutations', async () => {
    const query = `{ dataset(id: "${SALES}") { name } }`;
    await a.gql(query);
    const hits = events.filter((e) => e.type === 'cache' && e.outcome === 'hit').length;
    await a.gql(query);
    expect(events.filter((e) => e.type === 'cache' && e.outcome === 'hit').length).toBe(hits + 1);
    const before = calls(metadata);
    const fresh = await a.gql(query, undefined, { ...authHeader(), 'cache-control': 'no-cache' });
    expect(fresh.errors).toBeUndefined();
    expect(calls(metadata) - before).toBe(1);
    expect(events.filter((e) => e.type === 'cache').at(-1)).toEqual({ type: 'cache', outcome: 'bypass' });
    const bypasses = events.filter((e) => e.type === 'cache' && e.outcome === 'bypass').length;
    await a.gql(`mutation { addDatasetTags(datasetId: "${SALES}", tags: ["cache-test"]) { datasetId } }`);
    await a.gql(`mutation { removeDatasetTags(datasetId: "${SALES}", tags: ["cache-test"]) { datasetId } }`);
    expect(events.filter((e) => e.type === 'cache' && e.outcome === 'bypass').length).toBe(bypasses + 2);
  });

  it('answers from Domo when Redis goes away mid-run, and says so on /ready', async () => {
    const query = `{ dataset(id: "${SALES}") { name owner { name } } }`;
    await a.gql(query);
    await redis.kill();
    const before = calls(metadata);
    for (const stack of [a, b, a]) {
      const res = await stack.gql(query);
      expect(res.errors).toBeUndefined();
      expect(res.data).toMatchObject({ dataset: { name: expect.any(String) } });
    }
    expect(calls(metadata) - before).toBe(3);
    // Logged once for the outage, at warn, not once per request.
    expect(warnings.filter((w) => w.startsWith('redis unavailable'))).toHaveLength(1);
    const ready = await fetch(`${a.gatewayUrl}/ready`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ status: 'redis unreachable' });
    // Back: the cache works again once the connection is re-established.
    await redis.restart();
    await expect
      .poll(async () => (await fetch(`${a.gatewayUrl}/ready`)).status, { timeout: 10_000 })
      .toBe(200);
  });
});

// With graphql-jit too: it once ran the document as onExecute saw it, before the cache added the
// typename aliases it reads an answer's types (and so its TTL) from, so SQL answers were kept.
describe.each([false, true])('response cache in memory (GATEWAY_JIT %s)', (jit) => {
  let stack: Stack;
  beforeAll(async () => {
    // Metadata kept, SQL and rows not (a rows TTL of 0): the TTL follows the types in the answer.
    stack = await startStack({ jit, ops: { cache: { ...CACHE, rowsTtlSeconds: 0 } } });
  });
  afterAll(() => stack?.close());

  const count = (suffix: string) => stack.sandbox.requests.filter((r) => r.path.endsWith(suffix)).length;

  it('reuses a metadata answer, and not an answer holding SQL results', async () => {
    const metadata = `{ dataset(id: "${SALES}") { name columnCount } }`;
    const before = count(`/datasources/${SALES}`);
    expect((await stack.gql(metadata)).errors).toBeUndefined();
    expect((await stack.gql(metadata)).errors).toBeUndefined();
    expect(count(`/datasources/${SALES}`) - before).toBe(1);

    const sql = `{ sql(datasetId: "${SALES}", sql: "SELECT COUNT(*) AS n FROM table") { rowCount } }`;
    const queries = count(`/query/v1/execute/${SALES}`);
    expect((await stack.gql(sql)).errors).toBeUndefined();
    expect((await stack.gql(sql)).errors).toBeUndefined();
    expect(count(`/query/v1/execute/${SALES}`) - queries).toBe(2);
  });

  // The plugin would merge every payload of a stream into one answer to keep it: a streamed
  // million rows would pile up in memory. Incremental operations go to Domo every time.
  it('never keeps an answer delivered with @defer or @stream', async () => {
    const deferred = `{ dataset(id: "${SALES}") { name ... @defer { columnCount } } }`;
    const before = count(`/datasources/${SALES}`);
    for (let i = 0; i < 2; i++) {
      const response = await postIncremental(`${stack.gatewayUrl}/graphql`, 'multipart', deferred, {
        headers: authHeader(),
      });
      const parts = await allPayloads(response);
      expect(parts.at(-1)?.hasNext).toBe(false);
    }
    expect(count(`/datasources/${SALES}`) - before).toBe(2);
  });
});
