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
 *   npm run bench -- overhead --layers[=N]   (then a CPU profile of each lane, split by layer; N top frames each)
 *   npm run bench -- overhead --targets=direct,lean   (direct REST always runs: the ratios' base)
 *
 * To profile a gateway under this load, pass node flags to the gateway processes, e.g.
 *   GATEWAY_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" npm run bench -- overhead
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { DEMO_DATASETS } from '../src/sandbox/seed.ts';
import { LAYERS, layerBreakdown } from './lib/layers.ts';
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
const layersArg = process.argv.find((a) => a === '--layers' || a.startsWith('--layers='));
/** `--layers=N`: also the N frames with the most self time in each layer. */
const layerFrames = Number(layersArg?.split('=')[1] ?? 0);
const TARGET_KEYS = ['direct', 'lean', 'yoga', 'lean-cache', 'yoga-cache'] as const;
const targetsArg = process.argv
  .find((a) => a.startsWith('--targets='))
  ?.split('=')[1]
  ?.split(',');
const unknownTarget = targetsArg?.find((t) => !(TARGET_KEYS as readonly string[]).includes(t));
if (unknownTarget) throw new Error(`--targets: unknown ${unknownTarget}; have ${TARGET_KEYS.join(', ')}`);
const wantedTargets = new Set<string>(targetsArg ?? TARGET_KEYS);

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
  flags: string[] = nodeArgs,
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
    flags,
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
  key: string;
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
    const url = (p: Proc) => p.match[1]!;
    const targets: Target[] = [
      { key: 'direct', label: 'direct REST', send: () => rest(restUrl), samples: [] },
    ];
    const gatewayTargets = [
      ['lean', 'lean lane', 'lean', false],
      ['yoga', 'yoga lane', 'yoga', false],
      ['lean-cache', 'lean lane, cache warm', 'lean', true],
      ['yoga-cache', 'yoga lane, cache warm', 'yoga', true],
    ] as const;
    for (const [key, label, lane, cache] of gatewayTargets) {
      if (!wantedTargets.has(key)) continue;
      const gateway = await startGateway(upstream.url, lane, cache);
      gateways.push(gateway);
      targets.push({ key, label, send: () => graphql(url(gateway)), gateway, samples: [] });
    }
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
    if (layersArg) {
      for (const target of targets) {
        if (target.key !== 'lean' && target.key !== 'yoga') continue;
        const cpuUs = median(target.samples.map((s) => s.gatewayUs ?? Number.NaN));
        await layers(upstream.url, target.key as 'lean' | 'yoga', cpuUs);
      }
    }
  } finally {
    for (const g of gateways) await g.stop();
    await upstream.proc.stop();
  }
}

/**
 * A gateway of `lane` under the same load with V8's CPU profiler on, its samples in the measured
 * window split by layer (bench/lib/layers.ts). The µs column spreads the CPU per request measured
 * without the profiler (which slows what it watches) by those shares.
 */
async function layers(upstreamUrl: string, lane: 'lean' | 'yoga', cpuUsPerRequest: number) {
  const dir = await mkdtemp(join(tmpdir(), 'domo-graph-prof-'));
  try {
    const gateway = await startGateway(upstreamUrl, lane, false, {}, [
      ...nodeArgs,
      '--cpu-prof',
      `--cpu-prof-dir=${dir}`,
    ]);
    const send = () => graphql(gateway.match[1]!);
    await runLoad(WARMUP, CONCURRENCY, send);
    const from = Number(process.hrtime.bigint() / 1000n);
    const requests = REQUESTS * 2;
    await runLoad(requests, CONCURRENCY, send);
    const to = Number(process.hrtime.bigint() / 1000n);
    await gateway.stop();
    // The main thread's profile (thread 0) of the gateway process.
    const file = (await readdir(dir)).find((name) => name.includes(`.${gateway.child.pid}.0.`));
    if (!file) throw new Error(`no CPU profile of ${lane} lane in ${dir}`);
    const { busyMs, shares, top } = await layerBreakdown(join(dir, file), from, to);
    process.stdout.write(
      `\n${lane} lane by layer (CPU profile, ${requests} requests; ${fmt((busyMs * 1000) / requests)} µs/request profiled, ${fmt(cpuUsPerRequest)} without the profiler)\n`,
    );
    for (const layer of LAYERS) {
      const share = shares.get(layer) ?? 0;
      process.stdout.write(
        `  ${layer.padEnd(22)} ${fmt(share * 100, 1).padStart(5)} %  ${fmt(share * cpuUsPerRequest).padStart(5)} µs\n`,
      );
      for (const [frame, frameShare] of (top.get(layer) ?? []).slice(0, layerFrames))
        process.stdout.write(`      ${fmt(frameShare * 100, 1).padStart(5)} %  ${frame}\n`);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
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
