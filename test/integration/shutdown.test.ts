/**
 * Bounded connections and shutdown: slow and idle sockets are closed by the gateway's own server,
 * and a drain (SIGTERM) turns /ready to 503 at once, refuses new work, lets running work finish
 * within SHUTDOWN_TIMEOUT_MS and then cuts it; the real process always exits, and refuses to start
 * without Domo in production or with an unknown setting.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createDispatcher, DomoHttp } from '../../src/domo/http.ts';
import { silentLogger } from '../../src/log.ts';
import { DEMO_DATASETS } from '../../src/sandbox/seed.ts';
import { createGateway } from '../../src/server.ts';
import { fakeUpstream } from '../helpers/fake-upstream.ts';
import { testLane } from '../helpers/lane.ts';
import { authHeader, type Stack, startStack } from '../helpers/stack.ts';

const SALES = DEMO_DATASETS.sales;
const QUERY = `{ dataset(id: "${SALES}") { name } }`;

const cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

async function stack(options: Parameters<typeof startStack>[0] = {}): Promise<Stack> {
  const s = await startStack(options);
  cleanup.push(() => s.close());
  return s;
}

/** A raw TCP socket to the gateway, with what it received and whether the gateway closed it. */
async function rawSocket(url: string) {
  const { hostname, port } = new URL(url);
  const socket: Socket = connect(Number(port), hostname);
  await once(socket, 'connect');
  const state = { received: '', closed: false };
  socket.on('data', (chunk) => {
    state.received += chunk;
  });
  socket.on('error', () => {});
  socket.on('close', () => {
    state.closed = true;
  });
  cleanup.push(() => {
    socket.destroy();
  });
  return { socket, state };
}

const post = (url: string, query = QUERY) =>
  fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...authHeader() },
    body: JSON.stringify({ query }),
  });

describe('slow and idle sockets', () => {
  const server = { headersTimeoutMs: 300, requestTimeoutMs: 600, keepAliveTimeoutMs: 200 };

  it('closes a socket that sends half the headers and stalls', async () => {
    const s = await stack({ server });
    const { socket, state } = await rawSocket(s.gatewayUrl);
    socket.write('POST /graphql HTTP/1.1\r\nHost: localhost\r\nContent-Type: appl');
    await expect.poll(() => state.closed, { timeout: 10_000 }).toBe(true);
    expect(state.received).toMatch(/^HTTP\/1\.1 408/);
  });

  it('closes a socket that sends its body a byte at a time (slowloris)', async () => {
    const s = await stack({ server });
    const before = s.sandbox.requests.length;
    const { socket, state } = await rawSocket(s.gatewayUrl);
    const body = JSON.stringify({ query: QUERY });
    socket.write(
      `POST /graphql HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nX-DOMO-Developer-Token: x\r\nContent-Length: ${body.length}\r\n\r\n`,
    );
    let sent = 0;
    const drip = setInterval(() => {
      if (!state.closed && sent < body.length) socket.write(body[sent++]!);
    }, 50);
    cleanup.push(() => clearInterval(drip));
    await expect.poll(() => state.closed, { timeout: 10_000 }).toBe(true);
    // Cut before the body was whole: the operation never ran.
    expect(sent).toBeLessThan(body.length);
    expect(s.sandbox.requests.length).toBe(before);
  });

  it('closes an idle keep-alive socket, and a socket past maxRequestsPerSocket', async () => {
    const s = await stack({ server: { ...server, maxRequestsPerSocket: 2 } });
    const { socket, state } = await rawSocket(s.gatewayUrl);
    socket.write('GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n');
    await expect.poll(() => state.received, { timeout: 5_000 }).toMatch(/\{"status":"ok"\}/);
    expect(state.received).toMatch(/Keep-Alive: timeout=/i);
    await expect.poll(() => state.closed, { timeout: 10_000 }).toBe(true);

    const second = await rawSocket(s.gatewayUrl);
    second.socket.write(
      'GET /health HTTP/1.1\r\nHost: localhost\r\n\r\nGET /health HTTP/1.1\r\nHost: localhost\r\n\r\n',
    );
    await expect
      .poll(() => second.state.received.split('{"status":"ok"}').length, { timeout: 5_000 })
      .toBe(3);
    expect(second.state.received).toMatch(/Connection: close/i);
  });
});

describe('drain', () => {
  it('answers /ready 503 at once, refuses new work with SHUTTING_DOWN, and lets running work finish', async () => {
    const s = await stack();
    s.sandbox.inject({
      method: 'GET',
      path: `/api/data/v3/datasources/${SALES}`,
      status: 200,
      delayMs: 400,
      body: { id: SALES, name: 'Slow' },
    });
    const running = post(s.gatewayUrl);
    await expect.poll(() => s.sandbox.requests.length, { timeout: 5_000 }).toBeGreaterThan(0);
    const drained = s.gateway.drain(20_000);

    const ready = await fetch(`${s.gatewayUrl}/ready`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toEqual({ status: 'shutting down', upstream: 'sandbox' });
    const refused = await post(s.gatewayUrl);
    expect(refused.status).toBe(503);
    expect(refused.headers.get('connection')).toBe('close');
    const body = (await refused.json()) as { errors: Array<{ extensions: { code: string } }> };
    expect(body.errors[0]!.extensions.code).toBe('SHUTTING_DOWN');
    // /health still says the process is alive.
    expect((await fetch(`${s.gatewayUrl}/health`)).status).toBe(200);

    const answer = await running;
    expect(answer.status).toBe(200);
    expect(await answer.json()).toEqual({ data: { dataset: { name: 'Slow' } } });
    expect(await drained).toEqual({ cut: 0 });
    // Closed: no more connections.
    await expect(fetch(`${s.gatewayUrl}/health`)).rejects.toThrow();
  });

  it('answers a readiness probe still waiting on the upstream with 503 when the drain starts', async () => {
    const { url, gateway, fake } = await hangingGateway();
    const probe = fetch(`${url}/ready`);
    await expect.poll(() => fake.requests.length, { timeout: 5_000 }).toBe(1);
    const drained = gateway.drain(5_000);
    const ready = await probe;
    expect(ready.status).toBe(503);
    expect(await ready.json()).toEqual({ status: 'shutting down', upstream: 'domo' });
    expect(await drained).toEqual({ cut: 0 });
  });

  it('cuts running work at the timeout, cancelling its upstream call', async () => {
    const { url, gateway, fake } = await hangingGateway();
    const running = post(url).then(
      (r) => r.status,
      () => 'cut',
    );
    await expect.poll(() => fake.requests.length, { timeout: 5_000 }).toBe(1);
    const { cut } = await gateway.drain(200);
    expect(cut).toBe(1);
    expect(await running).toBe('cut');
    // The upstream call was abandoned, not left running.
    await expect.poll(() => fake.abandoned, { timeout: 5_000 }).toBe(1);
  });
});

/** A gateway (on its own, not the sandbox) whose upstream accepts every request and never answers. */
async function hangingGateway() {
  const fake = await fakeUpstream([{ hang: true }]);
  cleanup.push(() => fake.close());
  const dispatcher = createDispatcher({ connectTimeoutMs: 5_000, connections: 4 });
  cleanup.push(() => dispatcher.destroy());
  const http = new DomoHttp({
    baseUrl: fake.url,
    dispatcher,
    headersTimeoutMs: 60_000,
    bodyTimeoutMs: 60_000,
    retry: { maxRetries: 0, baseMs: 1, maxDelayMs: 1 },
  });
  const gateway = createGateway({
    config: {
      lane: testLane(),
      serverCredentials: { kind: 'developer', token: 'x' },
      upstream: { ...upstreamDefaults },
      maxPageSize: 50,
      maxQueryRows: 100,
    },
    http,
    logger: silentLogger,
  });
  gateway.server.listen(0, '127.0.0.1');
  await once(gateway.server, 'listening');
  const url = `http://127.0.0.1:${(gateway.server.address() as { port: number }).port}`;
  cleanup.push(() => gateway.drain(0).then(() => undefined));
  return { url, gateway, fake };
}

const upstreamDefaults = {
  connectTimeoutMs: 5_000,
  headersTimeoutMs: 60_000,
  bodyTimeoutMs: 60_000,
  maxRetries: 0,
  retryBaseMs: 1,
  retryMaxDelayMs: 1,
  connections: 4,
  maxConcurrencyPerRequest: 4,
  maxCallsPerRequest: 50,
};

describe('the real process (src/main.ts)', () => {
  const run = (
    env: Record<string, string>,
  ): { child: ChildProcess; text: { stdout: string; stderr: string } } => {
    // node itself with tsx's loader, as the image runs `node dist/main.js`: the tsx CLI would put a
    // relaying parent between the signal and the gateway.
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    cleanup.push(() => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    });
    const text = { stdout: '', stderr: '' };
    child.stdout?.on('data', (chunk) => {
      text.stdout += chunk;
    });
    child.stderr?.on('data', (chunk) => {
      text.stderr += chunk;
    });
    return { child, text };
  };

  it('turns /ready 503, refuses new work, cuts a hung request after SHUTDOWN_TIMEOUT_MS and exits', async () => {
    const fake = await fakeUpstream([{ hang: true }]);
    cleanup.push(() => fake.close());
    const { child, text } = run({
      PORT: '0',
      DOMO_BASE_URL: fake.url,
      DOMO_DEVELOPER_TOKEN: 'server-token',
      SHUTDOWN_TIMEOUT_MS: '1500',
      LOG_LEVEL: 'warn',
    });
    const exited = once(child, 'exit');
    await expect
      .poll(() => text.stdout, { timeout: 60_000 })
      .toMatch(/open http:\/\/127\.0\.0\.1:\d+\/graphql/);
    const url = text.stdout.match(/open (http:\/\/127\.0\.0\.1:\d+)\/graphql/)![1]!;

    const hung = post(url).then(
      (r) => r.status,
      () => 'cut',
    );
    await expect
      .poll(() => fake.requests.some((r) => r.url.includes('/datasources/')), { timeout: 10_000 })
      .toBe(true);
    child.kill('SIGTERM');

    await expect
      .poll(async () => (await fetch(`${url}/ready`).catch(() => undefined))?.status, { timeout: 5_000 })
      .toBe(503);
    const refused = await post(url).catch(() => undefined);
    // Refused with a code while draining (or, past the drain, the socket is already closed).
    if (refused) expect(refused.status).toBe(503);

    const [code] = await exited;
    expect(code).toBe(0);
    expect(await hung).toBe('cut');
    expect(text.stderr).toMatch(/requests cut at shutdown/);
    expect(text.stderr + text.stdout).not.toContain('server-token');
  }, 120_000);

  it('lets a request running at SIGTERM finish with its answer, then exits 0', async () => {
    // An upstream that holds every answer until the test lets it go: the request is in flight for
    // as long as the test needs, with no timing involved.
    const held: ServerResponse[] = [];
    const upstream = createServer((req, res) => {
      req.resume();
      held.push(res);
    });
    upstream.listen(0, '127.0.0.1');
    await once(upstream, 'listening');
    cleanup.push(
      () =>
        new Promise<void>((resolve) => {
          upstream.closeAllConnections();
          upstream.close(() => resolve());
        }),
    );
    const { child, text } = run({
      PORT: '0',
      DOMO_BASE_URL: `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`,
      DOMO_DEVELOPER_TOKEN: 'server-token',
      SHUTDOWN_TIMEOUT_MS: '60000',
      LOG_LEVEL: 'warn',
    });
    const exited = once(child, 'exit');
    await expect
      .poll(() => text.stdout, { timeout: 60_000 })
      .toMatch(/open http:\/\/127\.0\.0\.1:\d+\/graphql/);
    const url = text.stdout.match(/open (http:\/\/127\.0\.0\.1:\d+)\/graphql/)![1]!;

    const running = post(url).then(async (r) => ({ status: r.status, body: await r.json() }));
    await expect.poll(() => held.length, { timeout: 10_000 }).toBe(1);
    child.kill('SIGTERM');
    await expect
      .poll(async () => (await fetch(`${url}/ready`).catch(() => undefined))?.status, { timeout: 5_000 })
      .toBe(503);
    expect(child.exitCode).toBeNull();

    held[0]!.writeHead(200, { 'content-type': 'application/json' });
    held[0]!.end(
      JSON.stringify({ id: SALES, name: 'Held sales', rows: 1, columns: 1, schema: { columns: [] } }),
    );
    expect(await running).toEqual({ status: 200, body: { data: { dataset: { name: 'Held sales' } } } });
    const [code] = await exited;
    expect(code).toBe(0);
    expect(text.stderr).not.toMatch(/requests cut at shutdown/);
  }, 120_000);

  it('says in its log and on /ready that the upstream is the sandbox, and exits at once when idle', async () => {
    const { child, text } = run({
      PORT: '0',
      SANDBOX_PORT: '0',
      SANDBOX_LARGE_ROWS: '10',
      LOG_LEVEL: 'warn',
    });
    const exited = once(child, 'exit');
    await expect.poll(() => text.stdout, { timeout: 60_000 }).toMatch(/open http/);
    // Every stderr line is JSON (pino), the warning among them.
    const lines = text.stderr
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines).toContainEqual(
      expect.objectContaining({
        level: 'warn',
        message: 'upstream is the built-in sandbox (demo data, not Domo)',
      }),
    );
    const url = text.stdout.match(/open (http:\/\/127\.0\.0\.1:\d+)\/graphql/)![1]!;
    const ready = await fetch(`${url}/ready`);
    expect(await ready.json()).toEqual({ status: 'ready', upstream: 'sandbox' });
    child.kill('SIGTERM');
    const [code] = await exited;
    expect(code).toBe(0);
  }, 120_000);

  it.each([
    [
      { NODE_ENV: 'production' },
      /configuration error: no Domo is configured: set DOMO_INSTANCE .*SANDBOX=true/,
    ],
    [
      { NODE_ENV: 'production', DOMO_INSTANC: 'acme' },
      /unknown setting: DOMO_INSTANC \(did you mean DOMO_INSTANCE\?\)/,
    ],
    [{ DOMO_INSTANC: 'acme' }, /unknown setting: DOMO_INSTANC \(did you mean DOMO_INSTANCE\?\)/],
  ])(
    'refuses to start with %j, in one line, exit code 1',
    async (env, message) => {
      const { child, text } = run({ PORT: '0', SANDBOX_PORT: '0', ...env });
      const [code] = await once(child, 'exit');
      expect(code).toBe(1);
      expect(text.stderr.trim()).toMatch(message);
      expect(text.stderr.trim().split('\n')).toHaveLength(1);
    },
    120_000,
  );
});
