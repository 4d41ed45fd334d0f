/**
 * `npm run bench -- soak [-- --minutes=2 --clients=8 --cooldown=30 --faults=3]`: a bounded soak.
 *
 * A sandbox, a fault-injecting proxy in front of it (this process) and a gateway (`src/main.ts`,
 * pointed at the proxy) in processes of their own. C clients send a mix of metadata reads, SQL,
 * rows without SQL and small appends for N minutes; the proxy answers `--faults` percent of the
 * upstream calls with a 503, a 429 (`Retry-After: 0`) or a connection reset instead of passing them
 * on. Prints answers and errors by code, p50/p99 latency, and the gateway's RSS and heap read from
 * its own `/metrics` at the start, at the end of the load and after the cool-down. Exits 1 when the
 * RSS after the cool-down is more than 20% above the start (the bound).
 */
import { once } from 'node:events';
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DEMO_DATASETS } from '../src/sandbox/seed.ts';
import { intArg, startScript } from './lib/load.ts';

const minutes = intArg('minutes', 2);
const clients = intArg('clients', 8);
const cooldownSeconds = intArg('cooldown', 30);
const faultPercent = Number(process.argv.find((a) => a.startsWith('--faults='))?.split('=')[1] ?? 3);
if (!(faultPercent >= 0 && faultPercent <= 50)) throw new Error('--faults must be 0 to 50 (percent)');

const TOKEN = 'soak-token';
const METRICS_TOKEN = 'soak-metrics-token-0123';

const sandbox = await startScript(
  'src/sandbox/main.ts',
  { SANDBOX_PORT: '0', SANDBOX_TOKEN: TOKEN },
  /listening on (http:\/\/\S+)/,
);
const upstream = new URL(sandbox.match[1]!);

// The fault proxy: a seeded generator, so two runs inject the same sequence of faults.
let seed = 0x5eed;
const random = () => {
  seed = (seed * 1103515245 + 12345) & 0x7fffffff;
  return seed / 0x7fffffff;
};
const injected = { '503': 0, '429': 0, reset: 0 };
const proxy = createServer((req: IncomingMessage, res: ServerResponse) => {
  const roll = random() * 100;
  if (roll < faultPercent) {
    const kind = roll < faultPercent / 3 ? '503' : roll < (2 * faultPercent) / 3 ? '429' : 'reset';
    injected[kind]++;
    req.resume();
    if (kind === 'reset') {
      req.socket.destroy();
      return;
    }
    res.writeHead(Number(kind), { 'content-type': 'application/json', 'retry-after': '0' });
    res.end(JSON.stringify({ status: Number(kind), statusReason: 'injected by bench/soak' }));
    return;
  }
  const forward = httpRequest(
    { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers },
    (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    },
  );
  forward.on('error', () => res.destroy());
  req.pipe(forward);
});
proxy.listen(0, '127.0.0.1');
await once(proxy, 'listening');
const proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;

const gateway = await startScript(
  'src/main.ts',
  {
    PORT: '0',
    DOMO_BASE_URL: proxyUrl,
    DOMO_DEVELOPER_TOKEN: TOKEN,
    LOG_LEVEL: 'warn',
    METRICS_TOKEN,
    DOMO_RETRY_BASE_MS: '20',
  },
  /open (http:\/\/\S+)\/graphql/,
);
const gatewayUrl = gateway.match[1]!;

async function memory(): Promise<{ rss: number; heap: number }> {
  const text = await (
    await fetch(`${gatewayUrl}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })
  ).text();
  const value = (name: string) => Number(text.match(new RegExp(`^${name} (\\S+)`, 'm'))?.[1] ?? Number.NaN);
  return {
    rss: value('domo_graph_process_resident_memory_bytes') / 2 ** 20,
    heap: value('domo_graph_nodejs_heap_size_used_bytes') / 2 ** 20,
  };
}

const { sales, customers, staging } = DEMO_DATASETS;
const regions = ['North', 'South', 'East', 'West'];
const mix: Array<() => { query: string; variables?: Record<string, unknown> }> = [
  () => ({ query: `{ dataset(id: "${customers}") { name rowCount columnCount } }` }),
  () => ({ query: `{ datasets(first: 5) { totalCount edges { node { name rowCount } } } }` }),
  () => ({
    query: 'query ($sql: String!) { sql(datasetId: "' + sales + '", sql: $sql) { rowCount truncated } }',
    variables: {
      sql: `SELECT region, COUNT(*) AS n FROM table WHERE quantity > ${Math.floor(random() * 20)} GROUP BY region`,
    },
  }),
  () => ({
    query:
      'query ($r: JSON!) { dataset(id: "' +
      sales +
      '") { rows(first: 20, where: { column: "region", eq: $r }) { nodes } } }',
    variables: { r: regions[Math.floor(random() * regions.length)] },
  }),
  () => ({
    query:
      'mutation ($rows: [JSONObject!]!) { appendRows(datasetId: "' +
      staging +
      '", rows: $rows, index: false) { rows } }',
    variables: { rows: [{ id: Math.floor(random() * 1e6), payload: 'soak' }] },
  }),
];

const codes = new Map<string, number>();
const count = (code: string) => codes.set(code, (codes.get(code) ?? 0) + 1);
const latencies: number[] = [];

async function client(until: number) {
  while (performance.now() < until) {
    const body = mix[Math.floor(random() * mix.length)]!();
    const start = performance.now();
    try {
      const res = await fetch(`${gatewayUrl}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      const answer = (await res.json()) as { errors?: Array<{ extensions?: { code?: string } }> };
      if (answer.errors?.length) for (const e of answer.errors) count(e.extensions?.code ?? 'NO_CODE');
      else count(res.ok ? 'ok' : `HTTP_${res.status}`);
    } catch (error) {
      count(`client: ${(error as Error).message}`);
    }
    latencies.push(performance.now() - start);
  }
}

// Warm up (schemas loaded, pools open) before the start reading.
await Promise.all(Array.from({ length: clients }, () => client(performance.now() + 5000)));
latencies.length = 0;
codes.clear();
const atStart = await memory();
console.log(`soak: ${minutes} min, ${clients} clients, ${faultPercent}% upstream faults injected`);
await Promise.all(Array.from({ length: clients }, () => client(performance.now() + minutes * 60_000)));
const atEnd = await memory();
await new Promise((resolve) => setTimeout(resolve, cooldownSeconds * 1000));
const afterCooldown = await memory();

latencies.sort((a, b) => a - b);
const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
console.log(`requests: ${latencies.length}, p50 ${at(0.5).toFixed(1)} ms, p99 ${at(0.99).toFixed(1)} ms`);
console.log(`injected upstream faults: ${JSON.stringify(injected)}`);
console.log('answers by code:');
for (const [code, n] of [...codes].sort((a, b) => b[1] - a[1])) console.log(`  ${code}: ${n}`);
const row = (label: string, m: { rss: number; heap: number }) =>
  console.log(`  ${label.padEnd(15)} RSS ${m.rss.toFixed(1)} MB, heap ${m.heap.toFixed(1)} MB`);
console.log('gateway memory (from /metrics):');
row('start', atStart);
row('end of load', atEnd);
row(`after ${cooldownSeconds} s`, afterCooldown);
const ratio = afterCooldown.rss / atStart.rss;
console.log(
  `RSS after cool-down / start: ${ratio.toFixed(2)}x (bound 1.20x) ${ratio <= 1.2 ? 'ok' : 'OVER'}`,
);

await gateway.stop();
proxy.close();
await sandbox.stop();
process.exit(ratio <= 1.2 ? 0 : 1);
