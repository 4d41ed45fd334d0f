/**
 * `SELECT * FROM t` over the large demo dataset straight from the sandbox: wall time and rows/s of
 * the whole answer, read by curl (each sandbox in a process of its own, so neither shares a thread
 * or a heap with the client or with the rows held here), beside JSON.stringify of the same rows
 * held in memory; DuckDB's JSON encoder (json-rows.ts) and the JS one (`engineJson: false`),
 * alternated, medians of the repeats.
 * Run: npx tsx bench/sandbox-sql.ts [rows] [objects|columns] [--rows=N] [--shape=S] [--repeats=N]
 *   [--client=pipe|discard] [--columns=10|8] (10: two computed columns beside the 8 stored ones, as bench/large; 8: SELECT *)
 * Besides wall time it prints CPU time (all threads, /proc/<pid>/stat) of the sandbox per answer and
 * of this process per JSON.stringify, which a loaded machine disturbs less.
 * (`npm run bench -- sandbox-sql`).
 *
 * 2026-12-02, 2 shared cores (load ~1.5-2), 200,000 rows x 8 columns, curl client:
 *   objects  3538 ms (56,500 rows/s) whole-result -> 1732-1994 ms (100,000-115,000 rows/s) streamed
 *   columns  2520 ms (79,400 rows/s) whole-result -> 1180 ms (169,500 rows/s) streamed
 *   1,000,000 rows objects streamed: 7686 ms (130,000 rows/s); JSON.stringify in memory 1321 ms
 * JS encoder ~5.8x JSON.stringify. See the README of src/sandbox for DuckDB's encoder's figures.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { DEMO_DATASETS } from '../src/sandbox/seed.ts';
import { cpuMs, startScript } from './lib/load.ts';

const flag = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
const positional = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const rows = Number(flag('rows') ?? positional[0] ?? 1_000_000);
const shape = (flag('shape') ?? positional[1] ?? 'objects') as 'objects' | 'columns';
const repeats = Number(flag('repeats') ?? 3);
/** 10 (the 1M x 10): the 8 stored columns and two computed ones, as bench/large reads; 8: `SELECT *`. */
const columns = Number(flag('columns') ?? 10);
const sql =
  columns === 8
    ? 'SELECT * FROM t'
    : "SELECT *, transaction_id % 97 AS store_id, region || '-' || product AS sku FROM t";
const token = 'bench-token';

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

type Sandbox = { url: string; child: { pid?: number } };

/**
 * `pipe` (default): curl's output read into this process, as the figures above were taken;
 * `discard`: curl writes it to /dev/null and says its size, so the time is the sandbox's answer and
 * curl's read only, not this process's pipe and buffer copies.
 */
const client = (flag('client') ?? 'pipe') as 'pipe' | 'discard';

async function post(
  sandbox: Sandbox,
  keep = client === 'pipe',
): Promise<{ body?: Uint8Array; length: number }> {
  const args = [
    '-sS',
    '-X',
    'POST',
    `${sandbox.url}/api/query/v1/execute/${DEMO_DATASETS.sales}`,
    '-H',
    `x-domo-developer-token: ${token}`,
    '-H',
    'content-type: application/json',
    '--data',
    JSON.stringify({ sql }),
  ];
  if (!keep) {
    const { stdout } = await promisify(execFile)('curl', [
      ...args,
      '-o',
      '/dev/null',
      '-w',
      '%{size_download}',
    ]);
    return { length: Number(stdout) };
  }
  const { stdout } = await promisify(execFile)('curl', args, { encoding: 'buffer', maxBuffer: 2 ** 31 });
  const body = new Uint8Array(stdout);
  return { body, length: body.length };
}

const start = async (engineJson: boolean) => {
  // A 1M-row answer through the JS encoder on a loaded machine can outlast Domo's 60 s limit.
  const options = { token, largeRows: rows, sqlShape: shape, engineJson, queryTimeoutMs: 1_800_000 };
  const child = await startScript(
    'bench/lib/sandbox-child.ts',
    { BENCH_SANDBOX_OPTIONS: JSON.stringify(options) },
    /listening on (http:\/\/\S+)/,
  );
  return { ...child, url: child.match[1]! };
};
const [engine, js] = await Promise.all([start(true), start(false)]);
try {
  // Warm-up, and the rows the stringify side holds in memory.
  await post(js);
  const bytes = (await post(engine, true)).body!;
  const parsed = JSON.parse(new TextDecoder().decode(bytes));
  const count = Array.isArray(parsed) ? parsed.length : parsed.rows.length;
  const times: Record<'engine' | 'js' | 'stringify', number[]> = { engine: [], js: [], stringify: [] };
  // CPU time (user + system, every thread): the sandbox's per answer, this process's per stringify.
  const cpu: Record<'engine' | 'js' | 'stringify', number[]> = { engine: [], js: [], stringify: [] };
  const sizes = { engine: 0, js: 0 };
  for (let i = 0; i < repeats; i++) {
    // Alternated, so load that comes and goes on a shared machine falls on every side.
    for (const [side, sandbox] of [
      ['engine', engine],
      ['js', js],
    ] as const) {
      const cpuBefore = await cpuMs(sandbox.child.pid);
      const start = performance.now();
      const body = await post(sandbox);
      times[side].push(performance.now() - start);
      const cpuAfter = await cpuMs(sandbox.child.pid);
      if (cpuBefore !== undefined && cpuAfter !== undefined) cpu[side].push(cpuAfter - cpuBefore);
      sizes[side] = body.length;
    }
    const cpuBefore = process.cpuUsage();
    const start = performance.now();
    JSON.stringify(parsed);
    times.stringify.push(performance.now() - start);
    const used = process.cpuUsage(cpuBefore);
    cpu.stringify.push((used.user + used.system) / 1000);
  }
  const s = median(times.stringify);
  const sCpu = cpu.stringify.length ? median(cpu.stringify) : undefined;
  const line = (label: string, ms: number, side: 'engine' | 'js' | 'stringify') => {
    const c = cpu[side].length ? median(cpu[side]) : undefined;
    const cpuText =
      c === undefined || sCpu === undefined
        ? ''
        : `  cpu ${c.toFixed(0).padStart(5)} ms ${(c / sCpu).toFixed(2)}x`;
    return `  ${label.padEnd(28)} ${ms.toFixed(0).padStart(6)} ms  ${Math.round(count / (ms / 1000))
      .toLocaleString('en-US')
      .padStart(10)} rows/s  ${(ms / s).toFixed(2)}x JSON.stringify${cpuText}`;
  };
  console.log(
    `${shape}: ${count.toLocaleString('en-US')} rows x ${Object.keys(Array.isArray(parsed) ? parsed[0] : { ...parsed.columns }).length} columns, ` +
      `${(sizes.engine / 1e6).toFixed(1)} MB (JS encoder ${(sizes.js / 1e6).toFixed(1)} MB), median of ${repeats} alternated repeats, client ${client}`,
  );
  console.log(line('DuckDB encoder (json-rows)', median(times.engine), 'engine'));
  console.log(line('JS encoder (engineJson off)', median(times.js), 'js'));
  console.log(line('JSON.stringify in memory', s, 'stringify'));
} finally {
  await Promise.all([engine.stop(), js.stop()]);
}
