/**
 * Subscriptions' sharing and limits against the real sandbox: one poller (one set of upstream
 * calls) for N subscribers of one object and caller, a poller per caller, SUBSCRIPTIONS_PER_CALLER,
 * SUBSCRIPTIONS_MAX, the idle timeout, and gateway scopes and allow-lists applied as to queries.
 * The polls here are slow (a minute apart), so every upstream call counted is the first poll.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashApiKey, parseApiKeyEntries } from '../../src/auth/keys.ts';
import type { Sandbox } from '../../src/sandbox/server.ts';
import { type SseSubscription, subscribeSse } from '../helpers/sse.ts';
import { authHeader, SANDBOX_TOKEN, type Stack, startStack } from '../helpers/stack.ts';

const STAGING = 'e2d4f6a8-1b3c-4d5e-8f70-a1b2c3d4e5f6';
const SALES = '3f5a1b2c-7d4e-4f60-9a8b-1c2d3e4f5a60';
const CHANGED = `subscription($id: ID!) { datasetChanged(id: $id) { datasetId rowCount } }`;
type Changed = { datasetChanged: { datasetId: string; rowCount: number } };
const SLOW = { pollBaseMs: 60_000, pollMaxMs: 60_000 };

const KEYS = { uploadOnly: 'upload-only-key-0123456789abcdef', salesOnly: 'sales-only-key-0123456789abcdef' };
const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

let sandbox: Sandbox;
let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ live: { ...SLOW, perCaller: 4, max: 6 } });
  sandbox = stack.sandbox;
});
afterAll(() => stack.close());

const metadataCalls = (s: Stack, id: string) =>
  s.attempts.filter((a) => a.request.method === 'GET' && a.request.path === `/api/data/v3/datasources/${id}`)
    .length;

const versionCalls = (s: Stack) =>
  s.attempts.filter((a) => a.request.path === `/api/data/v3/datasources/${STAGING}/dataversions/details`)
    .length;

async function open(s: Stack, n: number, headers = authHeader()) {
  const subs: SseSubscription<Changed>[] = [];
  for (let i = 0; i < n; i++)
    subs.push(await subscribeSse<Changed>(s.gatewayUrl, CHANGED, { id: STAGING }, headers));
  return subs;
}

describe('one poller per object and caller', () => {
  it('four subscribers of one dataset make one poll: one metadata and one versions call', async () => {
    const before = metadataCalls(stack, STAGING);
    const versionsBefore = versionCalls(stack);
    const subs = await open(stack, 4);
    const firsts = await Promise.all(subs.map((s) => s.next()));
    for (const first of firsts) expect(first?.data?.datasetChanged.datasetId).toBe(STAGING);
    expect(metadataCalls(stack, STAGING) - before).toBe(1);
    expect(versionCalls(stack) - versionsBefore).toBe(1);
    expect(stack.gateway.live.stats()).toMatchObject({ subscriptions: 4, topics: 1, polling: 1 });
    for (const s of subs.slice(0, 3)) s.stop();
    await until(() => stack.gateway.live.stats().subscriptions === 1);
    // Three left, one stays: the poller runs on for it.
    expect(stack.gateway.live.stats()).toMatchObject({ topics: 1, polling: 1 });
    subs[3]!.stop();
    await until(() => stack.gateway.live.stats().topics === 0);
    expect(stack.gateway.live.stats()).toMatchObject({ subscriptions: 0, polling: 0 });
  });

  it('SUBSCRIPTIONS_PER_CALLER: the fifth of one caller is refused with TOO_MANY_SUBSCRIPTIONS, before any call', async () => {
    const subs = await open(stack, 4);
    await Promise.all(subs.map((s) => s.next()));
    const calls = stack.attempts.length;
    const [fifth] = await open(stack, 1);
    const events = await fifth!.rest();
    expect(events).toHaveLength(1);
    expect(events[0]!.errors?.[0]?.extensions?.code).toBe('TOO_MANY_SUBSCRIPTIONS');
    expect(events[0]!.errors?.[0]?.message).toContain('SUBSCRIPTIONS_PER_CALLER');
    expect(stack.attempts.length).toBe(calls);
    for (const s of subs) s.stop();
    await until(() => stack.gateway.live.stats().subscriptions === 0);
    // Gone, so the caller may subscribe again.
    const [again] = await open(stack, 1);
    expect((await again!.next())?.data?.datasetChanged.datasetId).toBe(STAGING);
    again!.stop();
    await until(() => stack.gateway.live.stats().subscriptions === 0);
  });
});

describe('limits in all and idle subscriptions', () => {
  let small: Stack;
  beforeAll(async () => {
    small = await startStack({
      sharedSandbox: sandbox,
      live: { ...SLOW, perCaller: 5, max: 2, idleMs: 300 },
    });
  });
  afterAll(() => small.close());

  it('SUBSCRIPTIONS_MAX: past it any caller is refused', async () => {
    const subs = await open(small, 2);
    await Promise.all(subs.map((s) => s.next()));
    const [third] = await open(small, 1, authHeader(`${SANDBOX_TOKEN}-other`));
    const events = await third!.rest();
    expect(events[0]!.errors?.[0]?.extensions?.code).toBe('TOO_MANY_SUBSCRIPTIONS');
    expect(events[0]!.errors?.[0]?.message).toContain('SUBSCRIPTIONS_MAX');
    for (const s of subs) s.stop();
    await until(() => small.gateway.live.stats().subscriptions === 0);
  });

  it('SUBSCRIPTION_IDLE_MINUTES: no new state for that long ends it with SUBSCRIPTION_IDLE', async () => {
    const [sub] = await open(small, 1);
    const events = await sub!.rest();
    expect(events[0]!.data?.datasetChanged.datasetId).toBe(STAGING);
    expect(events).toHaveLength(2);
    expect(events[1]!.errors?.[0]?.extensions?.code).toBe('SUBSCRIPTION_IDLE');
    await until(() => small.gateway.live.stats().topics === 0);
  });

  it('two callers watching one dataset get a poller each (what they may see can differ)', async () => {
    const [mine] = await open(small, 1);
    const [theirs] = await open(small, 1, authHeader(`${SANDBOX_TOKEN}-other`));
    expect((await mine!.next())?.data?.datasetChanged.datasetId).toBe(STAGING);
    // The other token is not the sandbox's: its own poller asked and was refused.
    expect((await theirs!.next())?.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    mine!.stop();
    await until(() => small.gateway.live.stats().topics === 0);
  });
});

describe('rate limits apply to subscriptions', () => {
  let limited: Stack;
  beforeAll(async () => {
    limited = await startStack({
      sharedSandbox: sandbox,
      ops: { rateLimit: { perMinute: 1, burst: 1, searchPerMinute: 0 } },
      live: SLOW,
    });
  });
  afterAll(() => limited.close());

  it("a subscription's start takes from the caller's bucket: the second is RATE_LIMITED", async () => {
    const [first] = await open(limited, 1);
    expect((await first!.next())?.data?.datasetChanged.datasetId).toBe(STAGING);
    const [second] = await open(limited, 1);
    const events = await second!.rest();
    expect(events[0]?.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
    first!.stop();
    await until(() => limited.gateway.live.stats().topics === 0);
  });
});

describe('gateway scopes and allow-lists apply to subscriptions', () => {
  let guarded: Stack;
  beforeAll(async () => {
    guarded = await startStack({
      sharedSandbox: sandbox,
      serverCredentials: { kind: 'developer', token: SANDBOX_TOKEN },
      gatewayAuth: {
        apiKeys: parseApiKeyEntries(
          [
            `sha256:${hashApiKey(KEYS.uploadOnly)}:upload`,
            `sha256:${hashApiKey(KEYS.salesOnly)}:read:${SALES}`,
          ].join('\n'),
        ),
        jwt: null,
      },
      live: SLOW,
    });
  });
  afterAll(() => guarded.close());

  it('without the read scope, and outside the allow-list: FORBIDDEN before any call', async () => {
    const calls = guarded.attempts.length;
    const noRead = await subscribeSse<Changed>(
      guarded.gatewayUrl,
      CHANGED,
      { id: STAGING },
      bearer(KEYS.uploadOnly),
    );
    expect((await noRead.rest())[0]?.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const outside = await subscribeSse<Changed>(
      guarded.gatewayUrl,
      CHANGED,
      { id: STAGING },
      bearer(KEYS.salesOnly),
    );
    expect((await outside.rest())[0]?.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(guarded.attempts.length).toBe(calls);
    const inside = await subscribeSse<Changed>(
      guarded.gatewayUrl,
      CHANGED,
      { id: SALES },
      bearer(KEYS.salesOnly),
    );
    expect((await inside.next())?.data?.datasetChanged.datasetId).toBe(SALES);
    inside.stop();
    await until(() => guarded.gateway.live.stats().topics === 0);
  });
});

async function until(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
