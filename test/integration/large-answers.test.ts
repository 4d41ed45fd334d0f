/**
 * Huge, slow, cut and garbled SQL answers from a port-0 fake Domo: through DomoHttp and QueryApi,
 * through the in-process gateway (the GraphQL codes), and through a gateway process whose peak
 * memory (VmHWM) is read from /proc.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { Credentials } from '../../src/domo/auth.ts';
import { createDomoClient } from '../../src/domo/client.ts';
import { DomoError } from '../../src/domo/errors.ts';
import { createDispatcher, DomoHttp } from '../../src/domo/http.ts';
import { DEFAULT_LIMITS } from '../../src/graph/limits.ts';
import { silentLogger } from '../../src/log.ts';
import { createGateway } from '../../src/server.ts';
import { type FakeUpstream, fakeUpstream, json, type Step } from '../helpers/fake-upstream.ts';
import { testLane } from '../helpers/lane.ts';
import { LARGE_COLUMNS, largeAnswer, largeRow } from '../helpers/large-answer.ts';
import { GATEWAY_NODE_FLAGS } from '../helpers/node-flags.ts';

const TOKEN = 'large-answer-token';
const creds: Credentials = { kind: 'developer', token: TOKEN };
const ID = '3f5a1b2c-7d4e-4f60-9a8b-1c2d3e4f5a60';
const MB = 1024 * 1024;
const JSON_HEADERS = { 'content-type': 'application/json' };

const cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

async function setup(steps: Step[], options: { maxResponseBytes?: number; maxRetries?: number } = {}) {
  const fake = await fakeUpstream(steps);
  const dispatcher = createDispatcher({ connectTimeoutMs: 2_000, connections: 4 });
  const http = new DomoHttp({
    baseUrl: fake.url,
    dispatcher,
    retry: { maxRetries: options.maxRetries ?? 2, baseMs: 1, maxDelayMs: 5 },
    headersTimeoutMs: 10_000,
    bodyTimeoutMs: 10_000,
    maxResponseBytes: options.maxResponseBytes,
  });
  cleanup.push(async () => {
    await dispatcher.destroy();
    await fake.close();
  });
  return { fake, http, domo: createDomoClient(http, { credentials: creds }) };
}

async function failure(promise: Promise<unknown>): Promise<DomoError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DomoError);
  expect(JSON.stringify({ ...(error as object), message: String(error) })).not.toContain(TOKEN);
  return error as DomoError;
}

const stream = (chunks: string[], thenReset = false): Step => ({
  status: 200,
  headers: JSON_HEADERS,
  chunks: () => chunks,
  thenReset,
});

describe('a huge answer, sent slowly', () => {
  it.each(['columns', 'objects'] as const)(
    '%s shape: keeps the cap, says truncated, and closes the connection after the cap (+1 row)',
    async (shape) => {
      const { fake, domo } = await setup([
        {
          status: 200,
          headers: JSON_HEADERS,
          chunks: () => largeAnswer({ bytes: 500 * MB, shape, pauseMs: 2 }),
        },
      ]);
      const answer = await domo.query.execute(ID, 'SELECT * FROM t', { maxRows: 10_000 });
      expect(answer.truncated).toBe(true);
      expect(answer.rows).toHaveLength(10_000);
      expect(answer.columns).toEqual(LARGE_COLUMNS);
      expect(answer.rows[9_999]).toEqual(largeRow(9_999));
      expect(answer.types).toEqual(LARGE_COLUMNS.map(() => (shape === 'columns' ? 'STRING' : null)));
      // The fake stops writing once the gateway hangs up: a few MB (socket buffers), not 500.
      await expect.poll(() => fake.abandoned).toBe(1);
      expect(fake.sent).toBeLessThan(50 * MB);
      expect(fake.requests).toHaveLength(1);
    },
  );

  it('reads a rows-first answer to its end for the columns, keeping only the cap', async () => {
    const { fake, domo } = await setup([
      {
        status: 200,
        headers: JSON_HEADERS,
        chunks: () => largeAnswer({ bytes: 8 * MB, shape: 'rows-first' }),
      },
    ]);
    const answer = await domo.query.execute(ID, 'SELECT * FROM t', { maxRows: 100 });
    expect(answer).toMatchObject({ truncated: true, columns: LARGE_COLUMNS });
    expect(answer.rows).toEqual(Array.from({ length: 100 }, (_, i) => largeRow(i)));
    expect(answer.types).toEqual(LARGE_COLUMNS.map(() => 'STRING'));
    expect(fake.abandoned).toBe(0);
  });

  it('a connection closed after the cap is not reused: the next query opens a new one and works', async () => {
    const { fake, domo } = await setup([
      { status: 200, headers: JSON_HEADERS, chunks: () => largeAnswer({ bytes: 20 * MB, shape: 'columns' }) },
      json(200, { columns: ['a'], rows: [[1]] }),
    ]);
    await domo.query.execute(ID, 'SELECT * FROM t', { maxRows: 10 });
    await expect(domo.query.execute(ID, 'SELECT a FROM t', { maxRows: 10 })).resolves.toMatchObject({
      rows: [[1]],
      truncated: false,
    });
    expect(fake.requests).toHaveLength(2);
  });
});

describe('cut and garbled answers', () => {
  it('an answer that ends in the middle of a row is a clear upstream error, not retried', async () => {
    const { fake, domo } = await setup([stream(['{"columns":["a"],"rows":[[1],', '[2,'])]);
    const error = await failure(domo.query.execute(ID, 'SELECT a FROM t'));
    expect(error).toMatchObject({ kind: 'upstream', status: 200 });
    expect(error.message).toMatch(/cut off in the middle of a row/);
    expect(fake.requests).toHaveLength(1);
  });

  it('a connection broken mid-row is retried as any read, then says so (not "could not reach Domo")', async () => {
    const { fake, domo } = await setup([stream(['{"columns":["a"],"rows":[[1],', '[2,'], true)]);
    const error = await failure(domo.query.execute(ID, 'SELECT a FROM t'));
    expect(error.kind).toBe('connection');
    expect(error.message).toMatch(/connection broke while reading Domo's answer/);
    expect(error.message).not.toMatch(/could not reach/);
    expect(fake.requests).toHaveLength(3);
  });

  it('a broken connection then a whole answer: the retry succeeds', async () => {
    const { fake, domo } = await setup([
      stream(['{"columns":["a"],"rows":[[1],'], true),
      stream(['{"columns":["a"],', '"rows":[[1],[2]]}']),
    ]);
    await expect(domo.query.execute(ID, 'SELECT a FROM t')).resolves.toEqual({
      columns: ['a'],
      types: [null],
      rows: [[1], [2]],
      truncated: false,
    });
    expect(fake.requests).toHaveLength(2);
  });

  it('invalid JSON is an upstream error, not retried', async () => {
    const { fake, domo } = await setup([stream(['[{"a":1}', ' {"a":2}]'])]);
    const error = await failure(domo.query.execute(ID, 'SELECT a FROM t'));
    expect(error).toMatchObject({ kind: 'upstream' });
    expect(error.message).toMatch(/not valid JSON/);
    expect(fake.requests).toHaveLength(1);
  });

  it('an HTML page with a 200 says so', async () => {
    const { domo } = await setup([
      {
        status: 200,
        headers: { 'content-type': 'text/html' },
        body: '<html><title>Domo - Blocked</title></html>',
      },
    ]);
    expect((await failure(domo.query.execute(ID, 'SELECT 1'))).message).toMatch(
      /HTML page \(Domo - Blocked\)/,
    );
  });

  it('a non-2xx still becomes the same DomoError (a 400 with its message; a 503 retried)', async () => {
    const bad = await setup([json(400, { status: 400, message: 'Unknown column nope', toe: 'TOE-1' })]);
    const error = await failure(bad.domo.query.execute(ID, 'SELECT nope FROM t'));
    expect(error).toMatchObject({
      kind: 'bad_request',
      status: 400,
      toe: 'TOE-1',
      message: 'Unknown column nope',
    });
    const flaky = await setup([json(503, {}), json(200, [{ a: 1 }])]);
    await expect(flaky.domo.query.execute(ID, 'SELECT a FROM t')).resolves.toMatchObject({ rows: [[1]] });
    expect(flaky.fake.requests).toHaveLength(2);
  });

  it('a caller that goes away mid-answer cancels the upstream request', async () => {
    const fake = await fakeUpstream([
      {
        status: 200,
        headers: JSON_HEADERS,
        chunks: () => largeAnswer({ bytes: 500 * MB, shape: 'rows-first', pauseMs: 5 }),
      },
    ]);
    const dispatcher = createDispatcher({ connectTimeoutMs: 2_000, connections: 4 });
    cleanup.push(async () => {
      await dispatcher.destroy();
      await fake.close();
    });
    const http = new DomoHttp({
      baseUrl: fake.url,
      dispatcher,
      retry: { maxRetries: 2, baseMs: 1, maxDelayMs: 5 },
      headersTimeoutMs: 10_000,
      bodyTimeoutMs: 10_000,
    });
    const controller = new AbortController();
    const domo = createDomoClient(http, { credentials: creds, signal: controller.signal });
    const pending = failure(domo.query.execute(ID, 'SELECT * FROM t', { maxRows: 10 }));
    await expect.poll(() => fake.sent).toBeGreaterThan(MB);
    controller.abort();
    expect((await pending).kind).toBe('aborted');
    await expect.poll(() => fake.abandoned).toBe(1);
    expect(fake.requests).toHaveLength(1);
  });
});

describe('DOMO_MAX_RESPONSE_BYTES on buffered reads', () => {
  const READ = { method: 'GET', path: '/api/data/v3/datasources/x', idempotent: true } as const;

  it('a Content-Length over the bound is refused before reading, one attempt', async () => {
    const { fake, http } = await setup(
      [{ status: 200, headers: JSON_HEADERS, body: JSON.stringify({ x: 'y'.repeat(5_000) }) }],
      {
        maxResponseBytes: 4_096,
      },
    );
    const error = await failure(http.request(creds, READ));
    expect(error).toMatchObject({ kind: 'too_large', status: 200 });
    expect(error.message).toMatch(/larger than DOMO_MAX_RESPONSE_BYTES \(4096 bytes\)/);
    expect(fake.requests).toHaveLength(1);
  });

  it('a chunked body growing past the bound is dropped there, one attempt', async () => {
    const { fake, http } = await setup(
      [
        {
          status: 200,
          headers: JSON_HEADERS,
          chunks: () => largeAnswer({ bytes: 500 * MB, shape: 'objects' }),
        },
      ],
      { maxResponseBytes: MB },
    );
    const error = await failure(http.request(creds, READ));
    expect(error.kind).toBe('too_large');
    await expect.poll(() => fake.abandoned).toBe(1);
    expect(fake.sent).toBeLessThan(50 * MB);
    expect(fake.requests).toHaveLength(1);
  });

  it('a body at the bound is read', async () => {
    const body = JSON.stringify({ x: 'y'.repeat(4_096 - 8) });
    expect(body).toHaveLength(4_096);
    const { http } = await setup([{ status: 200, headers: JSON_HEADERS, body }], { maxResponseBytes: 4_096 });
    await expect(http.request(creds, READ)).resolves.toEqual(JSON.parse(body));
  });

  it('a large error body is cut, and still becomes the status error', async () => {
    const { http } = await setup(
      [{ status: 500, headers: { 'content-type': 'text/plain' }, body: 'x'.repeat(10_000) }],
      {
        maxResponseBytes: 4_096,
        maxRetries: 0,
      },
    );
    expect(await failure(http.request(creds, READ))).toMatchObject({ kind: 'upstream', status: 500 });
  });

  it('a single SQL row over the bound is refused too, not retried', async () => {
    const { fake, domo } = await setup([stream([`{"columns":["a"],"rows":[["${'z'.repeat(3_000)}"]]}`])], {
      maxResponseBytes: 2_048,
    });
    expect((await failure(domo.query.execute(ID, 'SELECT a FROM t'))).kind).toBe('too_large');
    expect(fake.requests).toHaveLength(1);
  });
});

describe('through the gateway', () => {
  async function gateway(steps: Step[], options: { maxQueryRows?: number; maxResponseBytes?: number } = {}) {
    const { fake, http } = await setup(steps, { maxResponseBytes: options.maxResponseBytes });
    const { server } = createGateway({
      config: {
        lane: testLane(),
        serverCredentials: creds,
        upstream: {
          connectTimeoutMs: 2_000,
          headersTimeoutMs: 10_000,
          bodyTimeoutMs: 10_000,
          maxRetries: 2,
          retryBaseMs: 1,
          retryMaxDelayMs: 5,
          connections: 4,
          maxConcurrencyPerRequest: 8,
          maxCallsPerRequest: 500,
        },
        limits: DEFAULT_LIMITS,
        maxPageSize: 50,
        maxQueryRows: options.maxQueryRows ?? 10_000,
      },
      http,
      logger: silentLogger,
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    cleanup.push(
      () =>
        new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        }),
    );
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
    const sql = async (
      query = `{ sql(datasetId: "${ID}", sql: "SELECT * FROM t") { rowCount truncated rows } }`,
    ) => {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query }),
      });
      return (await response.json()) as {
        data?: { sql: { rowCount: number; truncated: boolean; rows: unknown[][] } | null };
        errors?: Array<{ message: string; extensions?: Record<string, unknown> }>;
      };
    };
    return { fake, sql };
  }

  it('answers MAX_QUERY_ROWS rows of a huge answer with truncated, and hangs up on Domo', async () => {
    const { fake, sql } = await gateway(
      [
        {
          status: 200,
          headers: JSON_HEADERS,
          chunks: () => largeAnswer({ bytes: 500 * MB, shape: 'columns', pauseMs: 2 }),
        },
      ],
      { maxQueryRows: 2_000 },
    );
    const res = await sql();
    expect(res.errors).toBeUndefined();
    expect(res.data?.sql).toMatchObject({ rowCount: 2_000, truncated: true });
    expect(res.data?.sql?.rows[1_999]).toEqual(largeRow(1_999));
    await expect.poll(() => fake.abandoned).toBe(1);
    expect(fake.sent).toBeLessThan(50 * MB);
  });

  it('an answer cut mid-row is UPSTREAM_ERROR saying so', async () => {
    const { sql } = await gateway([stream(['{"columns":["a"],"rows":[[1],[2'])]);
    const res = await sql();
    expect(res.data?.sql ?? null).toBeNull();
    expect(res.errors?.[0]?.extensions?.code).toBe('UPSTREAM_ERROR');
    expect(res.errors?.[0]?.message).toMatch(
      /^Domo request failed: Domo's answer was cut off in the middle of a row/,
    );
  });

  it('a row over DOMO_MAX_RESPONSE_BYTES is UPSTREAM_RESPONSE_TOO_LARGE naming the setting', async () => {
    const { fake, sql } = await gateway([stream([`[{"a":"${'z'.repeat(3_000)}"}]`])], {
      maxResponseBytes: 2_048,
    });
    const res = await sql();
    expect(res.errors?.[0]?.extensions).toMatchObject({
      code: 'UPSTREAM_RESPONSE_TOO_LARGE',
      limit: 'DOMO_MAX_RESPONSE_BYTES',
    });
    expect(res.errors?.[0]?.message).toMatch(/DOMO_MAX_RESPONSE_BYTES/);
    expect(fake.requests).toHaveLength(1);
  });
});

describe('the gateway process', () => {
  /** Starts `npm start` (src/main.ts) in front of the fake; resolves to its GraphQL URL. */
  async function start(fake: FakeUpstream, env: Record<string, string> = {}) {
    const child: ChildProcess = spawn(
      process.execPath,
      [...GATEWAY_NODE_FLAGS, '--import', 'tsx', 'src/main.ts'],
      {
        env: {
          PATH: process.env.PATH ?? '',
          HOME: process.env.HOME ?? '',
          PORT: '0',
          DOMO_BASE_URL: fake.url,
          DOMO_DEVELOPER_TOKEN: TOKEN,
          LOG_LEVEL: 'warn',
          // The same query is sent again on purpose: it must reach the fake, not the response cache.
          CACHE_ENABLED: 'false',
          ...env,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    cleanup.push(() => {
      if (child.exitCode === null) child.kill('SIGKILL');
    });
    let output = '';
    child.stdout?.on('data', (chunk) => {
      output += chunk;
    });
    child.stderr?.on('data', (chunk) => {
      output += chunk;
    });
    await expect.poll(() => output, { timeout: 30_000 }).toMatch(/open (http:\/\/\S+\/graphql)/);
    return { url: output.match(/open (http:\/\/\S+\/graphql)/)![1]!, pid: child.pid! };
  }

  const peakMB = async (pid: number) =>
    Number((await readFile(`/proc/${pid}/status`, 'utf8')).match(/VmHWM:\s+(\d+)/)![1]) / 1024;

  const query = async (url: string) => {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        query: `{ sql(datasetId: "${ID}", sql: "SELECT * FROM t") { rowCount truncated } }`,
      }),
    });
    return (await response.json()) as {
      data?: { sql: { rowCount: number; truncated: boolean } };
      errors?: unknown;
    };
  };

  it('stays far under the answer size: 500 MB sent slowly, default cap; and 100 MB read whole for columns sent last', async () => {
    const fake = await fakeUpstream([
      {
        status: 200,
        headers: JSON_HEADERS,
        chunks: () => largeAnswer({ bytes: 500 * MB, shape: 'columns', pauseMs: 2 }),
      },
      {
        status: 200,
        headers: JSON_HEADERS,
        chunks: () => largeAnswer({ bytes: 100 * MB, shape: 'rows-first' }),
      },
    ]);
    cleanup.push(() => fake.close());
    const { url, pid } = await start(fake);
    const before = await peakMB(pid);

    const cut = await query(url);
    expect(cut).toEqual({ data: { sql: { rowCount: 10_000, truncated: true } } });
    await expect.poll(() => fake.abandoned).toBe(1);
    expect(fake.sent).toBeLessThan(50 * MB);

    const whole = await query(url);
    expect(whole).toEqual({ data: { sql: { rowCount: 10_000, truncated: true } } });
    expect(fake.sent).toBeGreaterThan(100 * MB);
    const after = await peakMB(pid);
    console.info(
      `gateway VmHWM: ${before.toFixed(0)} MB at start, ${after.toFixed(0)} MB after 600 MB of answers`,
    );
    // 10,000 rows kept; the 600 MB that went by must not show.
    expect(after - before).toBeLessThan(120);
    expect(after).toBeLessThan(256);
  }, 180_000);
});
