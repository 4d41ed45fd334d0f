/**
 * What the gateway costs per request: `{ dataset(id) { name rowCount } }` through the gateway (one
 * upstream GET each, the loader's single-id path) against the same REST GET sent straight to the
 * sandbox. Same number of requests, same concurrency, loopback only.
 *
 * The sandbox and the gateway run as child processes (`npm run sandbox`, and `npm start` pointed at
 * that sandbox with DOMO_BASE_URL), as they run for real: each has its own event loop, so the load
 * generator here does not steal the gateway's CPU, and /proc gives each process's CPU time.
 *
 *   npm run bench -- overhead [--requests=5000] [--concurrency=16]
 *
 * To profile the gateway under this load, pass node flags to its process only, e.g.
 *   GATEWAY_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" npm run bench -- overhead
 */
import { Agent, request } from 'undici';
import { DEMO_DATASETS } from '../src/sandbox/seed.ts';
import { cpuMs, intArg, type LoadResult, runLoad, startScript } from './lib/load.ts';

const REQUESTS = intArg('requests', 5_000);
const CONCURRENCY = intArg('concurrency', 16);
const WARMUP = Math.min(1_000, REQUESTS);
const TOKEN = 'bench-token';
const ID = DEMO_DATASETS.sales;

const sandbox = await startScript(
  'src/sandbox/main.ts',
  { SANDBOX_PORT: '0', SANDBOX_TOKEN: TOKEN, SANDBOX_LARGE_ROWS: '1000' },
  /listening on (http:\/\/\S+)/,
);
const sandboxUrl = sandbox.match[1]!;
const gateway = await startScript(
  'src/main.ts',
  // No response cache: the figure is the gateway's overhead per call, not a cache's hit rate.
  {
    PORT: '0',
    DOMO_BASE_URL: sandboxUrl,
    DOMO_DEVELOPER_TOKEN: TOKEN,
    LOG_LEVEL: 'warn',
    CACHE_ENABLED: 'false',
  },
  /open (http:\/\/\S+\/graphql)/,
  process.env.GATEWAY_NODE_ARGS?.split(/\s+/).filter(Boolean) ?? [],
);
const graphqlUrl = gateway.match[1]!;

const agent = new Agent({ connections: CONCURRENCY, keepAliveTimeout: 30_000 });
const restPath = `${sandboxUrl}/api/data/v3/datasources/${ID}`;
const body = JSON.stringify({ query: `{ dataset(id: "${ID}") { name rowCount } }` });

async function rest(): Promise<void> {
  const res = await request(restPath, { dispatcher: agent, headers: { 'x-domo-developer-token': TOKEN } });
  const text = await res.body.text();
  if (res.statusCode !== 200 || !text.includes('"rowCount"'))
    throw new Error(`REST ${res.statusCode}: ${text}`);
}

async function graphql(): Promise<void> {
  const res = await request(graphqlUrl, {
    method: 'POST',
    dispatcher: agent,
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body,
  });
  const text = await res.body.text();
  if (res.statusCode !== 200 || !text.includes('"rowCount":1000')) {
    throw new Error(`GraphQL ${res.statusCode}: ${text}`);
  }
}

async function measure(label: string, send: () => Promise<void>) {
  await runLoad(WARMUP, CONCURRENCY, send);
  const before = { gateway: await cpuMs(gateway.child.pid), sandbox: await cpuMs(sandbox.child.pid) };
  const result = await runLoad(REQUESTS, CONCURRENCY, send);
  const after = { gateway: await cpuMs(gateway.child.pid), sandbox: await cpuMs(sandbox.child.pid) };
  const perRequest = (a?: number, b?: number) =>
    a === undefined || b === undefined ? undefined : ((b - a) * 1000) / REQUESTS;
  return {
    label,
    result,
    gatewayCpuUs: perRequest(before.gateway, after.gateway),
    sandboxCpuUs: perRequest(before.sandbox, after.sandbox),
  };
}

const fmt = (n: number | undefined, digits = 0) => (n === undefined ? 'n/a' : n.toFixed(digits));
const line = (m: { label: string; result: LoadResult; gatewayCpuUs?: number; sandboxCpuUs?: number }) =>
  `${m.label.padEnd(28)} ${fmt(m.result.perSecond).padStart(7)} req/s   p50 ${fmt(m.result.p50, 2)} ms   p99 ${fmt(
    m.result.p99,
    2,
  )} ms   CPU/request: gateway ${fmt(m.gatewayCpuUs)} µs, sandbox ${fmt(m.sandboxCpuUs)} µs`;

try {
  process.stdout.write(
    `${REQUESTS} requests at concurrency ${CONCURRENCY} (after ${WARMUP} warm-up), node ${process.version}\n`,
  );
  const direct = await measure('REST straight to sandbox', rest);
  process.stdout.write(`${line(direct)}\n`);
  const through = await measure('GraphQL through gateway', graphql);
  process.stdout.write(`${line(through)}\n`);
  process.stdout.write(
    `ratio gateway/direct throughput: ${(through.result.perSecond / direct.result.perSecond).toFixed(2)}\n`,
  );
} finally {
  await agent.close();
  await gateway.stop();
  await sandbox.stop();
}
