/**
 * bench/upload: a generated CSV (bench/.data, gitignored) streamed through the gateway's PUT route
 * against a direct client that streams, splits and sends the same parts straight to the sandbox
 * (see `direct`), in one run, as interleaved pairs (see `pairs`). Prints both throughputs, their
 * ratio, and the gateway's peak RSS (VmHWM of its own process: the gateway and the sandbox run as
 * separate child processes). Targets: ratio >= 0.8, peak RSS <= 256 MB and flat across sizes.
 *
 *   npx tsx bench/upload.ts          # 100 MB and 1 GB
 *   npx tsx bench/upload.ts 250      # one size, in MB
 *   BENCH_PAIRS=9 BENCH_PROF=bench/.data/prof npx tsx bench/upload.ts 100   # more pairs, CPU profiles
 *
 * The gateway is built into bench/.data/dist and run with plain node, as production runs it.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { createReadStream, createWriteStream, existsSync } from 'node:fs';
import { mkdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { request } from 'undici';
import { createDomoClient } from '../src/domo/client.ts';
import { createDispatcher, DomoHttp } from '../src/domo/http.ts';
import { DEMO_DATASETS } from '../src/sandbox/seed.ts';
import {
  type CsvPart,
  CsvPartSplitter,
  columnsResolver,
  DEFAULT_CONCURRENCY,
  DEFAULT_PART_SIZE,
} from '../src/upload/index.ts';

const DATA = join(import.meta.dirname, '.data');
/** The gateway runs built, as in production (`node dist/main.js`): tsx's compiler is no part of its RSS. */
const DIST = join(DATA, 'dist');
const TOKEN = 'bench-token';
const DATASET = DEMO_DATASETS.staging;
const SCHEMA = [
  { name: 'id', type: 'LONG' },
  { name: 'payload', type: 'STRING' },
  { name: 'amount', type: 'DOUBLE' },
  { name: 'loaded_at', type: 'DATETIME' },
];

async function generate(sizeMB: number): Promise<string> {
  const file = join(DATA, `upload-${sizeMB}MB.csv`);
  if (existsSync(file) && (await stat(file)).size >= sizeMB * 1024 * 1024) return file;
  const out = createWriteStream(file);
  out.write('id,payload,amount,loaded_at\n');
  const target = sizeMB * 1024 * 1024;
  let written = 0;
  let id = 0;
  while (written < target) {
    let chunk = '';
    for (let i = 0; i < 10_000; i++, id++) {
      // Some quoted fields with commas and newlines, as real exports have.
      const payload =
        id % 10 === 0
          ? `"note ${id}, with ""quotes""\nand a second line"`
          : `item-${id}-${(id * 7919) % 100_000}`;
      chunk += `${id},${payload},${((id * 31) % 100_000) / 100},2025-0${(id % 9) + 1}-1${id % 10} 0${id % 10}:${10 + (id % 50)}:00\n`;
    }
    written += Buffer.byteLength(chunk);
    if (!out.write(chunk)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  return file;
}

function child(
  args: string[],
  env: Record<string, string>,
  ready: RegExp,
): Promise<{ proc: ChildProcess; match: RegExpMatchArray }> {
  const proc = spawn(process.execPath, args, {
    env: { ...process.env, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let output = '';
    const onData = (data: Buffer) => {
      output += data.toString();
      const match = output.match(ready);
      if (match) resolve({ proc, match });
    };
    proc.stdout!.on('data', onData);
    proc.stderr!.on('data', onData);
    proc.once('exit', (code) => reject(new Error(`${args.join(' ')} exited with ${code}: ${output}`)));
  });
}

async function peakRssMB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = Number(status.match(/VmHWM:\s+(\d+)/)?.[1] ?? 0);
  return kb / 1024;
}

/** CPU time (user + system) a process has used, from /proc (clock ticks of 1/100 s on Linux). */
async function cpuSeconds(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

async function stop(proc: ChildProcess) {
  if (proc.exitCode !== null) return;
  proc.kill('SIGTERM');
  await once(proc, 'exit');
}

/**
 * What a careful direct client does, timed from the first byte read to the commit's answer: read the
 * file as a stream, split it on row boundaries (quoted newlines respected, header dropped) with the
 * same splitter, part size and parts in flight as the gateway, and send each part as it is cut.
 * It checks the CSV's structure and UTF-8 but not value types (the columns are all taken as STRING):
 * typed validation is work the gateway adds, so it counts against the gateway.
 */
async function direct(sandboxUrl: string, file: string): Promise<{ ms: number; cpuS: number }> {
  // The gateway's defaults: 32 pooled connections (DOMO_CONNECTIONS).
  const dispatcher = createDispatcher({ connectTimeoutMs: 10_000, connections: 32 });
  const http = new DomoHttp({
    baseUrl: sandboxUrl,
    dispatcher,
    retry: { maxRetries: 0, baseMs: 1, maxDelayMs: 1 },
    headersTimeoutMs: 600_000,
    bodyTimeoutMs: 600_000,
  });
  const domo = createDomoClient(http, {
    credentials: { kind: 'developer', token: TOKEN },
    maxConcurrency: 16,
  });
  const started = performance.now();
  const cpu = process.cpuUsage();
  const splitter = new CsvPartSplitter({
    partSizeBytes: DEFAULT_PART_SIZE,
    hasHeader: true,
    resolveColumns: columnsResolver(
      SCHEMA.map((c) => ({ ...c, type: 'STRING' })),
      'APPEND',
    ),
  });
  const uploadId = (await domo.uploads.start(DATASET, { appendId: 'append' })).uploadId;
  const inflight = new Set<Promise<unknown>>();
  let n = 0;
  const send = async (parts: CsvPart[]) => {
    for (const part of parts) {
      while (inflight.size >= DEFAULT_CONCURRENCY) await Promise.race(inflight);
      const task = domo.uploads.putPart(DATASET, uploadId, ++n, part.chunks);
      const tracked = task.finally(() => inflight.delete(tracked));
      inflight.add(tracked);
    }
  };
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 }))
    await send(splitter.write(chunk));
  await send(splitter.end());
  await Promise.all(inflight);
  await domo.uploads.commit(DATASET, uploadId, { action: 'APPEND', index: true });
  const ms = performance.now() - started;
  const used = process.cpuUsage(cpu);
  await dispatcher.close();
  return { ms, cpuS: (used.user + used.system) / 1e6 };
}

const SENDER = process.env.BENCH_SENDER ?? (spawnSync('curl', ['--version']).status === 0 ? 'curl' : 'node');

async function throughGateway(
  gatewayUrl: string,
  file: string,
): Promise<{ ms: number; answer: Record<string, unknown> }> {
  const url = `${gatewayUrl}/v1/datasets/${DATASET}/upload?mode=append`;
  if (SENDER === 'curl') {
    // `curl -T`, as the callers upload: a sender costing little CPU, so what is measured is the
    // gateway, not a node process streaming the file on the same two cores (BENCH_SENDER=node for that).
    const started = performance.now();
    const curl = spawn(
      'curl',
      ['-sS', '-T', file, '-H', 'content-type: text/csv', '-H', `x-domo-developer-token: ${TOKEN}`, url],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    curl.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
    });
    const [code] = await once(curl, 'exit');
    const answer = JSON.parse(out) as Record<string, unknown>;
    if (code !== 0 || answer.error) throw new Error(`gateway answered ${out}`);
    return { ms: performance.now() - started, answer };
  }
  const started = performance.now();
  const response = await request(url, {
    method: 'PUT',
    headers: { 'content-type': 'text/csv', 'x-domo-developer-token': TOKEN },
    body: createReadStream(file, { highWaterMark: 1 << 20 }),
    headersTimeout: 0,
    bodyTimeout: 0,
  });
  const answer = (await response.body.json()) as Record<string, unknown>;
  if (response.statusCode !== 200)
    throw new Error(`gateway answered ${response.statusCode}: ${JSON.stringify(answer)}`);
  return { ms: performance.now() - started, answer };
}

/** A fresh in-memory sandbox per measurement, so neither run pays for the other's data. */
async function freshSandbox() {
  const sandbox = await child(
    ['--import', 'tsx', 'src/sandbox/main.ts'],
    { SANDBOX_PORT: '0', SANDBOX_TOKEN: TOKEN, SANDBOX_LARGE_ROWS: '1000' },
    /listening on (http:\/\/[^\s]+)/,
  );
  return { proc: sandbox.proc, url: sandbox.match[1]! };
}

/**
 * Short runs are noisy on a small machine (single runs of 100 MB ranged 0.4-1.4 in ratio): several
 * pairs, each a direct run then a gateway run on fresh sandboxes, and the median ratio of the pairs,
 * so a slow moment of the machine hits both sides of a pair rather than one side of the result.
 */
const pairs = (sizeMB: number) => Number(process.env.BENCH_PAIRS ?? (sizeMB <= 256 ? 5 : 2));

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * Both sides are measured warm, as a long-running gateway and a long-running client service are: an
 * untimed upload of this many MB first (same generator, same fresh sandbox), so neither run pays for
 * compiling its hot code. Without it the gateway, a fresh process per run, paid that on every run
 * while the direct client, in the bench process, paid it once. BENCH_WARMUP_MB=0 measures both cold
 * (the direct client is then still warm after its first pair).
 */
const WARMUP_MB = Number(process.env.BENCH_WARMUP_MB ?? 16);

async function run(sizeMB: number) {
  const file = await generate(sizeMB);
  const warmup = WARMUP_MB > 0 ? await generate(WARMUP_MB) : undefined;
  const bytes = (await stat(file)).size;
  const mbps = (ms: number) => bytes / 1024 / 1024 / (ms / 1000);
  const runs: Array<{
    directMs: number;
    gatewayMs: number;
    directCpuS: number;
    gatewayCpuS: number;
    rss: number;
    rows: number;
    parts: number;
  }> = [];
  for (let i = 0; i < pairs(sizeMB); i++) {
    const sandbox = await freshSandbox();
    let directRun: { ms: number; cpuS: number };
    try {
      if (warmup) await direct(sandbox.url, warmup);
      directRun = await direct(sandbox.url, file);
    } finally {
      await stop(sandbox.proc);
    }
    const via = await gatewayRun(file, warmup, i);
    const r = {
      directMs: directRun.ms,
      gatewayMs: via.ms,
      directCpuS: directRun.cpuS,
      gatewayCpuS: via.cpuS,
      rss: via.peakRssMB,
      rows: Number(via.answer.rows),
      parts: Number(via.answer.parts),
    };
    runs.push(r);
    process.stderr.write(
      `  pair ${i + 1}: direct ${mbps(r.directMs).toFixed(1)} MB/s  gateway ${mbps(r.gatewayMs).toFixed(1)} MB/s  ratio ${(r.directMs / r.gatewayMs).toFixed(2)}  CPU direct client ${r.directCpuS.toFixed(2)} s, gateway ${r.gatewayCpuS.toFixed(2)} s  peak RSS ${r.rss.toFixed(0)} MB\n`,
    );
  }
  const ratios = runs.map((r) => r.directMs / r.gatewayMs);
  return {
    sizeMB: Math.round(bytes / 1024 / 1024),
    rows: runs[0]!.rows,
    parts: runs[0]!.parts,
    pairs: runs.length,
    directMBps: median(runs.map((r) => mbps(r.directMs))),
    gatewayMBps: median(runs.map((r) => mbps(r.gatewayMs))),
    ratio: median(ratios),
    minRatio: Math.min(...ratios),
    maxRatio: Math.max(...ratios),
    gatewayPeakRssMB: Math.max(...runs.map((r) => r.rss)),
    directCpuS: median(runs.map((r) => r.directCpuS)),
    gatewayCpuS: median(runs.map((r) => r.gatewayCpuS)),
  };
}

/** One upload (after the warm-up) through a freshly started gateway (its own process) in front of a fresh sandbox. */
async function gatewayRun(file: string, warmup: string | undefined, index: number) {
  const sandbox = await freshSandbox();
  // BENCH_PROF=dir: a V8 CPU profile of each gateway run (`node --cpu-prof`), to see where its time goes.
  const prof = process.env.BENCH_PROF
    ? [
        '--cpu-prof',
        `--cpu-prof-dir=${process.env.BENCH_PROF}`,
        `--cpu-prof-name=gateway-${index}.cpuprofile`,
      ]
    : [];
  const gateway = await child(
    [...prof, join(DIST, 'main.js')],
    {
      PORT: '0',
      DOMO_BASE_URL: sandbox.url,
      DOMO_DEVELOPER_TOKEN: TOKEN,
      DOMO_HEADERS_TIMEOUT_MS: '600000',
      DOMO_BODY_TIMEOUT_MS: '600000',
    },
    /open (http:\/\/[^\s]+)\/graphql/,
  );
  try {
    if (warmup) await throughGateway(gateway.match[1]!, warmup);
    const cpuBefore = await cpuSeconds(gateway.proc.pid!);
    const via = await throughGateway(gateway.match[1]!, file);
    return {
      ...via,
      cpuS: (await cpuSeconds(gateway.proc.pid!)) - cpuBefore,
      peakRssMB: await peakRssMB(gateway.proc.pid!),
    };
  } finally {
    await stop(gateway.proc);
    await stop(sandbox.proc);
  }
}

async function build() {
  const tsc = spawn(
    process.execPath,
    ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json', '--outDir', DIST],
    {
      stdio: 'inherit',
    },
  );
  const [code] = await once(tsc, 'exit');
  if (code !== 0) throw new Error('building the gateway failed');
}

async function main() {
  await mkdir(DATA, { recursive: true });
  await build();
  const arg = process.argv[2];
  const sizes = arg ? [Number(arg)] : [100, 1024];
  if (sizes.some((s) => !Number.isInteger(s) || s <= 0))
    throw new Error('usage: npx tsx bench/upload.ts [sizeMB]');
  process.stdout.write(
    `direct:  the bench process streams the file, splits it on row boundaries (structure and UTF-8 checked, no types), sends ${DEFAULT_PART_SIZE / 1024 / 1024} MB parts ${DEFAULT_CONCURRENCY} at a time to a fresh sandbox, commits\n` +
      `both:    warmed by an untimed ${WARMUP_MB} MB upload first (BENCH_WARMUP_MB; 0 = cold)\n` +
      `gateway: ${SENDER === 'curl' ? 'curl -T' : 'the bench process (undici)'} streams the file to a fresh gateway (node dist/main.js, its own process) by PUT /v1/datasets/:id/upload; the gateway reads the schema, splits and type-checks every value, sends the same parts with the same concurrency to a fresh sandbox, commits\n`,
  );
  const results = [];
  for (const size of sizes) {
    process.stderr.write(`upload bench: ${size} MB, ${pairs(size)} pairs…\n`);
    const r = await run(size);
    results.push(r);
    process.stdout.write(
      `${String(r.sizeMB).padStart(5)} MB  ${r.rows.toLocaleString('en-US')} rows in ${r.parts} parts  medians of ${r.pairs}: direct ${r.directMBps.toFixed(1)} MB/s  gateway ${r.gatewayMBps.toFixed(1)} MB/s  ratio ${r.ratio.toFixed(2)} (${r.minRatio.toFixed(2)}-${r.maxRatio.toFixed(2)}; target >= 0.8)  gateway peak RSS ${r.gatewayPeakRssMB.toFixed(0)} MB (max; target <= 256)  CPU: direct client ${r.directCpuS.toFixed(2)} s, gateway ${r.gatewayCpuS.toFixed(2)} s\n`,
    );
  }
  if (results.length > 1) {
    const growth = results.at(-1)!.gatewayPeakRssMB - results[0]!.gatewayPeakRssMB;
    process.stdout.write(
      `peak RSS growth from ${results[0]!.sizeMB} MB to ${results.at(-1)!.sizeMB} MB: ${growth.toFixed(0)} MB\n`,
    );
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
