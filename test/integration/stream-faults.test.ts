/**
 * @stream against a port-0 fake Domo: the client going away aborts the upstream request, a client
 * that stops reading stops the gateway reading Domo, an answer cut mid-row is an error in a later
 * payload (after the pages before it), and a 500 MB answer streams through a gateway process in
 * bounded memory (VmHWM from /proc).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { createDispatcher, DomoHttp } from '../../src/domo/http.ts';
import { DEFAULT_LIMITS } from '../../src/graph/limits.ts';
import { silentLogger } from '../../src/log.ts';
import { createGateway } from '../../src/server.ts';
import { type FakeUpstream, fakeUpstream, type Step } from '../helpers/fake-upstream.ts';
import { allPayloads, type IncrementalPayload, payloads, postIncremental } from '../helpers/incremental.ts';
import { testLane } from '../helpers/lane.ts';
import { LARGE_COLUMNS, largeAnswer, largeRow } from '../helpers/large-answer.ts';
import { GATEWAY_NODE_FLAGS } from '../helpers/node-flags.ts';

const TOKEN = 'stream-fault-token';
const ID = '3f5a1b2c-7d4e-4f60-9a8b-1c2d3e4f5a60';
const MB = 1024 * 1024;
const JSON_HEADERS = { 'content-type': 'application/json' };

const cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

async function gateway(steps: Step[]) {
  const fake = await fakeUpstream(steps);
  const dispatcher = createDispatcher({ connectTimeoutMs: 2_000, connections: 4 });
  const http = new DomoHttp({
    baseUrl: fake.url,
    dispatcher,
    retry: { maxRetries: 2, baseMs: 1, maxDelayMs: 5 },
    headersTimeoutMs: 10_000,
    bodyTimeoutMs: 10_000,
  });
  const { server } = createGateway({
    config: {
      lane: testLane(),
      serverCredentials: { kind: 'developer', token: TOKEN },
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
      maxQueryRows: 10_000,
      stream: { maxRows: 100_000_000, maxPageSize: 10_000 },
    },
    http,
    logger: silentLogger,
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  cleanup.push(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await dispatcher.destroy();
    await fake.close();
  });
  return { fake, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql` };
}

const pagesQuery = (size: number) =>
  `{ sql(datasetId: "${ID}", sql: "SELECT * FROM t") { pages(size: ${size}) @stream(initialCount: 1) { offset rows } } }`;

const huge = (pauseMs: number): Step => ({
  status: 200,
  headers: JSON_HEADERS,
  chunks: () => largeAnswer({ bytes: 500 * MB, shape: 'columns', pauseMs }),
});

/** The streamed payloads' errors and their row count. */
function summary(all: IncrementalPayload[]) {
  let rows = 0;
  const errors: Array<{ message: string; code: unknown; path?: unknown }> = [];
  for (const payload of all) {
    const initial = (payload.data as { sql?: { pages?: Array<{ rows: unknown[] }> } } | undefined)?.sql
      ?.pages;
    for (const page of initial ?? []) rows += page.rows.length;
    for (const part of payload.incremental ?? []) {
      for (const page of (part.items ?? []) as Array<{ rows: unknown[] }>) rows += page.rows.length;
      for (const e of part.errors ?? [])
        errors.push({ message: e.message, code: e.extensions?.code, path: e.path });
    }
  }
  return { rows, errors };
}

describe.each(['multipart', 'sse'] as const)('@stream from a fake Domo over %s', (transport) => {
  it('a client that goes away mid-stream aborts the upstream request: the fake sees its connection closed', async () => {
    const { fake, url } = await gateway([huge(2)]);
    const controller = new AbortController();
    const response = await postIncremental(url, transport, pagesQuery(1000), { signal: controller.signal });
    let seen = 0;
    for await (const _ of payloads(response)) {
      if (++seen === 3) break;
    }
    controller.abort();
    await expect.poll(() => fake.abandoned, { timeout: 10_000 }).toBe(1);
    const sent = fake.sent;
    expect(sent).toBeLessThan(50 * MB);
    await sleep(300);
    // Nothing more is read, and nothing was asked again.
    expect(fake.sent - sent).toBeLessThan(MB);
    expect(fake.requests).toHaveLength(1);
  });

  it('a client that stops reading stops the gateway reading Domo (backpressure end to end)', async () => {
    const { fake, url } = await gateway([huge(0)]);
    const controller = new AbortController();
    cleanup.push(() => controller.abort());
    const response = await postIncremental(url, transport, pagesQuery(1000), { signal: controller.signal });
    const reader = payloads(response);
    await reader.next();
    // The fake could send the 500 MB in well under this time if nothing held it back.
    await sleep(1_500);
    const held = fake.sent;
    await sleep(500);
    expect(held).toBeLessThan(50 * MB);
    expect(fake.sent - held).toBeLessThan(MB);
    // Reading again moves it on.
    for (let i = 0; i < 200; i++) await reader.next();
    expect(fake.sent).toBeGreaterThan(held);
    await reader.return(undefined);
  });

  it.each([
    ['ends in the middle of a row', false, /cut off in the middle of a row/],
    ['breaks its connection in the middle of a row', true, /connection broke while reading/],
  ])(
    'an answer that %s: the pages before it, then a clear error in a later payload, not retried',
    async (_what, reset, message) => {
      const rows = Array.from({ length: 25 }, (_, i) => JSON.stringify(largeRow(i))).join(',');
      const head = `{"columns":${JSON.stringify(LARGE_COLUMNS)},"rows":[`;
      const { fake, url } = await gateway([
        { status: 200, headers: JSON_HEADERS, chunks: () => [head, rows, ',[25,"na'], thenReset: reset },
      ]);
      const all = await allPayloads(await postIncremental(url, transport, pagesQuery(10)));
      const { rows: received, errors } = summary(all);
      expect(received).toBe(20);
      expect(errors).toHaveLength(1);
      expect(errors[0]?.code).toBe('UPSTREAM_ERROR');
      expect(errors[0]?.message).toMatch(message);
      expect(all.at(-1)?.hasNext).toBe(false);
      expect(fake.requests).toHaveLength(1);
    },
  );
});

// The child below is `src/main.ts` on its default lane, and a multipart @stream always goes through
// yoga, so the lane this project sets changes nothing in it: it runs once, in the lean project, not
// twice at the same time (two 500 MB streams side by side only add noise to a memory bound).
const onceAcrossLanes = process.env.GATEWAY_LANE === 'yoga';
if (onceAcrossLanes)
  console.info('skipped on the yoga project: the 500 MB process test runs in the lean one');

describe.skipIf(onceAcrossLanes)('the gateway process', () => {
  it('streams a 500 MB answer, sent slowly, to its end in bounded memory (VmHWM)', async () => {
    const fake: FakeUpstream = await fakeUpstream([huge(1)]);
    cleanup.push(() => fake.close());
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
          MAX_STREAM_ROWS: '100000000',
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
    const url = output.match(/open (http:\/\/\S+\/graphql)/)![1]!;
    const peakMB = async () =>
      Number((await readFile(`/proc/${child.pid}/status`, 'utf8')).match(/VmHWM:\s+(\d+)/)![1]) / 1024;
    const before = await peakMB();

    const response = await postIncremental(url, 'multipart', pagesQuery(1000));
    let rows = 0;
    let errors = 0;
    for await (const payload of payloads(response)) {
      const { rows: n, errors: e } = summary([payload]);
      rows += n;
      errors += e.length;
    }
    const after = await peakMB();
    console.info(
      `gateway VmHWM: ${before.toFixed(0)} MB at start, ${after.toFixed(0)} MB after streaming ${rows} rows (${(fake.sent / MB).toFixed(0)} MB)`,
    );
    expect(errors).toBe(0);
    expect(fake.sent).toBeGreaterThan(500 * MB);
    expect(rows).toBeGreaterThan(4_000_000);
    // Held: a few pages. The heap after a GC stays flat (about 26 MB in all, measured in process);
    // what RSS adds is V8's and malloc's slack. Measured growth: 149 MB before request logs, metrics
    // and traces landed; since, 157-206 MB on Node 20 and 232 MB on Node 24 under CI load (to be
    // looked into: see the session note). Holding the answer would take gigabytes.
    expect(after - before).toBeLessThan(256);
  }, 600_000);
});
