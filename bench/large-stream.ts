/**
 * `@stream` of N rows through the gateway beside a direct REST read of the same SQL answer (fetch +
 * JSON.parse, what a client of Domo does), alternating sides, medians. The lead's bench/large calls
 * benchStream(); run alone it starts the sandbox and a gateway process and reports the gateway's
 * peak RSS (VmHWM) too.
 * Run: npx tsx bench/large-stream.ts --rows=1000000 [--repeats=3]
 *
 * 2026-12-02, 2 shared cores under load ~20 (other test suites and benchmarks running), one run
 * per side, 1,000,000 rows x 8 columns, pages of 1000 (the sandbox writing the answer dominates):
 *   direct REST (fetch + JSON.parse)   141807 ms   7,052 rows/s  1.00x
 *   gateway @stream (multipart)        124787 ms   8,014 rows/s  0.88x
 *   gateway VmHWM: 155 MB at start (tsx), 194 MB at the end
 */
import { readFile } from 'node:fs/promises';
import { DEMO_DATASETS } from '../src/sandbox/seed.ts';
import { createSandbox } from '../src/sandbox/server.ts';
import { payloads } from '../test/helpers/incremental.ts';
import { intArg, startScript } from './lib/load.ts';

export interface StreamBenchOptions {
  gatewayUrl: string;
  sandboxUrl: string;
  token: string;
  datasetId: string;
  rows: number;
  /** Runs per side (default 3); the median is reported. */
  repeats?: number;
  /** Rows per page (default 1000). */
  pageSize?: number;
}

const sqlFor = (rows: number) => `SELECT * FROM t LIMIT ${rows}`;

/** Direct: the SQL endpoint read whole and parsed, as a client of Domo does. */
async function direct(o: StreamBenchOptions): Promise<number> {
  const response = await fetch(`${o.sandboxUrl}/api/query/v1/execute/${o.datasetId}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-domo-developer-token': o.token },
    body: JSON.stringify({ sql: sqlFor(o.rows) }),
  });
  if (!response.ok) throw new Error(`direct: ${response.status} ${await response.text()}`);
  const body = JSON.parse(await response.text()) as unknown[] | { rows: unknown[] };
  return Array.isArray(body) ? body.length : body.rows.length;
}

/** Through the gateway: `pages @stream` over multipart/mixed, each part parsed as it arrives. */
async function streamed(o: StreamBenchOptions): Promise<number> {
  const query = `{ sql(datasetId: "${o.datasetId}", sql: "${sqlFor(o.rows)}") { pages(size: ${o.pageSize ?? 1000}) @stream(initialCount: 1) { rows } } }`;
  const response = await fetch(`${o.gatewayUrl}/graphql`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'multipart/mixed',
      'x-domo-developer-token': o.token,
    },
    body: JSON.stringify({ query }),
  });
  let rows = 0;
  for await (const payload of payloads(response)) {
    if (payload.errors?.length) throw new Error(`@stream: ${JSON.stringify(payload.errors)}`);
    const initial = (payload.data as { sql?: { pages?: Array<{ rows: unknown[] }> } } | undefined)?.sql
      ?.pages;
    for (const page of initial ?? []) rows += page.rows.length;
    for (const part of payload.incremental ?? []) {
      if (part.errors?.length) throw new Error(`@stream: ${JSON.stringify(part.errors)}`);
      for (const page of (part.items ?? []) as Array<{ rows: unknown[] }>) rows += page.rows.length;
    }
  }
  return rows;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/** Median wall time of each side, runs alternated (direct, @stream, direct, …) after a warm-up of each. */
export async function benchStream(
  opts: StreamBenchOptions,
): Promise<Array<{ side: string; ms: number; rows: number }>> {
  const sides = [
    { side: 'direct REST (fetch + JSON.parse)', run: direct },
    { side: 'gateway @stream (multipart)', run: streamed },
  ];
  const times = sides.map(() => [] as number[]);
  const counts = sides.map(() => 0);
  for (const s of sides) await s.run({ ...opts, rows: Math.min(opts.rows, 10_000) });
  for (let i = 0; i < (opts.repeats ?? 3); i++) {
    for (const [k, s] of sides.entries()) {
      const start = performance.now();
      counts[k] = await s.run(opts);
      times[k]!.push(performance.now() - start);
    }
  }
  return sides.map((s, k) => ({ side: s.side, ms: median(times[k]!), rows: counts[k]! }));
}

async function peakMB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(status.match(/VmHWM:\s+(\d+)/)?.[1]) / 1024;
}

async function main(): Promise<void> {
  const rows = intArg('rows', 1_000_000);
  const repeats = intArg('repeats', 3);
  const token = 'bench-token';
  // A 1M-row answer on a loaded machine can take longer than the sandbox's default 60 s query bound.
  const sandbox = await createSandbox({
    token,
    largeRows: rows,
    port: 0,
    host: '127.0.0.1',
    queryTimeoutMs: 1_800_000,
  });
  const gateway = await startScript(
    'src/main.ts',
    {
      PORT: '0',
      DOMO_BASE_URL: sandbox.url,
      LOG_LEVEL: 'warn',
      MAX_STREAM_ROWS: String(Math.max(rows, 1)),
      DOMO_BODY_TIMEOUT_MS: '600000',
    },
    /open (http:\/\/\S+)\/graphql/,
  );
  try {
    const pid = gateway.child.pid!;
    const before = await peakMB(pid);
    const results = await benchStream({
      gatewayUrl: gateway.match[1]!,
      sandboxUrl: sandbox.url,
      token,
      datasetId: DEMO_DATASETS.sales,
      rows,
      repeats,
    });
    const base = results[0]!.ms;
    for (const r of results) {
      const rate = Math.round((r.rows / r.ms) * 1000).toLocaleString('en');
      console.log(
        `${r.side.padEnd(36)} ${r.ms.toFixed(0).padStart(7)} ms  ${r.rows} rows  ${rate} rows/s  ${(r.ms / base).toFixed(2)}x`,
      );
    }
    console.log(
      `gateway VmHWM: ${before.toFixed(0)} MB at start, ${(await peakMB(pid)).toFixed(0)} MB at the end`,
    );
  } finally {
    await gateway.stop();
    await sandbox.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
