/**
 * What the gateway costs per request, on each lane: `{ dataset(id) { name rowCount } }` through the
 * gateway (one upstream GET each) against the same REST GET sent straight to the upstream, measured
 * in one run, alternated round by round (the order rotates), with each process's CPU per request.
 *
 * Targets, against each upstream: direct REST; the gateway's lean lane (GATEWAY_LANE=lean); yoga's
 * lane (GATEWAY_LANE=yoga); and both lanes again with the response cache warm (every answer a hit).
 * Upstreams: `lean`, a bare node:http server answering the doc's metadata JSON from memory
 * (bench/lib/lean-upstream.ts, a fast Domo edge), and `sandbox`, the DuckDB sandbox. Each server is
 * its own child process, so /proc gives each one's CPU; the load generator is this process.
 * Figures are medians over the rounds: this machine is shared and noisy.
 *
 *   npm run bench -- overhead [--requests=4000] [--concurrency=32] [--rounds=5] [--upstream=lean|sandbox|both]
 *   npm run bench -- overhead --memory=300   (seconds of bounded load on the lean lane, RSS sampled)
 *
 * To profile a gateway under this load, pass node flags to the gateway processes, e.g.
 *   GATEWAY_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" npm run bench -- overhead
 */
import { Agent, request } from 'undici';
import { DEMO_DATASETS } from '../src/sandbox/seed.ts';
import { cpuMs, intArg, runLoad, startScript } from './lib/load.ts';

const REQUESTS = intArg('requests', 4_000);
const CONCURRENCY = intArg('concurrency', 32);
const ROUNDS = intArg('rounds', 5);
const WARMUP = Math.min(1_000, REQUESTS);
const TOKEN = 'bench-token';
const ID = DEMO_DATASETS.sales;
const upstreamArg = process.argv.find((a) => a.startsWith('--upstream='))?.split('=')[1] ?? 'both';
const memoryArg = process.argv.find((a) => a.startsWith('--memory='));
const nodeArgs = process.env.GATEWAY_NODE_ARGS?.split(/\s+/).filter(Boolean) ?? [];

type Proc = Awaited<ReturnType<typeof startScript>>;

const agent = new Agent({ connections: CONCURRENCY, keepAliveTimeout: 30_000, pipelining: 1 });
const query = `{ dataset(id: "${ID}") { name rowCount } }`;
const body = JSON.stringify({ query });

async function startUpstream(kind: 'lean' | 'sandbox'): Promise<{ proc: Proc; url: string }> {
  const proc =
    kind === 'lean'
      ? await startScript(
          'bench/lib/lean-upstream.ts',
          { LEAN_UPSTREAM_TOKEN: TOKEN },
          /listening on (http:\/\/\S+)/,
        )
      : await startScript(
          'src/sandbox/main.ts',
          { SANDBOX_PORT: '0', SANDBOX_TOKEN: TOKEN, SANDBOX_LARGE_ROWS: '1000' },
          /listening on (http:\/\/\S+)/,
        );
  return { proc, url: proc.match[1]! };
}

function startGateway(
  upstreamUrl: string,
  lane: 'lean' | 'yoga',
  cache: boolean,
  extra: Record<string, string> = {},
) {
  return startScript(
    'src/main.ts',
    {
      PORT: '0',
      DOMO_BASE_URL: upstreamUrl,
      DOMO_DEVELOPER_TOKEN: TOKEN,
      LOG_LEVEL: 'warn',
      GATEWAY_LANE: lane,
      CACHE_ENABLED: String(cache),
      ...extra,
    },
    /open (http:\/\/\S+\/graphql)/,
    nodeArgs,
  );
}

async function rest(url: string): Promise<void> {
  const res = await request(url, { dispatcher: agent, headers: { 'x-domo-developer-token': TOKEN } });
  const text = await res.body.text();
  if (res.statusCode !== 200 || !text.includes('"rowCount"'))
    throw new Error(`REST ${res.statusCode}: ${text}`);
}

async function graphql(url: string, payload = body): Promise<void> {
  const res = await request(url, {
    method: 'POST',
    dispatcher: agent,
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: payload,
  });
  const text = await res.body.text();
  if (res.statusCode !== 200 || !text.includes('"rowCount":1000'))
    throw new Error(`GraphQL ${res.statusCode}: ${text}`);
}

interface Target {
  label: string;
  send: () => Promise<void>;
  /** The gateway process (none for direct REST). */
  gateway?: Proc;
  samples: Array<{ perSecond: number; p50: number; gatewayUs?: number; upstreamUs?: number }>;
}

const median = (values: number[]) => {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (!sorted.length) return Number.NaN;
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};
const fmt = (n: number, digits = 0) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');

async function measure(target: Target, upstream: Proc) {
  const before = [await cpuMs(target.gateway?.child.pid), await cpuMs(upstream.child.pid)];
  const result = await runLoad(REQUESTS, CONCURRENCY, target.send);
  const after = [await cpuMs(target.gateway?.child.pid), await cpuMs(upstream.child.pid)];
  const us = (i: number) =>
    before[i] === undefined || after[i] === undefined
      ? undefined
      : ((after[i]! - before[i]!) * 1000) / REQUESTS;
  target.samples.push({ perSecond: result.perSecond, p50: result.p50, gatewayUs: us(0), upstreamUs: us(1) });
}

async function overhead(kind: 'lean' | 'sandbox') {
  const upstream = await startUpstream(kind);
  const gateways: Proc[] = [];
  try {
    const restUrl = `${upstream.url}/api/data/v3/datasources/${ID}`;
    const lean = await startGateway(upstream.url, 'lean', false);
    gateways.push(lean);
    const yoga = await startGateway(upstream.url, 'yoga', false);
    gateways.push(yoga);
    const leanCached = await startGateway(upstream.url, 'lean', true);
    gateways.push(leanCached);
    const yogaCached = await startGateway(upstream.url, 'yoga', true);
    gateways.push(yogaCached);
    const url = (p: Proc) => p.match[1]!;
    const targets: Target[] = [
      { label: 'direct REST', send: () => rest(restUrl), samples: [] },
      { label: 'lean lane', send: () => graphql(url(lean)), gateway: lean, samples: [] },
      { label: 'yoga lane', send: () => graphql(url(yoga)), gateway: yoga, samples: [] },
      {
        label: 'lean lane, cache warm',
        send: () => graphql(url(leanCached)),
        gateway: leanCached,
        samples: [],
      },
      {
        label: 'yoga lane, cache warm',
        send: () => graphql(url(yogaCached)),
        gateway: yogaCached,
        samples: [],
      },
    ];
    for (const target of targets) await runLoad(WARMUP, CONCURRENCY, target.send);
    for (let round = 0; round < ROUNDS; round++) {
      // Rotate the order each round, so no target always runs first (or after the same neighbour).
      for (let i = 0; i < targets.length; i++)
        await measure(targets[(i + round) % targets.length]!, upstream.proc);
    }
    const directRate = median(targets[0]!.samples.map((s) => s.perSecond));
    process.stdout.write(
      `\nupstream: ${kind}; ${ROUNDS} rounds x ${REQUESTS} requests at ${CONCURRENCY} connections, medians\n`,
    );
    for (const target of targets) {
      const rate = median(target.samples.map((s) => s.perSecond));
      const gatewayUs = median(target.samples.map((s) => s.gatewayUs ?? Number.NaN));
      const upstreamUs = median(target.samples.map((s) => s.upstreamUs ?? Number.NaN));
      const range = target.samples.map((s) => s.perSecond / directRate);
      process.stdout.write(
        `${target.label.padEnd(24)} ${fmt(rate).padStart(6)} req/s  ratio ${fmt(rate / directRate, 2)} ` +
          `(${fmt(Math.min(...range), 2)}-${fmt(Math.max(...range), 2)})  p50 ${fmt(median(target.samples.map((s) => s.p50)), 2)} ms  ` +
          `CPU/request: gateway ${target.gateway ? fmt(gatewayUs) : '-'} µs, upstream ${fmt(upstreamUs)} µs\n`,
      );
    }
  } finally {
    for (const g of gateways) await g.stop();
    await upstream.proc.stop();
  }
}

/** RSS of a process in MB (VmRSS), Linux only. */
async function rssMB(pid: number | undefined): Promise<number> {
  const { readFile } = await import('node:fs/promises');
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(status.match(/VmRSS:\s+(\d+)/)?.[1] ?? 0) / 1024;
}

/**
 * Bounded load for `seconds` on the lean lane against the lean upstream: one document in four is new
 * (a fresh alias), so the document cache fills to its bound and keeps evicting; RSS sampled every 5 s.
 */
async function memory(seconds: number) {
  const upstream = await startUpstream('lean');
  const gateway = await startGateway(upstream.url, 'lean', false, { GATEWAY_DOCUMENT_CACHE_SIZE: '1000' });
  try {
    const url = gateway.match[1]!;
    let n = 0;
    const send = () => {
      n++;
      const alias = n % 4 === 0 ? `a${n}: ` : '';
      return graphql(
        url,
        JSON.stringify({ query: `{ ${alias}dataset(id: "${ID}") { name rowCount } }` }).replace(
          `"rowCount"`,
          `"rowCount"`,
        ),
      );
    };
    const samples: number[] = [];
    const end = Date.now() + seconds * 1000;
    process.stdout.write(
      `\nmemory: ${seconds} s of load at ${CONCURRENCY} connections, 1 document in 4 new\n`,
    );
    while (Date.now() < end) {
      await runLoad(2_000, CONCURRENCY, send);
      samples.push(await rssMB(gateway.child.pid));
      process.stdout.write(`  ${n} requests, gateway RSS ${fmt(samples.at(-1)!, 1)} MB\n`);
    }
    const firstQuarter = samples.slice(0, Math.max(1, samples.length >> 2));
    const lastQuarter = samples.slice(-Math.max(1, samples.length >> 2));
    process.stdout.write(
      `RSS median, first quarter ${fmt(median(firstQuarter), 1)} MB, last quarter ${fmt(median(lastQuarter), 1)} MB, max ${fmt(Math.max(...samples), 1)} MB\n`,
    );
  } finally {
    await gateway.stop();
    await upstream.proc.stop();
  }
}

try {
  process.stdout.write(`node ${process.version}\n`);
  if (memoryArg) await memory(intArg('memory', 300));
  else
    for (const kind of upstreamArg === 'both'
      ? (['lean', 'sandbox'] as const)
      : [upstreamArg as 'lean' | 'sandbox'])
      await overhead(kind);
} finally {
  await agent.close();
}
