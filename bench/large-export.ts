/**
 * bench/large-export: the gateway's export route (CSV and NDJSON) against a direct download of the
 * same CSV from the sandbox (Domo's export endpoint), alternating sides, repeated, medians.
 * `benchExport` is what bench/large calls; run alone, this file starts a sandbox and a gateway as
 * child processes and also prints the gateway's peak RSS (VmHWM):
 *
 *   SANDBOX_LARGE_ROWS=1000000 npx tsx bench/large-export.ts     # 1M rows of the demo sales dataset
 *   BENCH_EXPORT_REPEATS=5 npx tsx bench/large-export.ts
 *
 * Targets (issue #11): export <= 1.3x the direct download, gateway peak RSS <= 256 MB at 1M rows.
 */
import { fileURLToPath } from 'node:url';
import { request } from 'undici';
import { DEMO_DATASETS } from '../src/sandbox/seed.ts';
import { cpuMs, peakRssMB, startScript } from './lib/load.ts';

export interface ExportSample {
  side: string;
  ms: number;
  rows: number;
  bytes: number;
  /** CPU time (user + system, median) the gateway and the sandbox spent on one download, when their pids are known. */
  gatewayCpuMs?: number;
  sandboxCpuMs?: number;
}

interface Side {
  side: string;
  url: string;
  headers: Record<string, string>;
  /** Lines that are not rows (the CSV header). */
  headerLines: number;
}

/** Downloads one side whole, counting bytes and line ends (rows), the body never held. */
async function download(side: Side): Promise<ExportSample> {
  const started = performance.now();
  const response = await request(side.url, { headers: side.headers, headersTimeout: 0, bodyTimeout: 0 });
  if (response.statusCode !== 200)
    throw new Error(`${side.side} answered ${response.statusCode}: ${await response.body.text()}`);
  let bytes = 0;
  let lines = 0;
  for await (const chunk of response.body) {
    const buf = chunk as Buffer;
    bytes += buf.length;
    for (let i = buf.indexOf(10); i !== -1; i = buf.indexOf(10, i + 1)) lines++;
  }
  return { side: side.side, ms: performance.now() - started, rows: lines - side.headerLines, bytes };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * Times `direct-csv` (the sandbox's CSV export, as a client of Domo would download it),
 * `gateway-csv` and `gateway-ndjson` (the export route), each `repeats` times (BENCH_EXPORT_REPEATS,
 * default 3) after one untimed warm-up each, rotating the order every round so a slow moment of the
 * machine does not land on one side. Answers one sample per side: the median time, with the rows
 * and bytes of the last run (rows checked equal to `opts.rows` on every run).
 */
export async function benchExport(opts: {
  gatewayUrl: string;
  sandboxUrl: string;
  token: string;
  datasetId: string;
  rows: number;
  /** Read for the CPU time each process spends per download (/proc/<pid>/stat). */
  pids?: { gateway?: number; sandbox?: number };
}): Promise<ExportSample[]> {
  const repeats = Number(process.env.BENCH_EXPORT_REPEATS ?? 3);
  const id = encodeURIComponent(opts.datasetId);
  const token = { 'x-domo-developer-token': opts.token };
  const sides: Side[] = [
    {
      side: 'direct-csv',
      url: `${opts.sandboxUrl}/api/data/v2/datasources/${id}/dataversions/latest?includeHeader=true`,
      headers: { ...token, accept: 'text/csv' },
      headerLines: 1,
    },
    {
      side: 'gateway-csv',
      url: `${opts.gatewayUrl}/v1/datasets/${id}/export?format=csv`,
      headers: token,
      headerLines: 1,
    },
    {
      side: 'gateway-ndjson',
      url: `${opts.gatewayUrl}/v1/datasets/${id}/export?format=ndjson`,
      headers: token,
      headerLines: 0,
    },
  ];
  for (const side of sides) await download(side);
  const times = new Map<string, number[]>(sides.map((s) => [s.side, []]));
  const cpu = new Map<string, { gateway: number[]; sandbox: number[] }>(
    sides.map((s) => [s.side, { gateway: [], sandbox: [] }]),
  );
  const cpuNow = async () => ({
    gateway: await cpuMs(opts.pids?.gateway),
    sandbox: await cpuMs(opts.pids?.sandbox),
  });
  const last = new Map<string, ExportSample>();
  for (let round = 0; round < repeats; round++) {
    for (let k = 0; k < sides.length; k++) {
      const side = sides[(round + k) % sides.length]!;
      const before = await cpuNow();
      const sample = await download(side);
      const after = await cpuNow();
      for (const who of ['gateway', 'sandbox'] as const) {
        const [b, a] = [before[who], after[who]];
        if (b !== undefined && a !== undefined) cpu.get(side.side)![who].push(a - b);
      }
      if (sample.rows !== opts.rows)
        throw new Error(`${side.side} sent ${sample.rows} rows, not ${opts.rows}`);
      times.get(side.side)!.push(sample.ms);
      last.set(side.side, sample);
    }
  }
  const cpuOf = (values: number[]) => (values.length ? median(values) : undefined);
  return sides.map((s) => ({
    ...last.get(s.side)!,
    ms: median(times.get(s.side)!),
    gatewayCpuMs: cpuOf(cpu.get(s.side)!.gateway),
    sandboxCpuMs: cpuOf(cpu.get(s.side)!.sandbox),
  }));
}

async function main() {
  const rows = Number(process.env.SANDBOX_LARGE_ROWS ?? 200_000);
  const token = 'bench-export-token';
  const started = performance.now();
  const sandbox = await startScript(
    'src/sandbox/main.ts',
    { SANDBOX_PORT: '0', SANDBOX_TOKEN: token, SANDBOX_LARGE_ROWS: String(rows) },
    /listening on (http:\/\/[^\s]+)/,
  );
  const sandboxUrl = sandbox.match[1]!;
  process.stdout.write(
    `sandbox with ${rows} rows ready in ${((performance.now() - started) / 1000).toFixed(1)} s\n`,
  );
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  const gateway = await startScript(
    'src/main.ts',
    { PORT: String(port), DOMO_BASE_URL: sandboxUrl, DOMO_DEVELOPER_TOKEN: token, LOG_LEVEL: 'info' },
    /domo-graph ready/,
  );
  try {
    const gatewayUrl = `http://127.0.0.1:${port}`;
    const rssBefore = await peakRssMB(gateway.child.pid!);
    const samples = await benchExport({
      gatewayUrl,
      sandboxUrl,
      token,
      datasetId: DEMO_DATASETS.sales,
      rows,
      pids: { gateway: gateway.child.pid, sandbox: sandbox.child.pid },
    });
    const direct = samples.find((s) => s.side === 'direct-csv')!;
    for (const s of samples) {
      process.stdout.write(
        `${s.side.padEnd(15)} ${(s.ms / 1000).toFixed(2).padStart(7)} s  ${Math.round(s.rows / (s.ms / 1000))
          .toLocaleString('en-US')
          .padStart(
            10,
          )} rows/s  ${(s.bytes / 1048576).toFixed(1).padStart(7)} MB  ${(s.ms / direct.ms).toFixed(2)}x direct` +
          `  cpu: gateway ${s.gatewayCpuMs?.toFixed(0) ?? '-'} ms, sandbox ${s.sandboxCpuMs?.toFixed(0) ?? '-'} ms\n`,
      );
    }
    process.stdout.write(
      `gateway peak RSS: ${(await peakRssMB(gateway.child.pid!)).toFixed(0)} MB (${rssBefore.toFixed(0)} MB before the exports)\n`,
    );
  } finally {
    await gateway.stop();
    await sandbox.stop();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main().catch((error: unknown) => {
    process.stderr.write(`${(error as Error).stack ?? error}\n`);
    process.exit(1);
  });
}
