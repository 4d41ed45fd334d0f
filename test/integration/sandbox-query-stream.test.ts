/**
 * The SQL answer is streamed chunk by chunk: its JSON must mean exactly what DuckDB holds (numbers
 * as numbers, exact text for a LONG beyond 2^53, DATETIME as `YYYY-MM-DDTHH:MM:SS`, nulls) in both
 * shapes over every demo dataset and many chunks; a failure after the first byte cuts the
 * connection, and a client that hangs up midway frees the query.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_DATASETS } from '../../src/sandbox/seed.ts';
import { createSandbox, type Sandbox } from '../../src/sandbox/server.ts';
import { domoTypeOf, tableName } from '../../src/sandbox/store.ts';

const TOKEN = 'stream-token';
/** Several DuckDB chunks (2,048 rows each) in the large dataset. */
const ROWS = 9_000;
let objects: Sandbox;
let columns: Sandbox;

beforeAll(async () => {
  [objects, columns] = await Promise.all([
    createSandbox({ token: TOKEN, largeRows: ROWS, sqlShape: 'objects' }),
    createSandbox({ token: TOKEN, largeRows: ROWS, sqlShape: 'columns' }),
  ]);
}, 60_000);
afterAll(async () => {
  await Promise.all([objects?.close(), columns?.close()]);
});

function post(sandbox: Sandbox, id: string, sql: string, signal?: AbortSignal) {
  return fetch(`${sandbox.url}/api/query/v1/execute/${id}`, {
    method: 'POST',
    headers: { 'x-domo-developer-token': TOKEN, 'content-type': 'application/json' },
    body: JSON.stringify({ sql }),
    signal,
  });
}

/** What the sandbox must send for a DuckDB value read as JSON (getRowsJson), by the column's type. */
function expected(duckType: string, value: unknown): unknown {
  const type = domoTypeOf(duckType);
  if (value === null) return null;
  if (type === 'LONG') {
    const n = Number(value);
    return Number.isSafeInteger(n) ? n : String(value);
  }
  if (type === 'DECIMAL') return Number(value);
  if (type === 'DATETIME') return String(value).replace(' ', 'T').replace(/\+00$/, '');
  return value;
}

/** The reference answer, read whole by DuckDB itself, outside the route. */
async function reference(sandbox: Sandbox, sql: string) {
  const reader = await sandbox.store.run(sql);
  const names = reader.columnNames();
  const types = reader.columnTypes().map(String);
  const rows = reader.getRowsJson().map((row) => row.map((v, i) => expected(types[i]!, v)));
  return { names, types, rows };
}

const LITERALS =
  'SELECT 1 AS a, 2 AS a, NULL AS n, 9007199254740993 AS big, -9007199254740991 AS small, ' +
  "1.5::DOUBLE / 0 AS inf, 'nan'::DOUBLE AS nan, TRUE AS b, [1, 2] AS l, 'quote \" \n' AS s, " +
  "123.456::DECIMAL(20, 3) AS dec, TIMESTAMP '2024-02-29 12:34:56.789' AS ts, DATE '2024-02-29' AS d, " +
  '170141183460469231731687303715884105727::HUGEINT AS huge, 42::TINYINT AS tiny, 1.25::FLOAT AS f FROM t LIMIT 1';

describe('streamed SQL answers', () => {
  const datasets = Object.entries(DEMO_DATASETS);
  it.each(datasets)('objects shape of %s is the dataset, value for value', async (_name, id) => {
    const res = await post(objects, id, 'SELECT * FROM t');
    expect(res.status).toBe(200);
    const body = (await res.json()) as Array<Record<string, unknown>>;
    const ref = await reference(objects, `SELECT * FROM ${tableName(id)}`);
    expect(body).toEqual(ref.rows.map((row) => Object.fromEntries(ref.names.map((n, i) => [n, row[i]]))));
  });

  it.each(datasets)('columns shape of %s is the dataset, value for value', async (_name, id) => {
    const res = await post(columns, id, 'SELECT * FROM t');
    expect(res.status).toBe(200);
    const ref = await reference(columns, `SELECT * FROM ${tableName(id)}`);
    expect(await res.json()).toEqual({
      datasource: id,
      columns: ref.names,
      metadata: ref.types.map((t) => ({ type: domoTypeOf(t), dataSourceId: id, maxLength: -1 })),
      rows: ref.rows,
      numRows: ref.rows.length,
      numColumns: ref.names.length,
      fromcache: false,
    });
  });

  it('the large dataset spans several chunks and every row arrives once', async () => {
    const res = await post(columns, DEMO_DATASETS.sales, 'SELECT transaction_id FROM t ORDER BY 1');
    const body = (await res.json()) as { rows: number[][]; numRows: number };
    expect(body.numRows).toBe(ROWS);
    expect(body.rows.map((r) => r[0])).toEqual(Array.from({ length: ROWS }, (_, i) => i + 1));
  });

  it('literals of every common type mean what DuckDB holds, in both shapes', async () => {
    const ref = await reference(
      objects,
      LITERALS.replace(' FROM t ', ` FROM ${tableName(DEMO_DATASETS.sales)} `),
    );
    const row = ref.rows[0]!;
    // A repeated name keeps its first place and its last value, as a JS object would.
    const object: Record<string, unknown> = {};
    ref.names.forEach((n, i) => {
      object[n] = row[i];
    });
    const viaObjects = await post(objects, DEMO_DATASETS.sales, LITERALS);
    expect(await viaObjects.json()).toEqual([object]);
    const viaColumns = await post(columns, DEMO_DATASETS.sales, LITERALS);
    expect(((await viaColumns.json()) as { rows: unknown[][] }).rows).toEqual([row]);
    expect(object).toMatchObject({ a: 2, big: '9007199254740993', small: -9007199254740991, dec: 123.456 });
    expect(object.ts).toBe('2024-02-29T12:34:56.789');
  });

  it('an empty answer is an empty list', async () => {
    const res = await post(columns, DEMO_DATASETS.sales, 'SELECT * FROM t WHERE 1 = 0');
    expect(await res.json()).toMatchObject({ rows: [], numRows: 0, numColumns: 8 });
  });
});

describe('a streamed answer that cannot finish', () => {
  it('a failure after the first byte cuts the connection instead of sending a short body', async () => {
    // A deadline that passes while rows are flowing: the status (200) is long gone by then.
    const sandbox = await createSandbox({ token: TOKEN, largeRows: 20, queryTimeoutMs: 1_000 });
    try {
      const res = await post(sandbox, DEMO_DATASETS.sales, 'SELECT a.* FROM t a, t b, t c, t d, t e, t f');
      expect(res.status).toBe(200);
      await expect(res.text()).rejects.toThrow();
      while (sandbox.store.runningQueries !== 0) await new Promise((r) => setTimeout(r, 20));
      const next = await post(sandbox, DEMO_DATASETS.sales, 'SELECT count(*) AS n FROM t');
      expect(await next.json()).toEqual([{ n: 20 }]);
    } finally {
      await sandbox.close();
    }
  }, 60_000);

  it('a client that hangs up midway frees the query', async () => {
    const controller = new AbortController();
    const res = await post(objects, DEMO_DATASETS.sales, 'SELECT a.* FROM t a, t b', controller.signal);
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    await reader.read();
    // The answer is far larger than any socket buffer: the sandbox waits for the reader.
    expect(objects.store.runningQueries).toBe(1);
    controller.abort();
    while (objects.store.runningQueries !== 0) await new Promise((r) => setTimeout(r, 20));
    expect((await post(objects, DEMO_DATASETS.sales, 'SELECT count(*) AS n FROM t')).status).toBe(200);
  });
});
