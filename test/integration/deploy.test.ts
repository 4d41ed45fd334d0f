/**
 * The scale-out of compose.yaml without Docker: deploy/nginx.conf itself, run by Debian's nginx,
 * in front of two real gateways sharing the real sandbox. Only what Docker's network provides is
 * rewritten: the replicas' host names become their loopback ports, the listen port a free one.
 * Requests are spread over both replicas, and when one stops the other serves every request.
 * `.ci/run` installs nginx when missing; CI_REQUIRE_NGINX=1 makes its absence a failure.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_DATASETS } from '../../src/sandbox/seed.ts';
import { GATEWAY_NODE_FLAGS } from '../helpers/node-flags.ts';
import { authHeader, type Stack, startStack } from '../helpers/stack.ts';

const ROOT = new URL('../..', import.meta.url).pathname;
const conf = readFileSync(join(ROOT, 'deploy/nginx.conf'), 'utf8');
const compose = readFileSync(join(ROOT, 'compose.yaml'), 'utf8');

const nginx = (() => {
  try {
    execFileSync('nginx', ['-v'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
if (!nginx && process.env.CI_REQUIRE_NGINX === '1') throw new Error('nginx is required (CI_REQUIRE_NGINX=1)');

const upstreams = [...conf.matchAll(/^\s*server ([\w-]+):4000\b/gm)].map((m) => m[1]!);

describe('compose.yaml and deploy/nginx.conf agree', () => {
  it('every gateway service of compose.yaml is an nginx upstream, and nothing else is', () => {
    const services = [...compose.matchAll(/^ {2}(gateway-\d+):\s*$/gm)].map((m) => m[1]!);
    expect(services.length).toBeGreaterThanOrEqual(2);
    expect(upstreams).toEqual(services);
    // The image runs on Node 24, the current LTS.
    const image = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
    expect([...image.matchAll(/^FROM (\S+)/gm)].map((m) => m[1])).toEqual([
      'node:24-bookworm-slim',
      'node:24-bookworm-slim',
    ]);
    // The memory tests start the gateway with the image's V8 flags.
    expect(image).toContain(
      `CMD ["node", ${GATEWAY_NODE_FLAGS.map((f) => `"${f}"`).join(', ')}, "dist/main.js"]`,
    );
  });
});

const freePort = async () => {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
};

describe.skipIf(!nginx)('deploy/nginx.conf in front of two gateways', () => {
  let first: Stack;
  let second: Stack;
  let dir: string;
  let proxy: ChildProcess;
  let url: string;
  let log = '';
  let stopped = false;

  beforeAll(async () => {
    first = await startStack();
    second = await startStack({ sharedSandbox: first.sandbox });
    dir = await mkdtemp(join(tmpdir(), 'domo-graph-nginx-'));
    const port = await freePort();
    const replicas = [first, second].map((s) => new URL(s.gatewayUrl).host);
    let rewritten = conf.replace(/listen 8080;/, `listen 127.0.0.1:${port};`);
    upstreams.forEach((name, i) => {
      rewritten = rewritten.replace(`server ${name}:4000`, `server ${replicas[i % replicas.length]}`);
    });
    await writeFile(join(dir, 'nginx.conf'), rewritten);
    const root = process.getuid?.() === 0 ? ' user root;' : '';
    proxy = spawn(
      'nginx',
      [
        '-p',
        dir,
        '-c',
        join(dir, 'nginx.conf'),
        '-e',
        'stderr',
        '-g',
        `daemon off; pid ${dir}/nginx.pid;${root}`,
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    proxy.stderr?.on('data', (chunk) => {
      log += chunk;
    });
    url = `http://127.0.0.1:${port}`;
    // Until nginx listens (or exits, which the log then says).
    for (let i = 0; i < 200 && proxy.exitCode === null; i++) {
      if ((await fetch(`${url}/health`).catch(() => undefined))?.status === 200) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`nginx did not start: ${log}`);
  }, 60_000);

  afterAll(async () => {
    if (proxy && proxy.exitCode === null) {
      proxy.kill('SIGTERM');
      await once(proxy, 'exit');
    }
    if (!stopped) await second?.close();
    await first?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const ask = () =>
    fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...authHeader() },
      body: JSON.stringify({ query: `{ dataset(id: "${DEMO_DATASETS.sales}") { name } }` }),
    }).then(async (r) => ({ status: r.status, body: (await r.json()) as { data?: unknown } }));

  it('spreads requests over both replicas, then serves everything from one when the other stops', async () => {
    const before = [first.attempts.length, second.attempts.length];
    for (let i = 0; i < 6; i++) {
      const answer = await ask();
      expect(answer.status, log).toBe(200);
      expect(answer.body.data).toEqual({ dataset: { name: expect.any(String) } });
    }
    expect(first.attempts.length).toBeGreaterThan(before[0]!);
    expect(second.attempts.length).toBeGreaterThan(before[1]!);

    // The second replica stops (its sandbox is the first's, which stays): nginx's connections to
    // it are refused, and it sends every request to the first.
    await second.close();
    stopped = true;
    const served = first.attempts.length;
    for (let i = 0; i < 4; i++) {
      const answer = await ask();
      expect(answer.status, log).toBe(200);
    }
    expect(first.attempts.length).toBeGreaterThanOrEqual(served + 4);
  }, 60_000);
});
