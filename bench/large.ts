/**
 * Large answers (issue #11 item 5): 10k, 100k and 1M rows x 10 columns (the large demo dataset's 8
 * and two computed ones, cut by SQL LIMIT), in one run against the sandbox, each as a separate
 * process: the sandbox (`src/sandbox/main.ts`, SANDBOX_LARGE_ROWS) and the gateway (`src/main.ts`),
 * restarted before every section so its peak RSS (VmHWM in /proc/<pid>/status) is that section's.
 * Sides, per size: direct REST (fetch + JSON.parse of the sandbox's SQL answer, in this process),
 * the gateway's `query(sql) { rows }` and `{ objects }` with MAX_QUERY_ROWS raised to 1M, the
 * `@stream` and export hooks below, and `query` with the default cap (10,000) over the 1M-row
 * upstream answer. Wall time is the median of repeats alternated with direct ones.
 * Run: `npm run bench -- large [--large-rows=1000000] [--repeats=3] [--sizes=10000,100000,1000000]`.
 *
 * Hooks (written by others; skipped only while their file does not exist):
 *   bench/large-stream.ts exports benchStream, bench/large-export.ts exports benchExport, both
 *   `(opts: { gatewayUrl; sandboxUrl; token; datasetId; rows }) => Promise<Array<{ side; ms; rows;
 *   bytes? }>>`. `gatewayUrl` is the gateway's origin (GraphQL at `${gatewayUrl}/graphql`, the
 *   export route under `${gatewayUrl}/v1/…`), `sandboxUrl` the sandbox's, `token` the sandbox's
 *   developer token, `rows` the size. Their rows are printed in the same table (ratio to this
 *   size's direct REST median, gateway VmHWM of a gateway started for the hook).
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { DEMO_DATASETS } from '../src/sandbox/seed.ts';
import { intArg, startScript } from './lib/load.ts';

export interface LargeBenchOptions {
  gatewayUrl: string;
  sandboxUrl: string;
  token: string;
  datasetId: string;
  rows: number;
}
export type LargeBenchRow = { side: string; ms: number; rows: number; bytes?: number };
type Hook = (opts: LargeBenchOptions) => Promise<LargeBenchRow[]>;

const TOKEN = 'bench-large-token';
const ID = DEMO_DATASETS.sales;
const largeRows = intArg('large-rows', 1_000_000);
const repeats = intArg('repeats', 3);
const sizes = (process.argv.find((a) => a.startsWith('--sizes='))?.split('=')[1] ?? '10000,100000,1000000')
  .split(',')
  .map(Number)
  .filter((n) => n > 0 && n <= largeRows);
const sqlFor = (n: number) =>
  `SELECT *, transaction_id % 97 AS store_id, region || '-' || product AS sku FROM t LIMIT ${n}`;

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function peakRssMb(pid: number | undefined): Promise<number | undefined> {
  if (pid === undefined) return undefined;
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  const kb = status.match(/VmHWM:\s+(\d+)\s+kB/)?.[1];
  return kb === undefined ? undefined : Number(kb) / 1024;
}

const startedAt = performance.now();
const sandbox = await startScript(
  'src/sandbox/main.ts',
  // A 1M-row answer read by a slow gateway on a loaded machine can outlast Domo's 60 s limit.
  {
    SANDBOX_PORT: '0',
    SANDBOX_TOKEN: TOKEN,
    SANDBOX_LARGE_ROWS: String(largeRows),
    SANDBOX_QUERY_TIMEOUT_MS: '1800000',
  },
  /listening on (http:\/\/\S+)/,
);
const sandboxUrl = sandbox.match[1]!;
console.log(
  `sandbox: ${largeRows.toLocaleString('en-US')} rows, ready in ${((performance.now() - startedAt) / 1000).toFixed(1)} s, ` +
    `VmHWM ${(await peakRssMb(sandbox.child.pid))?.toFixed(0)} MB`,
);

async function startGateway(maxQueryRows?: number) {
  const env: Record<string, string> = {
    PORT: '0',
    DOMO_BASE_URL: sandboxUrl,
    DOMO_DEVELOPER_TOKEN: TOKEN,
    LOG_LEVEL: 'warn',
    // A 1M-row x 10-column answer is ~210 MB of JSON; the default bound is 64 MB.
    DOMO_MAX_RESPONSE_BYTES: String(256 * 1024 * 1024),
  };
  if (maxQueryRows) env.MAX_QUERY_ROWS = String(maxQueryRows);
  const gateway = await startScript('src/main.ts', env, /open (http:\/\/\S+)\/graphql/);
  return { ...gateway, url: gateway.match[1]! };
}

async function direct(n: number): Promise<number> {
  const res = await fetch(`${sandboxUrl}/api/query/v1/execute/${ID}`, {
    method: 'POST',
    headers: { 'x-domo-developer-token': TOKEN, 'content-type': 'application/json' },
    body: JSON.stringify({ sql: sqlFor(n) }),
  });
  const body = JSON.parse(await res.text());
  const count = Array.isArray(body) ? body.length : body.rows.length;
  if (res.status !== 200 || count !== n) throw new Error(`direct ${res.status}: ${count} rows, not ${n}`);
  return count;
}

async function graphql(url: string, n: number, field: 'rows' | 'objects', expected: number): Promise<number> {
  const query = `query($id: ID!, $sql: String!) { dataset(id: $id) { query(sql: $sql) { rowCount truncated ${field} } } }`;
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ query, variables: { id: ID, sql: sqlFor(n) } }),
  });
  const body = JSON.parse(await res.text());
  const result = body.data?.dataset?.query;
  if (res.status !== 200 || body.errors || result?.[field]?.length !== expected) {
    throw new Error(`gateway ${field} ${res.status}: ${JSON.stringify(body.errors ?? result?.rowCount)}`);
  }
  return expected;
}

const timed = async (run: () => Promise<number>) => {
  const start = performance.now();
  const rows = await run();
  return { ms: performance.now() - start, rows };
};

async function loadHook(file: string, name: string): Promise<Hook | undefined> {
  const url = new URL(file, import.meta.url);
  // Skipped only while the file does not exist; once it does, any failure to load it is an error.
  if (!existsSync(fileURLToPath(url))) return undefined;
  const hook = (await import(url.href))[name];
  if (typeof hook !== 'function') throw new Error(`${file} does not export ${name}`);
  return hook as Hook;
}

interface Line {
  size: number;
  side: string;
  ms: number;
  rows: number;
  bytes?: number;
  rssMb?: number;
}
const lines: Line[] = [];
const directMs = new Map<number, number>();
const format = (line: Line) => {
  const base = directMs.get(line.size);
  return `${line.size.toLocaleString('en-US').padStart(9)}  ${line.side.padEnd(42)} ${line.ms.toFixed(0).padStart(8)} ${Math.round(
    line.rows / (line.ms / 1000),
  )
    .toLocaleString('en-US')
    .padStart(
      11,
    )} ${(base ? (line.ms / base).toFixed(2) : '-').padStart(9)} ${(line.bytes ? (line.bytes / 1e6).toFixed(1) : '').padStart(8)} ${(line.rssMb?.toFixed(0) ?? '').padStart(9)}`;
};
/** Printed as measured too (the direct ratio once known), so a run cut short still says something. */
const record = (line: Line) => {
  lines.push(line);
  console.log(`  ${format(line)}`);
};

try {
  for (const n of sizes) {
    const directTimes: number[] = [];
    await direct(n); // warm-up
    for (const field of ['rows', 'objects'] as const) {
      const gateway = await startGateway(1_000_000);
      try {
        await graphql(gateway.url, Math.min(n, 1000), field, Math.min(n, 1000)); // warm-up
        const times: number[] = [];
        for (let i = 0; i < repeats; i++) {
          directTimes.push((await timed(() => direct(n))).ms);
          times.push((await timed(() => graphql(gateway.url, n, field, n))).ms);
        }
        record({
          size: n,
          side: `gateway query { ${field} } (cap 1M)`,
          ms: median(times),
          rows: n,
          rssMb: await peakRssMb(gateway.child.pid),
        });
      } finally {
        await gateway.stop();
      }
    }
    directMs.set(n, median(directTimes));
    record({ size: n, side: 'direct REST (fetch + JSON.parse)', ms: median(directTimes), rows: n });

    // ---- hook: @stream (bench/large-stream.ts, benchStream) -------------------------------------
    // ---- hook: export (bench/large-export.ts, benchExport) --------------------------------------
    for (const [file, name] of [
      ['./large-stream.ts', 'benchStream'],
      ['./large-export.ts', 'benchExport'],
    ] as const) {
      const hook = await loadHook(file, name);
      if (!hook) {
        console.log(`(${file} not there yet: ${name} skipped)`);
        continue;
      }
      const gateway = await startGateway(1_000_000);
      try {
        const rows = await hook({
          gatewayUrl: gateway.url,
          sandboxUrl,
          token: TOKEN,
          datasetId: ID,
          rows: n,
        });
        const rssMb = await peakRssMb(gateway.child.pid);
        for (const row of rows) record({ size: n, ...row, rssMb });
      } finally {
        await gateway.stop();
      }
    }
  }

  // The default cap over a 1M-row upstream answer: the gateway keeps 10,000 rows and stops reading.
  const top = Math.min(1_000_000, largeRows);
  const capped = await startGateway();
  try {
    const times: number[] = [];
    for (let i = 0; i < repeats; i++)
      times.push((await timed(() => graphql(capped.url, top, 'rows', 10_000))).ms);
    record({
      size: top,
      side: 'gateway query { rows } (default cap 10k)',
      ms: median(times),
      rows: 10_000,
      rssMb: await peakRssMb(capped.child.pid),
    });
  } finally {
    await capped.stop();
  }
} finally {
  await sandbox.stop();
}

console.log(
  `\nmedian of ${repeats} repeats, each gateway side alternated with direct REST; VmHWM per section`,
);
console.log(
  `${'rows'.padStart(9)}  ${'side'.padEnd(42)} ${'ms'.padStart(8)} ${'rows/s'.padStart(11)} ${'x direct'.padStart(9)} ${'MB'.padStart(8)} ${'VmHWM MB'.padStart(9)}`,
);
for (const line of lines) console.log(format(line));
const over = lines.filter((l) => l.rssMb !== undefined && l.rssMb > 256);
console.log(
  over.length
    ? `gateway peak RSS over 256 MB: ${over.map((l) => `${l.side} at ${l.size}`).join('; ')}`
    : 'gateway peak RSS <= 256 MB in every section',
);
