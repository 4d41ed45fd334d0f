/**
 * DuckDB writes the SQL answer's JSON itself (src/sandbox/json-rows.ts): its answers must mean
 * exactly what the JS encoder's do, value for value, over every type it encodes and their edges, in
 * both shapes; the wrapped statement must be the checked one (a statement that would read otherwise
 * once wrapped runs unwrapped), and hostile SQL is refused as before.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SandboxError } from '../../src/sandbox/errors.ts';
import { rowJsonSelect } from '../../src/sandbox/json-rows.ts';
import { DEMO_DATASETS } from '../../src/sandbox/seed.ts';
import { createSandbox, type Sandbox } from '../../src/sandbox/server.ts';
import { toDuckDbSql } from '../../src/sandbox/sql.ts';
import { wrapsStatement } from '../../src/sandbox/sql-guard.ts';
import { tableName } from '../../src/sandbox/store.ts';
import { hostileDuckDb } from '../helpers/hostile-sql.ts';

const TOKEN = 'engine-json-token';
const SALES = DEMO_DATASETS.sales;
const shapes = ['objects', 'columns'] as const;
/** engine: DuckDB writes the JSON; js: the encoder in routes/query.ts. */
const sandboxes: Record<string, Sandbox> = {};
const key = (shape: string, engine: boolean) => `${shape}:${engine ? 'engine' : 'js'}`;

beforeAll(async () => {
  await Promise.all(
    shapes.flatMap((shape) =>
      [true, false].map(async (engineJson) => {
        sandboxes[key(shape, engineJson)] = await createSandbox({
          token: TOKEN,
          largeRows: 5_000,
          sqlShape: shape,
          engineJson,
        });
      }),
    ),
  );
}, 120_000);
afterAll(async () => {
  await Promise.all(Object.values(sandboxes).map((s) => s.close()));
});

async function answer(sandbox: Sandbox, sql: string, id: string = SALES) {
  const res = await fetch(`${sandbox.url}/api/query/v1/execute/${id}`, {
    method: 'POST',
    headers: { 'x-domo-developer-token': TOKEN, 'content-type': 'application/json' },
    body: JSON.stringify({ sql }),
  });
  const text = await res.text();
  return { status: res.status, text, body: res.status === 200 ? JSON.parse(text) : text };
}

/** Whether the route's query would be answered by DuckDB's encoder (not the JS fallback). */
async function projects(sandbox: Sandbox, sql: string, shape: 'objects' | 'columns'): Promise<boolean> {
  const duck = toDuckDbSql(sql, tableName(SALES), () => false);
  const query = await sandbox.store.query(duck, {
    table: `ds_${SALES}`,
    timeoutMs: 30_000,
    project: (names, types) => rowJsonSelect(names, types, shape),
  });
  query.close();
  return query.projected;
}

/** Values of one type, each written as text and cast to it, and a null. */
const values = (type: string, texts: string[]) =>
  `SELECT CAST(x AS ${type}) AS v, 1 AS k FROM (VALUES ${[...texts.map((t) => `('${t.replaceAll("'", "''")}')`), '(NULL)'].join(', ')}) s(x)`;

const EDGES: Array<[string, string]> = [
  ['BOOLEAN', values('BOOLEAN', ['true', 'false'])],
  ['TINYINT', values('TINYINT', ['-128', '127', '0'])],
  ['SMALLINT', values('SMALLINT', ['-32768', '32767'])],
  ['INTEGER', values('INTEGER', ['-2147483648', '2147483647'])],
  ['UTINYINT/USMALLINT/UINTEGER', values('UINTEGER', ['0', '4294967295'])],
  [
    'BIGINT',
    values('BIGINT', [
      '9007199254740991',
      '-9007199254740991',
      '9007199254740992',
      '-9007199254740992',
      '9223372036854775807',
      '-9223372036854775808',
      '0',
    ]),
  ],
  ['UBIGINT', values('UBIGINT', ['0', '9007199254740991', '9007199254740992', '18446744073709551615'])],
  [
    'HUGEINT',
    values('HUGEINT', [
      '170141183460469231731687303715884105727',
      '-170141183460469231731687303715884105727',
      '-9007199254740991',
      '9007199254740993',
    ]),
  ],
  ['UHUGEINT', values('UHUGEINT', ['340282366920938463463374607431768211455', '1'])],
  [
    'FLOAT',
    values('FLOAT', ['0.1', '-0', 'nan', 'inf', '-inf', '3.4028235e38', '1e-45', '1.25', '16777217']),
  ],
  [
    'DOUBLE',
    values('DOUBLE', [
      '0.1',
      '0.30000000000000004',
      '-0',
      '0',
      '100',
      '1e21',
      '1e20',
      '1e-7',
      '0.000001',
      '5e-324',
      '1.7976931348623157e308',
      'nan',
      'inf',
      '-inf',
      '-123456789.125',
      '9007199254740993',
    ]),
  ],
  ['DECIMAL(4,1)', values('DECIMAL(4,1)', ['0', '-999.9', '0.1'])],
  ['DECIMAL(18,4)', values('DECIMAL(18,4)', ['99999999999999.9999', '-0.0001', '12.5'])],
  [
    'DECIMAL(38,10)',
    values('DECIMAL(38,10)', [
      '900719.9254740991',
      '900719.9254740992',
      '-900719.9254740993',
      '9999999999999999999999999999.9999999999',
      '0.0000000001',
      '84.19',
      '0',
    ]),
  ],
  ['DECIMAL(38,0)', values('DECIMAL(38,0)', ['99999999999999999999999999999999999999', '9007199254740993'])],
  ['DECIMAL(38,30)', values('DECIMAL(38,30)', ['12345678.123456789012345678901234567891', '0.1'])],
  [
    'VARCHAR',
    `SELECT CAST(x AS VARCHAR) AS v FROM (VALUES (''), ('say "hi" \\ back/slash'), ('it''s'), (NULL),
       (${Array.from({ length: 32 }, (_, i) => `chr(${i || 32})`).join(' || ')}),
       (chr(127) || chr(8232) || chr(8233) || 'é😀中'), ('{"a":1}'), (repeat('long text ', 500))) s(x)`,
  ],
  ['JSON (a VARCHAR alias)', `SELECT '{"a": [1, 2]}'::JSON AS v, NULL::JSON AS w FROM t LIMIT 2`],
  [
    'DATE',
    values('DATE', [
      '2024-02-29',
      '0001-01-01',
      '9999-12-31',
      '10000-01-01',
      '0001-12-31 (BC)',
      '0001-01-01 (BC)',
      '0002-06-15 (BC)',
      '0044-03-15 (BC)',
      'infinity',
      '-infinity',
      '1969-12-31',
      '5881580-07-10',
      '4714-11-24 (BC)',
    ]),
  ],
  [
    'TIMESTAMP',
    values('TIMESTAMP', [
      '2024-02-29 12:34:56.789',
      '2024-02-29 12:34:56.000001',
      '2024-02-29 00:00:00',
      '1969-12-31 23:59:59.5',
      '0001-01-01 00:00:00',
      '9999-12-31 23:59:59.999999',
      '10000-01-01 01:02:03.1',
      '0001-06-30 (BC) 13:14:15.25',
      '0044-03-15 (BC) 12:00:00',
      'infinity',
      '-infinity',
      '4713-11-24 (BC) 00:00:00',
      '294247-01-10 04:00:54.775806',
    ]),
  ],
  [
    'DECIMAL(38,10) over many magnitudes',
    `SELECT CAST(substr(CAST(hash(i) AS VARCHAR), 1, 1 + i % 28) || '.' || lpad(CAST(hash(i * 7) % 10000000000 AS VARCHAR), 10, '0') AS DECIMAL(38,10)) * (CASE WHEN i % 2 = 0 THEN 1 ELSE -1 END) AS v
     FROM (SELECT unnest(range(6000)) AS i) s`,
  ],
  [
    'DOUBLE over many magnitudes',
    'SELECT (hash(i) % 1000000007) / pow(10, i % 30) - 1e15 * (i % 3) AS v FROM (SELECT unnest(range(6000)) AS i) s',
  ],
  [
    'names that are not plain',
    `SELECT 1 AS "a'b", 2 AS "c""d", 3 AS "e\\f", 4 AS "-- g", 5 AS "*/ h", 6 AS "é😀", 7 AS " ", 8 AS "a'b" FROM t LIMIT 1`,
  ],
  ['repeated names', 'SELECT 1 AS a, 2 AS b, 3 AS a, region AS b FROM t LIMIT 3'],
  ['the sales dataset, several chunks', 'SELECT * FROM t ORDER BY transaction_id DESC'],
];

describe.each(shapes)('DuckDB’s JSON means what the JS encoder’s does (%s shape)', (shape) => {
  it.each(EDGES)('%s', async (_name, sql) => {
    const [engine, js] = await Promise.all([
      answer(sandboxes[key(shape, true)]!, sql),
      answer(sandboxes[key(shape, false)]!, sql),
    ]);
    expect(js.status, js.text).toBe(200);
    expect(engine.status, engine.text).toBe(200);
    // toEqual tells -0 from 0 and NaN from null, so the values are compared exactly.
    expect(engine.body).toEqual(js.body);
    expect(await projects(sandboxes[key(shape, true)]!, sql, shape)).toBe(true);
  });

  it.each(Object.entries(DEMO_DATASETS))('demo dataset %s', async (_name, id) => {
    const [engine, js] = await Promise.all([
      answer(sandboxes[key(shape, true)]!, 'SELECT * FROM t', id),
      answer(sandboxes[key(shape, false)]!, 'SELECT * FROM t', id),
    ]);
    expect(engine.body).toEqual(js.body);
  });
});

describe('the engine encoder is the one answering', () => {
  it('whole doubles arrive as DuckDB writes them (100.0), meaning 100', async () => {
    const sql = 'SELECT 100::DOUBLE AS d FROM t LIMIT 1';
    expect((await answer(sandboxes['objects:engine']!, sql)).text).toBe('[{"d":100.0}]');
    expect((await answer(sandboxes['objects:js']!, sql)).text).toBe('[{"d":100}]');
  });

  it('a type it does not encode (a list) leaves the whole answer to the JS encoder', async () => {
    const sql = 'SELECT [1, 2] AS l, 100::DOUBLE AS d FROM t LIMIT 1';
    expect((await answer(sandboxes['objects:engine']!, sql)).text).toBe('[{"l":[1,2],"d":100}]');
  });

  it('has no select list for an unencoded type', () => {
    expect(rowJsonSelect(['a'], [], 'objects')).toBeNull();
  });

  it.each([
    ['a trailing semicolon', 'SELECT 100::DOUBLE AS d FROM t LIMIT 1;', '[{"d":100.0}]'],
    ['a trailing line comment', 'SELECT 100::DOUBLE AS d FROM t LIMIT 1 -- done', '[{"d":100.0}]'],
    ['a trailing block comment', 'SELECT 100::DOUBLE AS d FROM t LIMIT 1 /* ) x */', '[{"d":100.0}]'],
  ])('wraps a statement with %s', async (_name, sql, text) => {
    expect((await answer(sandboxes['objects:engine']!, sql)).text).toBe(text);
  });

  it('empty answers are empty in both shapes', async () => {
    expect((await answer(sandboxes['objects:engine']!, 'SELECT * FROM t WHERE 1 = 0')).text).toBe('[]');
    const columns = await answer(sandboxes['columns:engine']!, 'SELECT * FROM t WHERE 1 = 0');
    expect(columns.body).toMatchObject({ rows: [], numRows: 0, numColumns: 8 });
  });
});

describe('the wrapped statement is the checked one', () => {
  const serialize = async (sandbox: Sandbox, sql: string) =>
    String(
      (await sandbox.store.run('SELECT json_serialize_sql(CAST($1 AS VARCHAR))', [sql])).getRows()[0]![0],
    );

  it('recognises the statement inside its wrapper, and only it', async () => {
    const sandbox = sandboxes['objects:engine']!;
    const inner = 'SELECT region, quantity FROM t WHERE quantity > 3 ORDER BY 2';
    const original = await serialize(sandbox, inner);
    const wrap = (sql: string) => `SELECT concat(c0, c1) FROM (\n${sql}\n) AS _q(c0, c1)`;
    expect(wrapsStatement(await serialize(sandbox, wrap(inner)), original)).toBe(true);
    // What a crafted text could make of the wrapper: another subquery, a join, another filter.
    for (const other of [
      'SELECT region, quantity FROM t WHERE quantity > 4 ORDER BY 2',
      'SELECT region, quantity FROM t WHERE quantity > 3 ORDER BY 2) AS _q(c0, c1), (SELECT 1',
    ]) {
      expect(wrapsStatement(await serialize(sandbox, wrap(other)), original)).toBe(false);
    }
    expect(wrapsStatement(await serialize(sandbox, 'SELECT 1 ('), original)).toBe(false);
    expect(wrapsStatement('not json', original)).toBe(false);
  });

  it('refuses the DuckDB-dialect hostile corpus with a projection asked for, as without', async () => {
    const sandbox = sandboxes['objects:engine']!;
    const table = `ds_${SALES}`;
    let projected = 0;
    for (const { sql } of hostileDuckDb('/nonexistent', `ds_${DEMO_DATASETS.customers}`)) {
      const attempt = sandbox.store.query(sql.replaceAll('ds_x', `"${table}"`), {
        table,
        timeoutMs: 10_000,
        project: () => {
          projected++;
          return "'x'";
        },
      });
      const error = await attempt.then(
        (q) => q.close(),
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(SandboxError);
      expect((error as SandboxError).status).toBe(400);
    }
    expect(projected).toBe(0);
  });

  it('streams the projection over the checked statement, deadline and all', async () => {
    const sandbox = sandboxes['objects:engine']!;
    const table = `ds_${SALES}`;
    const query = await sandbox.store.query(`SELECT transaction_id FROM "${table}" ORDER BY 1 LIMIT 3`, {
      table,
      timeoutMs: 10_000,
      project: () => "concat('<', c0, '>')",
    });
    try {
      expect(query.projected).toBe(true);
      expect(query.columnNames).toEqual(['transaction_id']);
      expect(query.columnTypes.map(String)).toEqual(['BIGINT']);
      expect((await query.next())!.getColumnValues(0)).toEqual(['<1>', '<2>', '<3>']);
    } finally {
      query.close();
    }
  });
});
