/**
 * Rate limits before any upstream call: a caller's bucket, the shared budget of Domo's search, and
 * on a real redis-server the same buckets for two replicas.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OpsEvent } from '../../src/ops/events.ts';
import { DEMO_DATASETS } from '../../src/sandbox/seed.ts';
import { createSandbox, type Sandbox } from '../../src/sandbox/server.ts';
import { type RedisServer, redisMissing, startRedis, untilReady } from '../helpers/redis.ts';
import { authHeader, SANDBOX_TOKEN, type Stack, startStack } from '../helpers/stack.ts';

if (redisMissing) console.warn(redisMissing);

const SALES = DEMO_DATASETS.sales;
const QUERY = `{ dataset(id: "${SALES}") { name } }`;
const SEARCH = '{ searchDatasets(text: "sales", first: 2) { totalCount } }';

async function post(stack: Stack, query: string, headers: Record<string, string> = authHeader()) {
  const response = await fetch(`${stack.gatewayUrl}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', ...headers },
    body: JSON.stringify({ query }),
  });
  const body = (await response.json()) as { errors?: Array<{ extensions?: Record<string, unknown> }> };
  return { status: response.status, retryAfter: response.headers.get('retry-after'), body };
}

describe('rate limits in memory', () => {
  let stack: Stack;
  const events: OpsEvent[] = [];
  beforeAll(async () => {
    stack = await startStack({
      ops: { rateLimit: { perMinute: 6, burst: 2, searchPerMinute: 2 } },
      opsSink: { emit: (e) => events.push(e) },
    });
  });
  afterAll(() => stack.close());

  it('refuses a caller past its burst with RATE_LIMITED and Retry-After, before any upstream call', async () => {
    expect((await post(stack, QUERY)).status).toBe(200);
    expect((await post(stack, QUERY)).status).toBe(200);
    const before = stack.sandbox.requests.length;
    const refused = await post(stack, QUERY);
    expect(refused.status).toBe(429);
    expect(refused.body.errors?.[0]?.extensions).toMatchObject({
      code: 'RATE_LIMITED',
      retryAfterSeconds: 10,
    });
    expect(refused.retryAfter).toBe('10');
    expect(stack.sandbox.requests.length).toBe(before);
    expect(events).toContainEqual({ type: 'rate-limited', scope: 'caller' });
    // Another credential is another caller, with its own bucket.
    const other = await post(stack, QUERY, { 'x-domo-authentication': SANDBOX_TOKEN });
    expect(other.status).toBe(200);
  });
});

describe('the shared budget of Domo search', () => {
  let stack: Stack;
  const events: OpsEvent[] = [];
  beforeAll(async () => {
    stack = await startStack({
      ops: { rateLimit: { perMinute: 0, burst: 0, searchPerMinute: 2 } },
      opsSink: { emit: (e) => events.push(e) },
    });
  });
  afterAll(() => stack.close());

  it('is shared by every caller and refuses past it without calling Domo', async () => {
    const searches = () =>
      stack.sandbox.requests.filter((r) => r.path.endsWith('/datasources/search')).length;
    const developer = authHeader();
    const session = { 'x-domo-authentication': SANDBOX_TOKEN };
    expect((await post(stack, SEARCH, developer)).body.errors).toBeUndefined();
    expect((await post(stack, SEARCH, session)).body.errors).toBeUndefined();
    const before = searches();
    expect(before).toBe(2);
    const refused = await post(stack, SEARCH, developer);
    expect(refused.status).toBe(429);
    expect(refused.body.errors?.[0]?.extensions).toMatchObject({
      code: 'RATE_LIMITED',
      retryAfterSeconds: 30,
    });
    expect(searches()).toBe(before);
    expect(events.filter((e) => e.type === 'rate-limited')).toEqual([
      { type: 'rate-limited', scope: 'upstream' },
    ]);
    // Operations without a search are not held by it.
    expect((await post(stack, QUERY, session)).status).toBe(200);
  });
});

describe.skipIf(redisMissing)('rate limits on Redis, two replicas', () => {
  let redis: RedisServer;
  let sandbox: Sandbox;
  let a: Stack;
  let b: Stack;
  beforeAll(async () => {
    redis = await startRedis();
    sandbox = await createSandbox({ token: SANDBOX_TOKEN, largeRows: 100 });
    const ops = { redisUrl: redis.url, rateLimit: { perMinute: 6, burst: 2, searchPerMinute: 0 } };
    a = await startStack({ sharedSandbox: sandbox, ops });
    b = await startStack({ sharedSandbox: sandbox, ops });
    await Promise.all([untilReady(a.gatewayUrl), untilReady(b.gatewayUrl)]);
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await sandbox?.close();
    await redis?.stop();
  });

  it('draws one caller’s operations through both replicas from one bucket', async () => {
    expect((await post(a, QUERY)).status).toBe(200);
    expect((await post(b, QUERY)).status).toBe(200);
    const before = sandbox.requests.length;
    const refused = await post(a, QUERY);
    expect(refused.status).toBe(429);
    expect(refused.body.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
    expect(sandbox.requests.length).toBe(before);
  });

  it('falls back to each replica’s own buckets when Redis goes away', async () => {
    await redis.kill();
    const session = { 'x-domo-authentication': SANDBOX_TOKEN };
    expect((await post(a, QUERY, session)).status).toBe(200);
    expect((await post(b, QUERY, session)).status).toBe(200);
  });
});
