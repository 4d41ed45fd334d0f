/**
 * The row compiler: the SQL of every operator (snapshots), escaping, and refusals with their path.
 * The SQL's behaviour on a real engine is checked in test/integration/rows*.test.ts.
 */
import { describe, expect, it } from 'vitest';
import {
  compileAggregate,
  compileCount,
  compileDistinct,
  compileRows,
  grainKeyToDate,
} from '../../src/rows/compile.ts';
import type { Clock } from '../../src/rows/dates.ts';
import { RowsInputError } from '../../src/rows/errors.ts';
import { type Condition, namedFilter, typedFilter } from '../../src/rows/filter.ts';
import { ident, stringLiteral } from '../../src/rows/sql.ts';
import type { RowColumn } from '../../src/rows/values.ts';

const columns: RowColumn[] = [
  { name: 'id', type: 'LONG' },
  { name: 'region', type: 'STRING' },
  { name: 'price', type: 'DECIMAL' },
  { name: 'ratio', type: 'DOUBLE' },
  { name: 'day', type: 'DATE' },
  { name: 'at', type: 'DATETIME' },
  { name: 'odd `name`', type: 'STRING' },
];
const clock: Clock = { now: Date.UTC(2025, 4, 14, 10, 30), timeZone: 'UTC' };
const page = { limit: 10, offset: 0 };

const where = (column: string, condition: Condition) =>
  compileCount({ columns, where: namedFilter({ column, ...condition }), clock }).replace(
    'SELECT COUNT(*) AS `count` FROM table WHERE ',
    '',
  );

function refusal(fn: () => unknown): RowsInputError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(RowsInputError);
    return error as RowsInputError;
  }
  throw new Error('expected a refusal');
}

describe('literals and identifiers', () => {
  it('escapes quotes, backslashes and NUL, and nothing else', () => {
    expect(stringLiteral("it's")).toBe("'it''s'");
    expect(stringLiteral('a\\b')).toBe("'a\\\\b'");
    expect(stringLiteral("\\'; DROP TABLE x;--")).toBe("'\\\\''; DROP TABLE x;--'");
    expect(stringLiteral('a\0b')).toBe("'a\\0b'");
    expect(stringLiteral('line\nnext\r\t’‘`"')).toBe("'line\nnext\r\t’‘`\"'");
    expect(ident('a`b')).toBe('`a``b`');
  });

  it('a literal always ends where it began, whatever the string', () => {
    // Reads a literal back the way MySQL does: the text between the quotes is the string again.
    const readBack = (sql: string) => {
      expect(sql.startsWith("'") && sql.endsWith("'")).toBe(true);
      let out = '';
      for (let i = 1; i < sql.length - 1; i++) {
        const c = sql[i]!;
        if (c === '\\') {
          const n = sql[++i]!;
          out += n === '0' ? '\0' : n;
        } else if (c === "'") {
          expect(sql[++i]).toBe("'");
          out += "'";
        } else out += c;
      }
      return out;
    };
    const corpus = [
      "'",
      "''",
      '\\',
      "\\'",
      '`',
      '"',
      ';--',
      "'; DROP TABLE t; --",
      '\0',
      '’',
      '‘',
      'ʼ',
      '＇',
      '\n',
      '\r\n',
      'x'.repeat(100_000),
      'SELECT',
      'OR 1=1',
      '%',
      '_',
      '!',
      '\\%',
      '\u2028',
    ];
    for (const value of corpus) expect(readBack(stringLiteral(value))).toBe(value);
  });
});

describe('operators (SQL snapshots)', () => {
  it('equality, lists and nulls', () => {
    expect(where('region', { eq: 'West' })).toBe("`region` = 'West'");
    expect(where('region', { neq: 'West' })).toBe("`region` <> 'West'");
    expect(where('region', { eq: 'west', caseInsensitive: true })).toBe("LOWER(`region`) = LOWER('west')");
    expect(where('id', { in: [1, 2, 3] })).toBe('`id` IN (1, 2, 3)');
    expect(where('id', { notIn: [1] })).toBe('`id` NOT IN (1)');
    expect(where('id', { in: [] })).toBe('1 = 0');
    expect(where('id', { notIn: [] })).toBe('SELECT COUNT(*) AS `count` FROM table');
    expect(where('region', { isNull: true })).toBe('`region` IS NULL');
    expect(where('region', { isNull: false })).toBe('`region` IS NOT NULL');
    expect(where('odd `name`', { eq: 'x' })).toBe("`odd ``name``` = 'x'");
  });

  it('order comparisons on numbers, dates and date-times', () => {
    expect(where('price', { gt: 10.5, lte: 20 })).toBe('(`price` <= 20 AND `price` > 10.5)');
    expect(where('ratio', { lt: 0.25 })).toBe('`ratio` < 0.25');
    expect(where('id', { gte: -3 })).toBe('`id` >= -3');
    expect(where('id', { between: { from: 1, to: 9 } })).toBe('`id` BETWEEN 1 AND 9');
    expect(where('day', { gte: '2024-02-29' })).toBe("`day` >= '2024-02-29'");
    expect(where('at', { lt: '2024-05-01T12:00:00+02:00' })).toBe("`at` < '2024-05-01 10:00:00'");
    expect(where('at', { eq: '2024-05-01T12:00:00.250Z' })).toBe("`at` = '2024-05-01 12:00:00.250'");
  });

  it('text matching, with LIKE wildcards in the value taken literally', () => {
    expect(where('region', { contains: 'es' })).toBe("`region` LIKE '%es%' ESCAPE '!'");
    expect(where('region', { notContains: 'es' })).toBe("`region` NOT LIKE '%es%' ESCAPE '!'");
    expect(where('region', { startsWith: 'W' })).toBe("`region` LIKE 'W%' ESCAPE '!'");
    expect(where('region', { endsWith: 't' })).toBe("`region` LIKE '%t' ESCAPE '!'");
    expect(where('region', { contains: '50%_off!' })).toBe("`region` LIKE '%50!%!_off!!%' ESCAPE '!'");
    expect(where('region', { contains: 'ES', caseInsensitive: true })).toBe(
      "LOWER(`region`) LIKE LOWER('%ES%') ESCAPE '!'",
    );
  });

  it('relative date ranges against the stated clock', () => {
    // 2025-05-14 is a Wednesday.
    expect(where('day', { last: { count: 7, unit: 'DAY' } })).toBe(
      "(`day` >= '2025-05-08' AND `day` < '2025-05-15')",
    );
    expect(where('day', { previous: { count: 1, unit: 'MONTH' } })).toBe(
      "(`day` >= '2025-04-01' AND `day` < '2025-05-01')",
    );
    expect(where('day', { previous: { unit: 'WEEK' } })).toBe(
      "(`day` >= '2025-05-04' AND `day` < '2025-05-11')",
    );
    expect(where('day', { last: { count: 2, unit: 'QUARTER' } })).toBe(
      "(`day` >= '2025-01-01' AND `day` < '2025-07-01')",
    );
    expect(where('day', { toDate: 'YEAR' })).toBe("(`day` >= '2025-01-01' AND `day` < '2025-05-15')");
    expect(where('at', { toDate: 'MONTH' })).toBe(
      "(`at` >= '2025-05-01 00:00:00' AND `at` <= '2025-05-14 10:30:00')",
    );
    const paris = compileCount({
      columns,
      where: namedFilter({ column: 'at', previous: { count: 1, unit: 'DAY' } }),
      clock: { now: clock.now, timeZone: 'Europe/Paris' },
    });
    // Paris is UTC+2 in May: its midnights are 22:00 UTC the day before.
    expect(paris).toContain("`at` >= '2025-05-12 22:00:00' AND `at` < '2025-05-13 22:00:00'");
    const tokyoNewYear = compileCount({
      columns,
      where: namedFilter({ column: 'day', toDate: 'DAY' }),
      clock: { now: Date.UTC(2024, 11, 31, 20), timeZone: 'Asia/Tokyo' },
    });
    expect(tokyoNewYear).toContain("`day` >= '2025-01-01'");
  });

  it('and, or, not nest freely', () => {
    const f = namedFilter({
      or: [
        { column: 'region', eq: 'West' },
        { and: [{ column: 'id', gt: 5 }, { not: { column: 'ratio', isNull: true } }] },
      ],
    });
    expect(compileCount({ columns, where: f, clock })).toBe(
      "SELECT COUNT(*) AS `count` FROM table WHERE (`region` = 'West' OR (`id` > 5 AND NOT (`ratio` IS NULL)))",
    );
    expect(compileCount({ columns, where: namedFilter({}), clock })).toBe(
      'SELECT COUNT(*) AS `count` FROM table',
    );
    expect(compileCount({ columns, where: namedFilter({ or: [] }), clock })).toContain('WHERE 1 = 0');
  });

  it('typed filters map field names back to columns', () => {
    const fields: Record<string, string> = { oddName: 'odd `name`', region: 'region' };
    const f = typedFilter({ oddName: { eq: 'a' }, or: [{ region: { startsWith: 'N' } }] }, (k) => fields[k]);
    expect(compileCount({ columns, where: f, clock })).toBe(
      "SELECT COUNT(*) AS `count` FROM table WHERE (`region` LIKE 'N%' ESCAPE '!' AND `odd ``name``` = 'a')",
    );
  });
});

describe('statements', () => {
  it('a page of rows asks one more row; ties broken by the other columns', () => {
    expect(compileRows({ columns: columns.slice(0, 3), page: { limit: 50, offset: 100 }, clock }).sql).toBe(
      'SELECT `id`, `region`, `price` FROM table LIMIT 51 OFFSET 100',
    );
    expect(
      compileRows({
        columns: columns.slice(0, 3),
        orderBy: [{ column: 'price', direction: 'DESC' }],
        page,
        clock,
      }).sql,
    ).toBe(
      'SELECT `id`, `region`, `price` FROM table ORDER BY (`price` IS NULL) ASC, `price` DESC, (`id` IS NULL) DESC, `id` ASC, (`region` IS NULL) DESC, `region` ASC LIMIT 11 OFFSET 0',
    );
    expect(
      compileRows({ columns: columns.slice(0, 1), orderBy: [{ column: 'id', nulls: 'LAST' }], page, clock })
        .sql,
    ).toBe('SELECT `id` FROM table ORDER BY (`id` IS NULL) ASC, `id` ASC LIMIT 11 OFFSET 0');
  });

  it('aggregates: keys, a date grain, metrics, having and ordering by a metric', () => {
    const s = compileAggregate({
      columns,
      groupBy: ['region'],
      dateGrain: { column: 'day', grain: 'MONTH' },
      metrics: [{ fn: 'COUNT' }, { fn: 'SUM', column: 'price' }, { fn: 'COUNT_DISTINCT', column: 'id' }],
      where: namedFilter({ column: 'ratio', gt: 0 }),
      having: {
        kind: 'cond',
        metric: { fn: 'SUM', column: 'price' },
        condition: { gt: 100 },
        path: 'having',
      },
      orderBy: [{ metric: { fn: 'SUM', column: 'price' }, direction: 'DESC' }],
      page,
      clock,
    });
    expect(s.sql).toBe(
      'SELECT `region` AS `k0`, (YEAR(`day`) * 100 + MONTH(`day`)) AS `k1`, COUNT(*) AS `m0`, SUM(`price`) AS `m1`, COUNT(DISTINCT `id`) AS `m2` FROM table WHERE `ratio` > 0 GROUP BY `region`, (YEAR(`day`) * 100 + MONTH(`day`)) HAVING SUM(`price`) > 100 ORDER BY (SUM(`price`) IS NULL) ASC, SUM(`price`) DESC, (`region` IS NULL) DESC, `region` ASC, ((YEAR(`day`) * 100 + MONTH(`day`)) IS NULL) DESC, (YEAR(`day`) * 100 + MONTH(`day`)) ASC LIMIT 11 OFFSET 0',
    );
    expect(s.keys.map((k) => k.name)).toEqual(['region', 'day']);
    expect(s.metrics.map((m) => m.type)).toEqual(['LONG', 'DOUBLE', 'LONG']);
  });

  it('every grain, and its key read back as the first day of the period', () => {
    const sqlOf = (grain: 'DAY' | 'WEEK' | 'MONTH' | 'QUARTER' | 'YEAR') =>
      compileAggregate({ columns, dateGrain: { column: 'at', grain }, metrics: [], page, clock }).sql.split(
        ' AS ',
      )[0];
    expect(sqlOf('DAY')).toBe('SELECT TO_DAYS(`at`)');
    expect(sqlOf('WEEK')).toBe('SELECT (TO_DAYS(`at`) - MOD(TO_DAYS(`at`) + 6, 7))');
    expect(sqlOf('QUARTER')).toBe('SELECT (YEAR(`at`) * 10 + QUARTER(`at`))');
    expect(sqlOf('YEAR')).toBe('SELECT YEAR(`at`)');
    expect(grainKeyToDate('DAY', 738886)).toBe('2023-01-01');
    expect(grainKeyToDate('MONTH', 202311)).toBe('2023-11-01');
    expect(grainKeyToDate('QUARTER', 20234)).toBe('2023-10-01');
    expect(grainKeyToDate('YEAR', 2023)).toBe('2023-01-01');
  });

  it('no grouping answers one row; distinct values come with their counts', () => {
    expect(compileAggregate({ columns, metrics: [{ fn: 'MAX', column: 'day' }], page, clock }).sql).toBe(
      'SELECT MAX(`day`) AS `m0` FROM table LIMIT 11 OFFSET 0',
    );
    expect(compileDistinct({ columns, column: 'region', page, clock }).sql).toBe(
      'SELECT `region` AS `k0`, COUNT(*) AS `m0` FROM table GROUP BY `region` ORDER BY (`region` IS NULL) DESC, `region` ASC LIMIT 11 OFFSET 0',
    );
  });
});

describe('refusals, before any SQL', () => {
  it('an unknown column names it and lists the valid ones', () => {
    const e = refusal(() => where('nope', { eq: 1 }));
    expect(e.path).toBe('where');
    expect(e.message).toContain('unknown column `nope`');
    expect(e.message).toContain('id, region, price');
    expect(refusal(() => where('Region', { eq: 'x' })).message).toContain('did you mean `region`');
    expect(refusal(() => compileRows({ columns, orderBy: [{ column: 'x' }], page, clock })).path).toBe(
      'orderBy[0].column',
    );
  });

  it('values are checked against the column type, with the path', () => {
    const cases: Array<[string, Condition, string]> = [
      ['id', { eq: '5' }, 'where.eq'],
      ['id', { eq: 1.5 }, 'where.eq'],
      ['id', { gt: Number.NaN }, 'where.gt'],
      ['ratio', { lt: Number.POSITIVE_INFINITY }, 'where.lt'],
      ['region', { eq: 5 }, 'where.eq'],
      ['day', { eq: '2023-02-29' }, 'where.eq'],
      ['day', { eq: '2023-13-01' }, 'where.eq'],
      ['day', { eq: "2023-01-01' OR 1=1" }, 'where.eq'],
      ['at', { gt: '2023-01-01T25:00:00Z' }, 'where.gt'],
      ['id', { in: [1, 'x'] }, 'where.in[1]'],
      ['id', { in: Array.from({ length: 10_000 }, (_, i) => i) }, 'where.in'],
      ['region', { gt: 'a' }, 'where.gt'],
      ['id', { contains: '1' }, 'where.contains'],
      ['region', { last: { count: 1, unit: 'DAY' } }, 'where.last'],
      ['day', { last: { count: 0, unit: 'DAY' } }, 'where.last.count'],
      ['id', { eq: null }, 'where.eq'],
      ['id', { between: { from: 1, to: 'z' } }, 'where.between.to'],
      ['id', { eq: 1, caseInsensitive: true }, 'where.caseInsensitive'],
    ];
    for (const [column, condition, path] of cases) {
      expect(refusal(() => where(column, condition)).path, JSON.stringify(condition).slice(0, 80)).toBe(path);
    }
  });

  it('filter trees are bounded in depth and size', () => {
    let deep: Record<string, unknown> = { column: 'id', eq: 1 };
    for (let i = 0; i < 40; i++) deep = { not: deep };
    expect(refusal(() => namedFilter(deep)).message).toContain('nest at most');
    const wide = { or: Array.from({ length: 2000 }, () => ({ column: 'id', eq: 1 })) };
    expect(refusal(() => namedFilter(wide)).message).toContain('at most 1000');
    expect(refusal(() => namedFilter({ eq: 1 })).message).toContain('add column');
    expect(refusal(() => namedFilter({ column: 'id' })).message).toContain('no operator');
  });

  it('metrics fit their column types', () => {
    const e = refusal(() =>
      compileAggregate({ columns, metrics: [{ fn: 'SUM', column: 'region' }], page, clock }),
    );
    expect(e.path).toBe('metrics[0].column');
    expect(
      refusal(() =>
        compileAggregate({ columns, dateGrain: { column: 'id', grain: 'DAY' }, metrics: [], page, clock }),
      ).path,
    ).toBe('dateGrain.column');
    expect(
      refusal(() =>
        compileAggregate({
          columns,
          groupBy: ['region'],
          orderBy: [{ key: 'id' }],
          metrics: [],
          page,
          clock,
        }),
      ).path,
    ).toBe('orderBy[0].key');
  });
});
