/**
 * `SELECT * FROM t` over the large demo dataset straight from the sandbox: wall time and rows/s of
 * the whole answer, read by curl in its own process (so the client does not share the sandbox's
 * thread), beside JSON.stringify of the same rows in memory.
 * Run: npx tsx bench/sandbox-sql.ts [rows] [objects|columns]
 *
 * 2026-12-02, 2 shared cores (load ~1.5-2), 200,000 rows x 8 columns, curl client:
 *   objects  3538 ms (56,500 rows/s) whole-result -> 1732-1994 ms (100,000-115,000 rows/s) streamed
 *   columns  2520 ms (79,400 rows/s) whole-result -> 1180 ms (169,500 rows/s) streamed
 *   1,000,000 rows objects streamed: 7686 ms (130,000 rows/s); JSON.stringify in memory 1321 ms
 * Still ~5-8x JSON.stringify: TIMESTAMP and DECIMAL values are formatted by node-api's JS toString.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { DEMO_DATASETS } from '../src/sandbox/seed.ts';
import { createSandbox } from '../src/sandbox/server.ts';

const rows = Number(process.argv[2] ?? 200_000);
const shape = (process.argv[3] ?? 'objects') as 'objects' | 'columns';
const token = 'bench-token';
const sandbox = await createSandbox({ token, largeRows: rows, sqlShape: shape });
try {
  const post = async () => {
    const { stdout } = await promisify(execFile)(
      'curl',
      [
        '-sS',
        '-X',
        'POST',
        `${sandbox.url}/api/query/v1/execute/${DEMO_DATASETS.sales}`,
        '-H',
        `x-domo-developer-token: ${token}`,
        '-H',
        'content-type: application/json',
        '--data',
        JSON.stringify({ sql: 'SELECT * FROM t' }),
      ],
      { encoding: 'buffer', maxBuffer: 2 ** 31 },
    );
    return new Uint8Array(stdout);
  };
  await post(); // warm-up
  const start = performance.now();
  const bytes = await post();
  const ms = performance.now() - start;
  const parsed = JSON.parse(new TextDecoder().decode(bytes));
  const count = Array.isArray(parsed) ? parsed.length : parsed.rows.length;
  const s0 = performance.now();
  const text = JSON.stringify(parsed);
  const stringifyMs = performance.now() - s0;
  console.log(
    `${shape}: ${count} rows, ${(bytes.length / 1e6).toFixed(1)} MB in ${ms.toFixed(0)} ms` +
      ` = ${Math.round(count / (ms / 1000))} rows/s; JSON.stringify in memory ${stringifyMs.toFixed(0)} ms` +
      ` (${(text.length / 1e6).toFixed(1)} MB); ratio ${(ms / stringifyMs).toFixed(2)}x`,
  );
} finally {
  await sandbox.close();
}
