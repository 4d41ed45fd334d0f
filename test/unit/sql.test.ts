import { describe, expect, it } from 'vitest';
import { SandboxError } from '../../src/sandbox/errors.ts';
import { toDuckDbSql } from '../../src/sandbox/sql.ts';

const T = '"ds_x"';
const sql = (text: string) => toDuckDbSql(text, T);
const refused = (text: string, message: RegExp) => {
  expect(() => sql(text)).toThrow(SandboxError);
  expect(() => sql(text)).toThrow(message);
};

describe('toDuckDbSql: translation', () => {
  it('calls the MySQL macros for TO_DAYS and FROM_DAYS, leaving DuckDB own names and columns alone', () => {
    expect(sql('SELECT TO_DAYS(d), from_days (n) FROM t')).toBe(
      `SELECT mysql_to_days(d), mysql_from_days (n) FROM ${T}`,
    );
    // A column named to_days is not a call; INTERVAL 1 DAY is DuckDB's to_days, untouched.
    expect(sql('SELECT to_days, d + INTERVAL 1 DAY FROM t')).toBe(
      `SELECT to_days, d + INTERVAL 1 DAY FROM ${T}`,
    );
  });

  it('turns backtick identifiers into double-quoted ones', () => {
    expect(sql('SELECT `region`, `unit price` FROM `table` GROUP BY `region`')).toBe(
      'SELECT "region", "unit price" FROM "ds_x" GROUP BY "region"',
    );
    expect(sql('SELECT `a``b`, `x"y` FROM t')).toBe('SELECT "a`b", "x""y" FROM "ds_x"');
  });

  it('lets any table name stand for the dataset', () => {
    for (const name of ['table', 'sales', '`3f5a1b2c-7d4e-4f60-9a8b-1c2d3e4f5a60`', 'schema.tbl', '"x"']) {
      expect(sql(`SELECT * FROM ${name} t`)).toBe('SELECT * FROM "ds_x" t');
    }
  });

  it('rewrites every table position: JOIN, comma joins, subqueries, UNION', () => {
    expect(sql('SELECT * FROM a JOIN b ON a.x = b.x')).toBe('SELECT * FROM "ds_x" JOIN "ds_x" ON a.x = b.x');
    expect(sql('SELECT * FROM a x, b y WHERE x.k IN (1, 2)')).toBe(
      'SELECT * FROM "ds_x" x, "ds_x" y WHERE x.k IN (1, 2)',
    );
    expect(sql('SELECT * FROM t WHERE x IN (SELECT y FROM other)')).toBe(
      'SELECT * FROM "ds_x" WHERE x IN (SELECT y FROM "ds_x")',
    );
    expect(sql('SELECT * FROM a UNION ALL SELECT * FROM b')).toBe(
      'SELECT * FROM "ds_x" UNION ALL SELECT * FROM "ds_x"',
    );
    expect(sql('SELECT * FROM (SELECT * FROM t) sub')).toBe('SELECT * FROM (SELECT * FROM "ds_x") sub');
  });

  it('rewrites parenthesised tables and joins, and leaves subqueries in parentheses alone', () => {
    expect(sql('SELECT * FROM (t)')).toBe('SELECT * FROM ("ds_x")');
    expect(sql('SELECT * FROM ((a JOIN b ON a.x = b.x))')).toBe(
      'SELECT * FROM (("ds_x" JOIN "ds_x" ON a.x = b.x))',
    );
    expect(sql('SELECT * FROM (`t` x, u y)')).toBe('SELECT * FROM ("ds_x" x, "ds_x" y)');
    expect(sql('SELECT * FROM ((SELECT 1 FROM t)) s')).toBe('SELECT * FROM ((SELECT 1 FROM "ds_x")) s');
    expect(sql('SELECT * FROM (VALUES (1)) v(a)')).toBe('SELECT * FROM (VALUES (1)) v(a)');
  });

  it('leaves commas outside a FROM clause alone', () => {
    expect(sql('SELECT a, b FROM t GROUP BY a, b ORDER BY a, b')).toBe(
      'SELECT a, b FROM "ds_x" GROUP BY a, b ORDER BY a, b',
    );
    expect(sql('SELECT SUM(x) OVER (PARTITION BY a, b) FROM t')).toBe(
      'SELECT SUM(x) OVER (PARTITION BY a, b) FROM "ds_x"',
    );
  });

  it('keeps CTE names, rewriting only the real tables', () => {
    expect(
      sql('WITH x AS (SELECT * FROM table), `y` AS (SELECT * FROM x) SELECT * FROM y JOIN table t2 ON 1=1'),
    ).toBe(
      'WITH x AS (SELECT * FROM "ds_x"), "y" AS (SELECT * FROM x) SELECT * FROM y JOIN "ds_x" t2 ON 1=1',
    );
  });

  it('leaves FROM inside EXTRACT, TRIM and SUBSTRING untouched', () => {
    expect(sql('SELECT EXTRACT(YEAR FROM order_date) AS y FROM t')).toBe(
      'SELECT EXTRACT(YEAR FROM order_date) AS y FROM "ds_x"',
    );
    expect(sql("SELECT TRIM(BOTH ' ' FROM region), SUBSTRING(region FROM 1 FOR 2) FROM t")).toBe(
      `SELECT TRIM(BOTH ' ' FROM region), SUBSTRING(region FROM 1 FOR 2) FROM "ds_x"`,
    );
  });

  it("reads MySQL string escapes into DuckDB's", () => {
    expect(sql("SELECT 'it''s', 'a\\'b', 'back\\\\slash', 'tab\\t', 'FROM x' FROM t")).toBe(
      `SELECT 'it''s', 'a''b', 'back\\slash', 'tab\t', 'FROM x' FROM "ds_x"`,
    );
  });

  it('sends each comment as one space and drops one trailing semicolon', () => {
    expect(sql('SELECT 1 FROM t -- FROM other\n;')).toBe('SELECT 1 FROM "ds_x"  \n');
    expect(sql('SELECT 1 /* FROM x */ FROM t;')).toBe('SELECT 1   FROM "ds_x"');
  });

  it('ends a line comment at \\r, \\r\\n or \\n, as DuckDB does', () => {
    for (const end of ['\r', '\r\n', '\n']) {
      expect(sql(`SELECT 1 -- note${end}FROM t`)).toBe(`SELECT 1  ${end}FROM "ds_x"`);
      refused(`SELECT 1 FROM t -- x${end}, read_text('/etc/passwd')`, /table functions/);
    }
  });

  it('reads nested block comments whole, as DuckDB does', () => {
    expect(sql('SELECT 1 /* a /* b */ FROM x */ FROM t')).toBe('SELECT 1   FROM "ds_x"');
    refused('SELECT 1 /* /* */ FROM t', /unterminated comment/);
  });

  it("keeps a string apart from the word before it, so E'…' cannot become an escape string", () => {
    expect(sql("SELECT DATE'2024-01-01' FROM t")).toBe(`SELECT DATE '2024-01-01' FROM "ds_x"`);
    expect(sql("SELECT E'\\\\' FROM t")).toBe(`SELECT E '\\' FROM "ds_x"`);
  });

  it('takes a statement in parentheses', () => {
    expect(sql('(SELECT 1 FROM t)')).toBe('(SELECT 1 FROM "ds_x")');
  });
});

describe('toDuckDbSql: refusals', () => {
  it('refuses empty SQL, several statements and unterminated text', () => {
    refused('   ', /empty/);
    refused('SELECT 1 FROM t; SELECT 2 FROM t', /only one SQL statement/);
    refused('SELECT 1 FROM t; DROP TABLE x', /only one SQL statement/);
    refused("SELECT 'open FROM t", /unterminated string/);
    refused('SELECT `open FROM t', /unterminated quoted identifier/);
    refused('SELECT 1 /* FROM t', /unterminated comment/);
    refused('SELECT $$ FROM t $$', /\$ is not supported/);
    refused('SELECT $1 FROM t', /\$ is not supported/);
  });

  it('refuses anything but SELECT', () => {
    for (const text of [
      'DELETE FROM t',
      'INSERT INTO t VALUES (1)',
      "ATTACH 'x.db'",
      'PRAGMA version',
      'FROM t',
    ]) {
      refused(text, /only SELECT statements/);
    }
  });

  it('refuses table functions, files and catalog functions', () => {
    refused("SELECT * FROM read_csv('/etc/passwd')", /table functions are not supported/);
    refused("SELECT * FROM t, read_parquet('x')", /table functions are not supported/);
    refused('SELECT * FROM t JOIN LATERAL duckdb_tables() d ON true', /table functions are not supported/);
    refused("SELECT * FROM '/etc/hostname'", /string cannot stand for a table/);
    refused("SELECT getenv('HOME') FROM t", /function getenv is not available/);
    refused("SELECT current_setting('threads') FROM t", /not available/);
    refused("SELECT * FROM t WHERE x IN (SELECT * FROM glob('*'))", /table functions/);
  });

  it("refuses DuckDB's statement-like subqueries and data changes after WITH", () => {
    refused('SELECT * FROM (TABLE other)', /TABLE is not supported/);
    refused('SELECT * FROM (SUMMARIZE other)', /SUMMARIZE/);
    refused('SELECT * FROM (SHOW TABLES)', /SHOW/);
    refused('SELECT * FROM (PIVOT other ON a)', /PIVOT/);
    refused('WITH x AS (SELECT 1) DELETE FROM t', /DELETE/);
    // A column of that name still works quoted.
    expect(sql('SELECT `update`, `table` FROM t')).toBe('SELECT "update", "table" FROM "ds_x"');
  });
});
