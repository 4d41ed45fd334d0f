/**
 * Upstream failures through the one choke point (DomoHttp.request) against a port-0 fake, then the
 * GraphQL codes they become through the real gateway and sandbox.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Credentials } from '../../src/domo/auth.ts';
import { DomoError } from '../../src/domo/errors.ts';
import { createDispatcher, DomoHttp, type DomoRequest, type HttpMethod } from '../../src/domo/http.ts';
import { DEMO_DATASETS } from '../../src/sandbox/seed.ts';
import { type FakeUpstream, fakeUpstream, json, type Step } from '../helpers/fake-upstream.ts';
import { type Stack, startStack } from '../helpers/stack.ts';

const TOKEN = 'secret-token-do-not-leak';
const creds: Credentials = { kind: 'developer', token: TOKEN };
const READ: DomoRequest = { method: 'GET', path: '/api/data/v3/datasources/x', idempotent: true };
const HTML = '<!DOCTYPE html><html><head><title>Domo Maintenance</title></head><body>Back soon</body></html>';

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

async function setup(steps: Step[], options: { headersTimeoutMs?: number; maxDelayMs?: number } = {}) {
  const fake = await fakeUpstream(steps);
  const dispatcher = createDispatcher({ connectTimeoutMs: 2_000, connections: 4 });
  const http = new DomoHttp({
    baseUrl: fake.url,
    dispatcher,
    retry: { maxRetries: 2, baseMs: 1, maxDelayMs: options.maxDelayMs ?? 20 },
    headersTimeoutMs: options.headersTimeoutMs ?? 5_000,
    bodyTimeoutMs: 5_000,
  });
  cleanup.push(async () => {
    await dispatcher.destroy();
    await fake.close();
  });
  return { fake, http };
}

async function failure(promise: Promise<unknown>): Promise<DomoError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DomoError);
  // No error ever carries the token, in its message, its fields or its cause.
  expect(JSON.stringify({ ...(error as object), message: String(error) })).not.toContain(TOKEN);
  return error as DomoError;
}

const attempts = (fake: FakeUpstream) => fake.requests.length;

describe('retries of idempotent requests', () => {
  it('waits out a 429 with Retry-After (seconds), then succeeds', async () => {
    const { fake, http } = await setup([
      json(429, { message: 'slow down' }, { 'retry-after': '0' }),
      json(200, { id: 'x' }),
    ]);
    await expect(http.request(creds, READ)).resolves.toEqual({ id: 'x' });
    expect(attempts(fake)).toBe(2);
  });

  it('caps a long Retry-After (HTTP-date) at the maximum delay', async () => {
    const later = new Date(Date.now() + 3_600_000).toUTCString();
    const { fake, http } = await setup([json(429, {}, { 'retry-after': later }), json(200, { id: 'x' })]);
    await expect(http.request(creds, READ)).resolves.toEqual({ id: 'x' });
    expect(attempts(fake)).toBe(2);
  });

  it('gives up on a 429 storm as rate_limited with retryAfterMs', async () => {
    const { fake, http } = await setup(
      [json(429, { message: 'Too Many Requests' }, { 'retry-after': '1' })],
      {
        maxDelayMs: 5,
      },
    );
    const error = await failure(http.request(creds, READ));
    expect(error.kind).toBe('rate_limited');
    expect(error.status).toBe(429);
    expect(error.retryAfterMs).toBe(1000);
    expect(attempts(fake)).toBe(3);
  });

  it('treats 403 with a rate-limit message as throttling', async () => {
    const { fake, http } = await setup([json(403, { message: 'API rate limit exceeded' }), json(200, [])]);
    await expect(http.request(creds, READ)).resolves.toEqual([]);
    expect(attempts(fake)).toBe(2);
  });

  it('retries 503 twice, then succeeds', async () => {
    const { fake, http } = await setup([json(503, {}), json(503, {}), json(200, { ok: true })]);
    await expect(http.request(creds, READ)).resolves.toEqual({ ok: true });
    expect(attempts(fake)).toBe(3);
  });

  it('stops after maxRetries on a 502/504 that never clears', async () => {
    const { fake, http } = await setup([json(502, { message: 'Bad Gateway', toe: 'ABC-1' })]);
    const error = await failure(http.request(creds, READ));
    expect(error).toMatchObject({ kind: 'upstream', status: 502, toe: 'ABC-1', method: 'GET' });
    expect(attempts(fake)).toBe(3);

    const gateway = await setup([json(504, {})]);
    expect((await failure(gateway.http.request(creds, READ))).kind).toBe('timeout');
    expect(attempts(gateway.fake)).toBe(3);
  });

  it('retries a reset connection, then succeeds', async () => {
    const { fake, http } = await setup([{ reset: true }, json(200, { id: 'x' })]);
    await expect(http.request(creds, READ)).resolves.toEqual({ id: 'x' });
    expect(attempts(fake)).toBe(2);
  });

  it('reports a connection that keeps resetting as a connection error', async () => {
    const { fake, http } = await setup([{ reset: true }]);
    const error = await failure(http.request(creds, READ));
    expect(error.kind).toBe('connection');
    expect(error.message).toMatch(/could not reach Domo/);
    expect(attempts(fake)).toBe(3);
  });

  it('does not retry what another attempt cannot fix (400, 401, 404, 500)', async () => {
    for (const status of [400, 401, 404, 500]) {
      const { fake, http } = await setup([json(status, { message: `m${status}` })]);
      const error = await failure(http.request(creds, READ));
      expect(error.status).toBe(status);
      expect(attempts(fake)).toBe(1);
    }
  });
});

describe('timeouts and bodies that are not JSON', () => {
  it('times out waiting for headers, once (a slow upstream is not hammered)', async () => {
    const { fake, http } = await setup([{ hang: true }], { headersTimeoutMs: 100 });
    const error = await failure(http.request(creds, READ));
    expect(error.kind).toBe('timeout');
    expect(error.message).toMatch(/waiting for headers/);
    expect(attempts(fake)).toBe(1);
  });

  it('names an HTML maintenance page, retrying it when it comes with 503', async () => {
    const { fake, http } = await setup([
      { status: 503, body: HTML, headers: { 'content-type': 'text/html' } },
    ]);
    const error = await failure(http.request(creds, READ));
    expect(error).toMatchObject({ kind: 'upstream', status: 503 });
    expect(error.message).toMatch(/HTML page \(Domo Maintenance\)/);
    expect(attempts(fake)).toBe(3);
  });

  it('fails on an HTML page served with 200, without retrying', async () => {
    const { fake, http } = await setup([
      { status: 200, body: HTML, headers: { 'content-type': 'text/html' } },
    ]);
    const error = await failure(http.request(creds, READ));
    expect(error.kind).toBe('upstream');
    expect(error.message).toMatch(/HTML page \(Domo Maintenance\) instead of JSON/);
    expect(attempts(fake)).toBe(1);
  });

  it('fails on a 200 body that is not JSON, without retrying', async () => {
    const { fake, http } = await setup([{ status: 200, body: '{"truncated":', headers: {} }]);
    const error = await failure(http.request(creds, READ));
    expect(error.kind).toBe('upstream');
    expect(error.message).toMatch(/not JSON/);
    expect(attempts(fake)).toBe(1);
  });

  it('answers undefined for an empty 2xx body', async () => {
    const { http } = await setup([{ status: 204 }]);
    await expect(http.request(creds, READ)).resolves.toBeUndefined();
  });
});

describe('writes are never retried', () => {
  const write = (method: HttpMethod): DomoRequest => ({ method, path: '/api/data/v2/datasources', json: {} });

  it.each(['POST', 'PUT', 'DELETE'] as const)('%s: one attempt on 503, 429 and a reset', async (method) => {
    for (const step of [
      json(503, {}),
      json(429, {}, { 'retry-after': '0' }),
      { reset: true } as const,
    ] satisfies Step[]) {
      const { fake, http } = await setup([step, json(200, { ok: true })]);
      await failure(http.request(creds, write(method)));
      expect(attempts(fake)).toBe(1);
    }
  });

  it('a POST that only reads (idempotent: true) is retried', async () => {
    const { fake, http } = await setup([json(503, {}), json(200, { ok: true })]);
    await expect(
      http.request(creds, { method: 'POST', path: '/api/query/v1/execute/x', json: {}, idempotent: true }),
    ).resolves.toEqual({ ok: true });
    expect(attempts(fake)).toBe(2);
  });
});

describe('cancellation', () => {
  it('aborts the upstream call and does not retry', async () => {
    const { fake, http } = await setup([{ hang: true }]);
    const controller = new AbortController();
    const pending = http.request(creds, READ, controller.signal);
    await expect.poll(() => attempts(fake)).toBe(1);
    controller.abort();
    const error = await failure(pending);
    expect(error.kind).toBe('aborted');
    await expect.poll(() => fake.abandoned).toBe(1);
    expect(attempts(fake)).toBe(1);
  });

  it('does not start a request whose signal is already aborted', async () => {
    const { fake, http } = await setup([json(200, {})]);
    const error = await failure(http.request(creds, READ, AbortSignal.abort()));
    expect(error.kind).toBe('aborted');
    expect(attempts(fake)).toBe(0);
  });

  it('stops waiting between retries when aborted', async () => {
    const { fake, http } = await setup([json(503, {}, { 'retry-after': '60' })], { maxDelayMs: 60_000 });
    const controller = new AbortController();
    const pending = http.request(creds, READ, controller.signal);
    await expect.poll(() => attempts(fake)).toBe(1);
    controller.abort();
    expect((await failure(pending)).kind).toBe('aborted');
    expect(attempts(fake)).toBe(1);
  });
});

describe('through the gateway', () => {
  let stack: Stack;
  const SALES = DEMO_DATASETS.sales;
  const DATASET_PATH = `/api/data/v3/datasources/${SALES}`;
  const query = `{ dataset(id: "${SALES}") { name } }`;

  const withStack = async (options: Parameters<typeof startStack>[0] = {}) => {
    stack = await startStack(options);
    cleanup.push(() => stack.close());
    return stack;
  };

  it('recovers from a 429 with Retry-After, two upstream attempts', async () => {
    await withStack();
    stack.sandbox.inject({ method: 'GET', path: DATASET_PATH, status: 429, headers: { 'retry-after': '0' } });
    const res = await stack.gql(query);
    expect(res.errors).toBeUndefined();
    expect(stack.sandbox.count('GET', DATASET_PATH)).toBe(2);
  });

  it('answers RATE_LIMITED with retryAfterSeconds when throttling persists', async () => {
    await withStack();
    stack.sandbox.inject({ path: DATASET_PATH, status: 429, headers: { 'retry-after': '7' }, times: 10 });
    const res = await stack.gql(query);
    expect(res.errors?.[0]?.extensions).toMatchObject({
      code: 'RATE_LIMITED',
      upstreamStatus: 429,
      retryAfterSeconds: 7,
    });
    expect(stack.sandbox.count('GET', DATASET_PATH)).toBe(3);
  });

  it('answers UPSTREAM_ERROR for an HTML maintenance page, with the upstream status', async () => {
    await withStack();
    stack.sandbox.inject({ path: DATASET_PATH, status: 503, text: HTML, times: 10 });
    const res = await stack.gql(query);
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'UPSTREAM_ERROR', upstreamStatus: 503 });
    expect(res.errors?.[0]?.message).toMatch(/Domo Maintenance/);
    expect(stack.sandbox.count('GET', DATASET_PATH)).toBe(3);
  });

  it("passes Domo's toe on", async () => {
    await withStack();
    stack.sandbox.inject({
      path: DATASET_PATH,
      status: 500,
      body: {
        status: 500,
        statusReason: 'Internal Server Error',
        message: 'boom',
        toe: 'TOE123-AAAAA-BBBBB',
      },
    });
    const res = await stack.gql(query);
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'UPSTREAM_ERROR', toe: 'TOE123-AAAAA-BBBBB' });
    expect(stack.sandbox.count('GET', DATASET_PATH)).toBe(1);
  });

  it('answers UPSTREAM_ERROR after a reset connection that keeps resetting', async () => {
    await withStack();
    stack.sandbox.inject({ path: DATASET_PATH, reset: true, times: 10 });
    const res = await stack.gql(query);
    expect(res.errors?.[0]?.extensions?.code).toBe('UPSTREAM_ERROR');
    expect(stack.sandbox.count('GET', DATASET_PATH)).toBe(3);
  });

  it('answers UPSTREAM_TIMEOUT on a headers timeout, one attempt', async () => {
    await withStack({ headersTimeoutMs: 100 });
    stack.sandbox.inject({ path: DATASET_PATH, status: 200, delayMs: 1_000 });
    const res = await stack.gql(query);
    expect(res.errors?.[0]?.extensions?.code).toBe('UPSTREAM_TIMEOUT');
    expect(stack.sandbox.count('GET', DATASET_PATH)).toBe(1);
  });

  it('answers UPSTREAM_ERROR when a 200 body has the wrong shape', async () => {
    await withStack();
    stack.sandbox.inject({ path: DATASET_PATH, status: 200, body: { unexpected: true } });
    const res = await stack.gql(query);
    expect(res.errors?.[0]?.extensions?.code).toBe('UPSTREAM_ERROR');
    expect(res.errors?.[0]?.message).toMatch(/unexpected shape/);
  });

  it('cancels the upstream call when the caller disconnects, without a retry', async () => {
    await withStack();
    const abandoned: string[] = [];
    stack.sandbox.server.on('request', (req, res) => {
      res.on('close', () => {
        if (!res.writableFinished) abandoned.push(String(req.url));
      });
    });
    stack.sandbox.inject({ path: DATASET_PATH, status: 200, delayMs: 5_000 });
    const controller = new AbortController();
    const pending = fetch(`${stack.gatewayUrl}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-domo-developer-token': stack.sandbox.token },
      body: JSON.stringify({ query }),
      signal: controller.signal,
    });
    await expect.poll(() => stack.sandbox.count('GET', DATASET_PATH)).toBe(1);
    controller.abort();
    await expect(pending).rejects.toThrow();
    await expect.poll(() => abandoned).toEqual([DATASET_PATH]);
    expect(stack.attempts.filter((a) => a.request.path === DATASET_PATH)).toHaveLength(1);
    expect(stack.sandbox.count('GET', DATASET_PATH)).toBe(1);
  });
});
