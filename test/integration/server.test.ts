/** The gateway as a process: health, readiness, error masking, and `npm start` itself. */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { Readable } from 'node:stream';
import { GraphQLError } from 'graphql';
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { DomoError } from '../../src/domo/errors.ts';
import { exampleQuery } from '../../src/example.ts';
import { ClientError, clientFacingError } from '../../src/graph/errors.ts';
import type { Logger } from '../../src/log.ts';
import { DEMO_DATASETS } from '../../src/sandbox/seed.ts';
import { type Stack, startStack } from '../helpers/stack.ts';

const cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

async function stack(options: Parameters<typeof startStack>[0] = {}): Promise<Stack> {
  const s = await startStack(options);
  cleanup.push(() => s.close());
  return s;
}

describe('/health and /ready', () => {
  it('/health answers 200 without touching the upstream', async () => {
    const s = await stack();
    const before = s.sandbox.requests.length;
    const response = await fetch(`${s.gatewayUrl}/health`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
    expect(s.sandbox.requests.length).toBe(before);
  });

  it('/ready answers 200 while the upstream answers, 503 once it is gone', async () => {
    const s = await stack();
    const up = await fetch(`${s.gatewayUrl}/ready`);
    expect(up.status).toBe(200);
    expect(await up.json()).toEqual({ status: 'ready', upstream: 'sandbox' });

    s.sandbox.server.closeAllConnections();
    await new Promise<void>((resolve) => s.sandbox.server.close(() => resolve()));
    const down = await fetch(`${s.gatewayUrl}/ready`);
    expect(down.status).toBe(503);
    expect(await down.json()).toEqual({ status: 'upstream unreachable', upstream: 'sandbox' });
    // /health still says the process is alive.
    expect((await fetch(`${s.gatewayUrl}/health`)).status).toBe(200);
  });
});

describe('request body limit', () => {
  const query = `{ dataset(id: "${DEMO_DATASETS.sales}") { name } }`;
  const post = (url: string, body: string | Readable) =>
    request(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-domo-developer-token': 'test-token' },
      body,
    });
  // Without a length, undici sends the body chunked: the limit must count it as it streams.
  const chunked = (text: string) =>
    Readable.from(
      (function* () {
        for (let i = 0; i < text.length; i += 100) yield Buffer.from(text.slice(i, i + 100));
      })(),
    );

  it('refuses a body over the limit by its Content-Length or as it streams, and takes one under it', async () => {
    const s = await stack({ maxRequestBodyBytes: 1_000 });
    const big = JSON.stringify({ query, variables: { pad: 'x'.repeat(2_000) } });
    const small = JSON.stringify({ query });

    const byLength = await post(s.gatewayUrl, big);
    expect(byLength.statusCode).toBe(413);
    await byLength.body.text();
    const streamed = await post(s.gatewayUrl, chunked(big));
    expect(streamed.statusCode).toBe(413);
    expect(await streamed.body.text()).toMatch(/Request body too large/);

    for (const body of [small, chunked(small)]) {
      const ok = await post(s.gatewayUrl, body);
      expect(ok.statusCode).toBe(200);
      expect(await ok.body.json()).toEqual({ data: { dataset: { name: 'Sales Transactions' } } });
    }
  });
});

describe('error masking', () => {
  it('masks an unexpected failure and logs it in full on the server only', async () => {
    const logged: Array<{ message: string; fields?: Record<string, unknown> }> = [];
    const logger: Logger = {
      debug() {},
      info() {},
      warn() {},
      error: (message, fields) => logged.push({ message, fields }),
    };
    const s = await stack({ logger });
    const path = `/api/data/v3/datasources/${DEMO_DATASETS.sales}`;
    // Domo sends a creation date the DateTime scalar cannot serialize: nothing a client can act on.
    s.sandbox.inject({
      path,
      status: 200,
      body: { id: DEMO_DATASETS.sales, name: 'x', created: 'not-a-date' },
    });
    const res = await s.gql(`{ dataset(id: "${DEMO_DATASETS.sales}") { name created } }`);
    expect(res.errors).toHaveLength(1);
    expect(res.errors?.[0]?.message).toBe('Unexpected error.');
    expect(JSON.stringify(res.errors)).not.toMatch(/not-a-date|DateTime/);
    expect(res.data).toEqual({ dataset: { name: 'x', created: null } });
    expect(logged.map((l) => l.message)).toContain('unexpected error');
    expect(JSON.stringify(logged)).toMatch(/DateTime/);
  });

  it('logs outcomes a client can act on below error level, and Domo failures as warnings', async () => {
    const logged: Array<{ level: string; message: string; fields?: Record<string, unknown> }> = [];
    const at = (level: string) => (message: string, fields?: Record<string, unknown>) =>
      logged.push({ level, message, fields });
    const s = await stack({
      logger: { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') },
      maxRetries: 0,
    });
    await s.gql('{ dataset(id: "00000000-0000-4000-8000-000000000000") { name } }');
    await s.gql('{ datasets(first: 5000) { totalCount } }');
    s.sandbox.inject({ path: /datasources/, status: 503 });
    await s.gql(`{ dataset(id: "${DEMO_DATASETS.sales}") { name } }`);
    expect(logged.filter((l) => l.level === 'error')).toEqual([]);
    expect(logged.filter((l) => l.message === 'graphql error').map((l) => [l.level, l.fields?.code])).toEqual(
      [
        ['debug', 'NOT_FOUND'],
        ['debug', 'BAD_USER_INPUT'],
        ['warn', 'UPSTREAM_ERROR'],
      ],
    );
  });

  it('clientFacingError keeps client errors, maps Domo errors, and masks the rest', () => {
    const domo = new DomoError({
      kind: 'not_found',
      status: 404,
      message: 'DataSource x not found',
      method: 'GET',
      path: '/api/data/v3/datasources/x',
      toe: 'T-1',
    });
    expect(clientFacingError(domo)?.extensions).toEqual({
      code: 'NOT_FOUND',
      upstreamStatus: 404,
      toe: 'T-1',
    });
    const located = new GraphQLError('wrapped', { originalError: domo, path: ['dataset'] });
    expect(clientFacingError(located)?.path).toEqual(['dataset']);

    const input = new ClientError('BAD_USER_INPUT', 'first must be at most 50', { field: 'first' });
    expect(clientFacingError(input)).toBe(input);
    const locatedInput = new GraphQLError(input.message, { originalError: input, path: ['datasets'] });
    expect(clientFacingError(locatedInput)).toMatchObject({
      message: 'first must be at most 50',
      path: ['datasets'],
      extensions: { code: 'BAD_USER_INPUT', field: 'first' },
    });

    // Parse and validation errors carry no original error and are safe to show.
    const validation = new GraphQLError('Cannot query field "nope" on type "Query".');
    expect(clientFacingError(validation)).toBe(validation);

    expect(clientFacingError(new Error('secret detail'))).toBeUndefined();
    expect(clientFacingError(new TypeError('x is undefined'))).toBeUndefined();
    expect(
      clientFacingError(new GraphQLError('wrapped', { originalError: new Error('secret') })),
    ).toBeUndefined();
  });

  it('upstream timeouts and errors name the request without query string or token', async () => {
    const error = clientFacingError(
      new DomoError({
        kind: 'timeout',
        message: 'Domo timed out (waiting for headers)',
        method: 'GET',
        path: '/p',
      }),
    );
    expect(error?.message).toBe('Domo request failed: Domo timed out (waiting for headers) (GET /p)');
    expect(error?.extensions).toEqual({ code: 'UPSTREAM_TIMEOUT' });
  });
});

describe('npm start (src/main.ts)', () => {
  const tsx = 'node_modules/.bin/tsx';

  const run = (env: Record<string, string>): ChildProcess =>
    spawn(tsx, ['src/main.ts'], {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });

  const output = (child: ChildProcess) => {
    const text = { stdout: '', stderr: '' };
    child.stdout?.on('data', (chunk) => {
      text.stdout += chunk;
    });
    child.stderr?.on('data', (chunk) => {
      text.stderr += chunk;
    });
    return text;
  };

  it.each([
    [{ DOMO_INSTANCE: 'evil.com/x' }, /configuration error: DOMO_INSTANCE must be the instance name only/],
    [{ PORT: 'eighty' }, /configuration error: PORT must be a whole number from 0 to 65535/],
    [{ DOMO_DEVELOPER_TOKEN: 'tok-123' }, /configuration error: a Domo token is set but no DOMO_INSTANCE/],
  ])('refuses %j with a clear message and a non-zero exit', async (env, message) => {
    const child = run(env);
    const text = output(child);
    const [code] = await once(child, 'exit');
    expect(code).toBe(1);
    expect(text.stderr.trim()).toMatch(message);
    expect(text.stderr.split('\n').filter(Boolean)).toHaveLength(1);
    expect(text.stderr + text.stdout).not.toContain('tok-123');
  });

  it('starts the sandbox and the gateway, prints the URL, serves GraphiQL and the example, stops on SIGTERM', async () => {
    const child = run({ PORT: '0', SANDBOX_PORT: '0', SANDBOX_LARGE_ROWS: '100', LOG_LEVEL: 'warn' });
    cleanup.push(() => {
      if (child.exitCode === null) child.kill('SIGKILL');
    });
    const text = output(child);
    await expect
      // Starting tsx, DuckDB and the sandbox takes seconds, and much longer on a busy machine.
      .poll(() => text.stdout, { timeout: 60_000 })
      .toMatch(/open http:\/\/127\.0\.0\.1:\d+\/graphql/);
    const url = text.stdout.match(/open (http:\/\/127\.0\.0\.1:\d+\/graphql)/)![1]!;

    const page = await fetch(url, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('domo-graph');
    expect(html).toContain(DEMO_DATASETS.sales);

    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: exampleQuery }),
    });
    const body = (await response.json()) as { data?: { dataset?: { name?: string } }; errors?: unknown };
    expect(body.errors).toBeUndefined();
    expect(body.data?.dataset?.name).toBe('Sales Transactions');

    child.kill('SIGTERM');
    const [code] = await once(child, 'exit');
    expect(code).toBe(0);
  }, 90_000);
});
