/**
 * The sandbox's SQL endpoint against hostile callers, over real HTTP: every statement in the corpus
 * is refused with 400 and Domo's error body, reads no file (a canary's secret never appears) and
 * writes none (the temp directory still holds only the canary). The parse-tree guard is also tried
 * alone, on DuckDB's own dialect, so it holds even where the tokenizer would not.
 */
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SandboxError } from '../../src/sandbox/errors.ts';
import { DEMO_DATASETS } from '../../src/sandbox/seed.ts';
import { createSandbox, type Sandbox } from '../../src/sandbox/server.ts';
import { hostileDuckDb, hostileQueries } from '../helpers/hostile-sql.ts';

const TOKEN = 'sql-security-token';
const SALES = DEMO_DATASETS.sales;
const OTHER = DEMO_DATASETS.customers;
const SECRET = `canary-${randomUUID()}`;

let sandbox: Sandbox;
let dir: string;

async function post(sql: string, id: string = SALES) {
  const res = await fetch(`${sandbox.url}/api/query/v1/execute/${id}`, {
    method: 'POST',
    headers: { 'x-domo-developer-token': TOKEN, 'content-type': 'application/json' },
    body: JSON.stringify({ sql }),
  });
  const text = await res.text();
  return { status: res.status, text, body: JSON.parse(text) as unknown };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sql-security-'));
  await writeFile(join(dir, 'canary.txt'), `${SECRET}\n`);
  sandbox = await createSandbox({ token: TOKEN, largeRows: 50 });
});

afterAll(async () => {
  await sandbox?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('DuckDB guards on the sandbox database', () => {
  it('has external access, extension installs and loads off, and its configuration locked', async () => {
    const rows = (
      await sandbox.store.run(
        `SELECT name, value FROM duckdb_settings() WHERE name IN ('enable_external_access',
          'autoinstall_known_extensions', 'autoload_known_extensions', 'allow_community_extensions',
          'allow_unsigned_extensions', 'lock_configuration')`,
      )
    ).getRows();
    expect(Object.fromEntries(rows.map(([k, v]) => [String(k), String(v)]))).toEqual({
      enable_external_access: 'false',
      autoinstall_known_extensions: 'false',
      autoload_known_extensions: 'false',
      allow_community_extensions: 'false',
      allow_unsigned_extensions: 'false',
      lock_configuration: 'true',
    });
    // Not even the sandbox's own connection can undo it.
    await expect(sandbox.store.run('SET enable_external_access = true')).rejects.toThrow(/locked/);
    await expect(sandbox.store.run(`SELECT * FROM read_text('${dir}/canary.txt')`)).rejects.toThrow(
      /disabled by configuration/,
    );
  });
});

describe("the sandbox's own file work under the lockdown", () => {
  it('uploads (read_csv on the parts) and SANDBOX_DB persistence still work', async () => {
    const dbDir = await mkdtemp(join(tmpdir(), 'sql-security-db-'));
    const dbPath = join(dbDir, 'sandbox.duckdb');
    const call = (box: Sandbox, method: string, path: string, body?: string) =>
      fetch(`${box.url}${path}`, {
        method,
        headers: { 'x-domo-developer-token': TOKEN, 'content-type': 'application/json' },
        body,
      });
    const staging = DEMO_DATASETS.staging;
    try {
      const first = await createSandbox({ token: TOKEN, largeRows: 10, dbPath });
      const base = `/api/data/v3/datasources/${staging}/uploads`;
      const { uploadId } = (await (await call(first, 'POST', base, '{}')).json()) as { uploadId: number };
      expect((await call(first, 'PUT', `${base}/${uploadId}/parts/1`, '7,seven,7,\n')).status).toBe(200);
      const commit = await call(first, 'PUT', `${base}/${uploadId}/commit`, '{"action":"APPEND"}');
      expect(commit.status, await commit.clone().text()).toBe(200);
      await first.close();
      const second = await createSandbox({ token: TOKEN, largeRows: 10, dbPath });
      try {
        const sql = JSON.stringify({ sql: 'SELECT count(*) AS n FROM t WHERE id = 7' });
        const res = await call(second, 'POST', `/api/query/v1/execute/${staging}`, sql);
        expect(await res.json()).toEqual([{ n: 1 }]);
      } finally {
        await second.close();
      }
    } finally {
      await rm(dbDir, { recursive: true, force: true });
    }
  });
});

describe('hostile SQL over HTTP', () => {
  const corpus = hostileQueries('<dir>', OTHER);

  it('has a corpus of at least 40 statements', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(40);
  });

  it.each(corpus.map((c) => [c.name, c.sql]))(
    'refuses %s with 400 and Domo’s error body',
    async (_name, sql) => {
      const res = await post(sql.replaceAll('<dir>', dir));
      expect(res.status, res.text).toBe(400);
      expect(res.body).toEqual({
        status: 400,
        statusReason: 'Bad Request',
        message: expect.any(String),
        toe: expect.stringMatching(/^[A-Z0-9]{10}-[A-Z0-9]{5}-[A-Z0-9]{5}$/),
      });
      expect(res.text).not.toContain(SECRET);
    },
  );

  it('read and wrote nothing: the temp directory holds only the unchanged canary', async () => {
    expect(await readdir(dir)).toEqual(['canary.txt']);
    expect(await readFile(join(dir, 'canary.txt'), 'utf8')).toBe(`${SECRET}\n`);
    for (const name of ['copy.csv', 'attached.db', 'export']) expect(existsSync(name)).toBe(false);
  });

  it('still answers after the whole corpus, with the catalog intact', async () => {
    const res = await post('SELECT count(*) AS n FROM t');
    expect(res).toMatchObject({ status: 200, body: [{ n: 50 }] });
    expect(sandbox.store.hasDataset(OTHER)).toBe(true);
  });
});

describe('the parse-tree guard alone (DuckDB dialect, tokenizer skipped)', () => {
  const table = `ds_${SALES}`;
  const own = (sql: string) => sql.replaceAll('ds_x', `"${table}"`);

  it.each(hostileDuckDb('<dir>', `ds_${OTHER}`).map((c) => [c.name, c.sql]))(
    'refuses %s',
    async (_name, sql) => {
      const attempt = sandbox.store.query(own(sql.replaceAll('<dir>', dir)), { table, timeoutMs: 10_000 });
      const error = await attempt.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(SandboxError);
      expect((error as SandboxError).status).toBe(400);
      expect((error as Error).message).not.toContain(SECRET);
    },
  );

  it('wrote nothing', async () => {
    expect(await readdir(dir)).toEqual(['canary.txt']);
  });

  it('lets a plain query over the dataset through', async () => {
    const query = await sandbox.store.query(own('SELECT count(*) FROM ds_x'), { table, timeoutMs: 10_000 });
    try {
      expect(Number((await query.next())!.getRows()[0]![0])).toBe(50);
      expect(await query.next()).toBeNull();
    } finally {
      query.close();
    }
  });
});

describe('functions the sandbox defines', () => {
  it('a macro the sandbox creates (as mysql-functions.ts does) is callable, even after lockDown', async () => {
    expect((await post('SELECT sandbox_twice(quantity) AS q FROM t LIMIT 1')).status).toBe(400);
    await sandbox.store.run('CREATE OR REPLACE MACRO sandbox_twice(x) AS x * 2');
    const res = await post('SELECT sandbox_twice(2) AS q FROM t LIMIT 1');
    expect(res, res.text).toMatchObject({ status: 200, body: [{ q: 4 }] });
  });

  it('a table macro never is', async () => {
    await sandbox.store.run('CREATE OR REPLACE MACRO sandbox_rows() AS TABLE SELECT 1 AS x');
    expect((await post('SELECT * FROM sandbox_rows()')).status).toBe(400);
    expect((await post('SELECT sandbox_rows() FROM t')).status).toBe(400);
  });
});

describe('legitimate SQL still works', () => {
  it.each([
    [
      'aggregates and GROUP BY',
      'SELECT region, COUNT(*) AS n, SUM(quantity) AS q FROM `table` GROUP BY region',
    ],
    ['ORDER BY, LIMIT, OFFSET', 'SELECT transaction_id FROM t ORDER BY transaction_id LIMIT 5 OFFSET 10'],
    ['the dataset id in backticks', `SELECT COUNT(*) AS n FROM \`${SALES}\``],
    ['subquery over the dataset', 'SELECT * FROM (SELECT region, quantity FROM t) s WHERE quantity > 3'],
    ['IN subquery', 'SELECT region FROM t WHERE transaction_id IN (SELECT MAX(transaction_id) FROM t)'],
    [
      'CTEs over the dataset',
      'WITH a AS (SELECT * FROM t), b AS (SELECT region FROM a) SELECT COUNT(*) AS n FROM b',
    ],
    ['nested CTE in scope', 'WITH a AS (SELECT 1 AS x) SELECT * FROM (SELECT * FROM a) s'],
    [
      'recursive CTE',
      'WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 3) SELECT n FROM r',
    ],
    ['backticked columns', "SELECT `region`, `unit_price` FROM t WHERE `region` = 'North' LIMIT 2"],
    [
      'MySQL-style functions',
      "SELECT YEAR(order_date) AS y, QUARTER(order_date) AS q, MONTH(order_date) AS m, WEEK(order_date) AS w, IFNULL(discount, 0) AS d, COALESCE(region, 'x') AS r, LOWER(product) AS p, UPPER(region) AS u FROM t WHERE product LIKE 'G%' LIMIT 3",
    ],
    [
      'CAST, CASE, COUNT(DISTINCT), AVG, MIN, MAX',
      "SELECT CAST(quantity AS VARCHAR) AS s, CASE WHEN quantity > 5 THEN 'big' ELSE 'small' END AS size, COUNT(DISTINCT region) OVER () AS regions FROM t LIMIT 2",
    ],
    [
      'aggregates',
      'SELECT AVG(unit_price) AS a, MIN(order_date) AS lo, MAX(created_at) AS hi, COUNT(DISTINCT product) AS p FROM t',
    ],
    [
      'window functions',
      'SELECT region, ROW_NUMBER() OVER (PARTITION BY region ORDER BY transaction_id) AS rn FROM t LIMIT 3',
    ],
    [
      'EXTRACT, string functions, a comment',
      "SELECT EXTRACT(YEAR FROM order_date) AS y, concat(region, '-', product) AS k -- note\rFROM t LIMIT 1",
    ],
    ['UNION of the dataset', 'SELECT region FROM t UNION SELECT product FROM t'],
    ['a trailing semicolon', 'SELECT 1 AS one FROM t LIMIT 1;'],
    [
      'ORDER BY DESC/ASC with NULLS, DISTINCT, casts to parameterised types',
      'SELECT DISTINCT region, CAST(unit_price AS DECIMAL(10, 2)) AS p FROM t ORDER BY region DESC NULLS LAST, p ASC LIMIT 3',
    ],
    [
      'HAVING, GROUP BY ALL, window frames, FILTER',
      'SELECT region, COUNT(*) FILTER (WHERE quantity > 2) AS n, SUM(quantity) AS q FROM t GROUP BY ALL HAVING COUNT(*) > 1 ORDER BY q DESC',
    ],
    [
      'joins of the dataset with itself',
      'SELECT a.region, COUNT(*) AS n FROM t a JOIN t b ON a.transaction_id = b.transaction_id LEFT JOIN t c ON c.transaction_id = a.transaction_id GROUP BY a.region',
    ],
    [
      'INTERSECT and EXCEPT',
      'SELECT region FROM t INTERSECT SELECT region FROM t EXCEPT SELECT product FROM t',
    ],
    [
      'VALUES and literals',
      "SELECT v.a, DATE '2024-01-01' AS d, INTERVAL 1 DAY AS i FROM (VALUES (1), (2)) v(a)",
    ],
  ])('%s', async (_name, sql) => {
    const res = await post(sql);
    expect(res.status, res.text).toBe(200);
    expect(Array.isArray(res.body)).toBe(true);
  });
});
