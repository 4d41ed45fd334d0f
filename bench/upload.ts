/**
 * bench/upload: a generated CSV (bench/.data, gitignored) streamed through the gateway's PUT route
 * against the same parts sent straight to the sandbox, in one run. Prints both throughputs, their
 * ratio, and the gateway's peak RSS (VmHWM of its own process: the gateway and the sandbox run as
 * separate child processes). Targets: ratio >= 0.8, peak RSS <= 256 MB and flat across sizes.
 *
 *   npx tsx bench/upload.ts          # 100 MB and 1 GB
 *   npx tsx bench/upload.ts 250      # one size, in MB
 *
 * The gateway is built into bench/.data/dist and run with plain node, as production runs it.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createReadStream, createWriteStream, existsSync } from 'node:fs';
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { request } from 'undici';
import { createDomoClient } from '../src/domo/client.ts';
import { type CsvPart, CsvPartSplitter, partBytes } from '../src/domo/csv.ts';
import { DomoHttp } from '../src/domo/http.ts';
import { columnsResolver, DEFAULT_CONCURRENCY, DEFAULT_PART_SIZE } from '../src/domo/uploads.ts';
import { DEMO_DATASETS } from '../src/sandbox/seed.ts';

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

async function stop(proc: ChildProcess) {
  if (proc.exitCode !== null) return;
  proc.kill('SIGTERM');
  await once(proc, 'exit');
}

/** Splits the file once, up front, so the direct run sends exactly the parts and nothing else. */
async function splitToDisk(file: string, dir: string): Promise<string[]> {
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const splitter = new CsvPartSplitter({
    partSizeBytes: DEFAULT_PART_SIZE,
    hasHeader: true,
    resolveColumns: columnsResolver(SCHEMA, 'APPEND'),
  });
  const files: string[] = [];
  const save = async (parts: CsvPart[]) => {
    for (const part of parts) {
      const path = join(dir, `part-${files.length + 1}.csv`);
      await writeFile(path, partBytes(part));
      files.push(path);
    }
  };
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 }))
    await save(splitter.write(chunk));
  await save(splitter.end());
  return files;
}

async function direct(sandboxUrl: string, parts: string[]): Promise<number> {
  const http = new DomoHttp({
    baseUrl: sandboxUrl,
    retry: { maxRetries: 0, baseMs: 1, maxDelayMs: 1 },
    headersTimeoutMs: 600_000,
    bodyTimeoutMs: 600_000,
  });
  const domo = createDomoClient(http, {
    credentials: { kind: 'developer', token: TOKEN },
    maxConcurrency: 16,
  });
  const started = performance.now();
  const { uploadId } = await domo.uploads.start(DATASET, { appendId: 'append' });
  let next = 0;
  await Promise.all(
    Array.from({ length: DEFAULT_CONCURRENCY }, async () => {
      while (next < parts.length) {
        const n = ++next;
        await domo.uploads.putPart(DATASET, uploadId, n, await readFile(parts[n - 1]!));
      }
    }),
  );
  await domo.uploads.commit(DATASET, uploadId, { action: 'APPEND', index: true });
  return performance.now() - started;
}

async function throughGateway(
  gatewayUrl: string,
  file: string,
): Promise<{ ms: number; answer: Record<string, unknown> }> {
  const started = performance.now();
  const response = await request(`${gatewayUrl}/v1/datasets/${DATASET}/upload?mode=append`, {
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

/** Short runs are noisy on a small machine: the best of several, each on a fresh sandbox. */
const repeats = (sizeMB: number) => (sizeMB <= 256 ? 3 : 1);

async function run(sizeMB: number) {
  const file = await generate(sizeMB);
  const bytes = (await stat(file)).size;
  const partsDir = join(DATA, `parts-${sizeMB}`);
  const parts = await splitToDisk(file, partsDir);
  let directMs = Number.POSITIVE_INFINITY;
  try {
    for (let i = 0; i < repeats(sizeMB); i++) {
      const sandbox = await freshSandbox();
      try {
        directMs = Math.min(directMs, await direct(sandbox.url, parts));
      } finally {
        await stop(sandbox.proc);
      }
    }
  } finally {
    await rm(partsDir, { recursive: true, force: true });
  }
  let best: Awaited<ReturnType<typeof gatewayRun>> | undefined;
  for (let i = 0; i < repeats(sizeMB); i++) {
    const result = await gatewayRun(file);
    if (!best || result.ms < best.ms)
      best = { ...result, peakRssMB: Math.max(result.peakRssMB, best?.peakRssMB ?? 0) };
    else best.peakRssMB = Math.max(best.peakRssMB, result.peakRssMB);
  }
  const mbps = (ms: number) => bytes / 1024 / 1024 / (ms / 1000);
  return {
    sizeMB: Math.round(bytes / 1024 / 1024),
    rows: Number(best!.answer.rows),
    parts: Number(best!.answer.parts),
    directMBps: mbps(directMs),
    gatewayMBps: mbps(best!.ms),
    ratio: directMs / best!.ms,
    gatewayPeakRssMB: best!.peakRssMB,
  };
}

/** One upload through a freshly started gateway (its own process) in front of a fresh sandbox. */
async function gatewayRun(file: string) {
  const sandbox = await freshSandbox();
  const gateway = await child(
    [join(DIST, 'main.js')],
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
    const via = await throughGateway(gateway.match[1]!, file);
    return { ...via, peakRssMB: await peakRssMB(gateway.proc.pid!) };
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
  const results = [];
  for (const size of sizes) {
    process.stderr.write(`upload bench: ${size} MB…\n`);
    const r = await run(size);
    results.push(r);
    process.stdout.write(
      `${String(r.sizeMB).padStart(5)} MB  ${r.rows.toLocaleString('en-US')} rows in ${r.parts} parts  direct ${r.directMBps.toFixed(1)} MB/s  gateway ${r.gatewayMBps.toFixed(1)} MB/s  ratio ${r.ratio.toFixed(2)} (target >= 0.8)  gateway peak RSS ${r.gatewayPeakRssMB.toFixed(0)} MB (target <= 256)\n`,
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
