/**
 * A real redis-server for tests: on a free loopback port (redis takes no port 0, so one is found by
 * binding a socket first), no persistence, stopped after. `redisMissing` says why tests must skip;
 * CI_REQUIRE_REDIS=1 (set by .ci/run, which installs Debian's redis-server) turns the skip into a
 * failure, so CI never skips them.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer, Socket } from 'node:net';

function findRedis(): string | undefined {
  try {
    return execFileSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

const binary = findRedis();
const required = process.env.CI_REQUIRE_REDIS === '1';

/** Why Redis tests cannot run here (printed once by the file), or undefined when they can. */
export const redisMissing: string | undefined =
  binary || required
    ? undefined
    : 'redis-server is not installed (apt-get install -y redis-server): Redis tests skipped';

export interface RedisServer {
  url: string;
  port: number;
  /** Kills it (SIGKILL): Redis going away mid-run. */
  kill(): Promise<void>;
  /** Starts it again on the same port, empty. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function waitForPort(port: number, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = new Socket();
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
      socket.connect(port, '127.0.0.1');
    });
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`redis-server did not listen on ${port} within ${timeoutMs} ms`);
}

export async function startRedis(): Promise<RedisServer> {
  if (!binary) throw new Error('redis-server is not installed, and CI_REQUIRE_REDIS=1 requires it');
  const port = await freePort();
  let child: ChildProcess | undefined;
  const start = async () => {
    child = spawn(
      binary,
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
        '--protected-mode',
        'yes',
      ],
      { stdio: 'ignore' },
    );
    await waitForPort(port);
  };
  const kill = async () => {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null) return;
    const exited = once(running, 'exit');
    running.kill('SIGKILL');
    await exited;
  };
  await start();
  return { url: `redis://127.0.0.1:${port}`, port, kill, restart: start, stop: kill };
}

/** Until the gateway's /ready says 200: its Redis connection is up (requests before it go without Redis). */
export async function untilReady(gatewayUrl: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if ((await fetch(`${gatewayUrl}/ready`)).status === 200) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${gatewayUrl}/ready did not answer 200 within ${timeoutMs} ms`);
}
