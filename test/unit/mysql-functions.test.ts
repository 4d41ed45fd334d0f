/** The sandbox's MySQL compatibility: macros and string literals, run on a real DuckDB. */
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringLiteral } from '../../src/rows/sql.ts';
import { defineMysqlFunctions, duckDbStringLiteral, mysqlEscape } from '../../src/sandbox/mysql-functions.ts';
import { toDuckDbSql } from '../../src/sandbox/sql.ts';

let db: DuckDBInstance;
let one: (sql: string) => Promise<unknown>;
beforeAll(async () => {
  db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  await defineMysqlFunctions((sql) => conn.run(sql));
  one = async (sql) => (await conn.runAndReadAll(sql)).getRowsJson()[0]?.[0];
});
afterAll(() => db.closeSync());

describe('MySQL macros', () => {
  it('TO_DAYS and FROM_DAYS count days as MySQL does', async () => {
    // MySQL's documentation: TO_DAYS(950501) = 728779, FROM_DAYS(730669) = '2000-07-03'.
    expect(await one("SELECT mysql_to_days(DATE '1995-05-01')")).toBe('728779');
    expect(await one('SELECT mysql_from_days(730669)')).toBe('2000-07-03');
    expect(await one("SELECT mysql_to_days(TIMESTAMP '2023-01-01 23:59:59')")).toBe('738886');
    expect(await one("SELECT mysql_from_days(mysql_to_days('2024-02-29'))")).toBe('2024-02-29');
  });

  it('the week key the compiler emits is the Sunday of the week', async () => {
    const weekStart = (d: string) =>
      one(`SELECT mysql_from_days(mysql_to_days(DATE '${d}') - mod(mysql_to_days(DATE '${d}') + 6, 7))`);
    expect(await weekStart('2023-01-01')).toBe('2023-01-01'); // a Sunday
    expect(await weekStart('2023-01-07')).toBe('2023-01-01'); // Saturday
    expect(await weekStart('2023-01-08')).toBe('2023-01-08');
  });
});

describe('string literals as MySQL reads them', () => {
  it('backslash escapes', () => {
    expect(['0', 'b', 'n', 'r', 't', 'Z', '\\', "'", '"', 'q', '%', '_'].map(mysqlEscape)).toEqual([
      '\0',
      '\b',
      '\n',
      '\r',
      '\t',
      '\x1a',
      '\\',
      "'",
      '"',
      'q',
      '\\%',
      '\\_',
    ]);
  });

  it('every string the row compiler escapes reaches DuckDB unchanged, NUL included', async () => {
    const corpus = [
      "'",
      "\\'",
      '\\',
      '\\\\',
      '`',
      '"',
      ';--',
      "'; DROP TABLE x; --",
      '\0',
      'a\0b\0',
      '’‘ʼ＇',
      '\n\r\t',
      'é漢字🙂',
      '%_!',
      'x'.repeat(5000),
    ];
    for (const value of corpus) {
      const sql = toDuckDbSql(`SELECT ${stringLiteral(value)} AS v FROM t`, '(SELECT 1)');
      expect(await one(sql), JSON.stringify(value).slice(0, 40)).toBe(value);
    }
    expect(duckDbStringLiteral("a'b")).toBe("'a''b'");
    expect(duckDbStringLiteral('a\0b')).toBe("('a' || chr(0) || 'b')");
  });
});
