/**
 * Rows without SQL through the real gateway on the real sandbox: the same answers as hand-written
 * SQL through `query(sql)` for every demo dataset and column type, paging, batching, and refusals
 * made before any upstream call.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_DATASETS } from '../../src/sandbox/seed.ts';
import { type Stack, startStack } from '../helpers/stack.ts';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack.close());

const iso = (v: string) => new Date(`${v}Z`).toISOString();
const QUERY = /\/api\/query\/v1\/execute\//;
const SCHEMA = /\/schema\/indexed/;

interface Col {
  name: string;
  type: string;
}

async function columnsOf(id: string): Promise<Col[]> {
  const res = await stack.gql<{ dataset: { columns: Col[] } }>(
    'query($id: ID!) { dataset(id: $id) { columns { name type } } }',
    { id },
  );
  return res.data!.dataset.columns;
}

/** Hand-written SQL through `Dataset.query`, rows normalised as `rows` types them. */
async function handRows(id: string, sql: string, columns: Col[]): Promise<Array<Record<string, unknown>>> {
  const res = await stack.gql<{ dataset: { query: { objects: Array<Record<string, unknown>> } } }>(
    'query($id: ID!, $sql: String!) { dataset(id: $id) { query(sql: $sql) { objects } } }',
    { id, sql },
  );
  expect(res.errors, sql).toBeUndefined();
  const types = new Map(columns.map((c) => [c.name, c.type]));
  return res.data!.dataset.query.objects.map((row) =>
    Object.fromEntries(
      Object.entries(row).map(([k, v]) => [
        k,
        types.get(k) === 'DATETIME' && typeof v === 'string' ? iso(v) : v,
      ]),
    ),
  );
}

const ROWS = `query($id: ID!, $where: RowFilter, $orderBy: [RowOrder!], $first: Int, $after: String) {
  dataset(id: $id) { rows(where: $where, orderBy: $orderBy, first: $first, after: $after) {
    totalCount nodes pageInfo { hasNextPage endCursor } } } }`;

interface RowsAnswer {
  dataset: {
    rows: {
      totalCount: number;
      nodes: Array<Record<string, unknown>>;
      pageInfo: { hasNextPage: boolean; endCursor: string };
    };
  };
}

const rows = (id: string, vars: Record<string, unknown>) => stack.gql<RowsAnswer>(ROWS, { id, ...vars });

/** A literal as someone writing the SQL by hand would write it. */
function lit(type: string, v: unknown): string {
  if (typeof v === 'number') return String(v);
  const s = String(v);
  return `'${(type === 'DATETIME' ? s.replace('T', ' ').replace('Z', '') : s).replaceAll("'", "''")}'`;
}

const q = (name: string) => `\`${name}\``;

function cases(col: Col, sample: unknown[]): Array<[Record<string, unknown>, string]> {
  const [a, b] = [sample[0], sample[Math.floor(sample.length / 2)]];
  const c = q(col.name);
  const out: Array<[Record<string, unknown>, string]> = [
    [{ eq: a }, `${c} = ${lit(col.type, a)}`],
    [{ neq: a }, `${c} <> ${lit(col.type, a)}`],
    [{ in: [a, b] }, `${c} IN (${lit(col.type, a)}, ${lit(col.type, b)})`],
    [{ notIn: [a, b] }, `${c} NOT IN (${lit(col.type, a)}, ${lit(col.type, b)})`],
    [{ isNull: false }, `${c} IS NOT NULL`],
  ];
  if (col.type === 'STRING') {
    const s = String(a);
    const part = s.slice(1, 3);
    out.push(
      [{ contains: part }, `${c} LIKE '%${part}%'`],
      [{ notContains: part }, `${c} NOT LIKE '%${part}%'`],
      [{ startsWith: s.slice(0, 2) }, `${c} LIKE '${s.slice(0, 2)}%'`],
      [{ endsWith: s.slice(-2) }, `${c} LIKE '%${s.slice(-2)}'`],
      [{ contains: part.toUpperCase(), caseInsensitive: true }, `LOWER(${c}) LIKE '%${part.toLowerCase()}%'`],
    );
  } else {
    const [lo, hi] = [a, b].sort((x, y) => (String(x) < String(y) ? -1 : 1));
    const isNum = typeof a === 'number';
    const [l, h] = isNum ? [Math.min(Number(a), Number(b)), Math.max(Number(a), Number(b))] : [lo, hi];
    out.push(
      [{ gt: l }, `${c} > ${lit(col.type, l)}`],
      [{ lte: h }, `${c} <= ${lit(col.type, h)}`],
      [{ gte: l, lt: h }, `${c} >= ${lit(col.type, l)} AND ${c} < ${lit(col.type, h)}`],
      [{ between: { from: l, to: h } }, `${c} BETWEEN ${lit(col.type, l)} AND ${lit(col.type, h)}`],
    );
  }
  return out;
}

describe('rows: the same answers as hand-written SQL', () => {
  const datasets = Object.entries(DEMO_DATASETS).filter(([k]) => k !== 'staging');
  it.each(datasets)('%s: every column and operator', async (_name, id) => {
    const columns = await columnsOf(id);
    const all = await handRows(id, 'SELECT * FROM table LIMIT 40', columns);
    for (const col of columns) {
      const sample = all.map((r) => r[col.name]).filter((v) => v !== null);
      for (const [condition, sql] of cases(col, sample)) {
        const label = `${col.name} ${JSON.stringify(condition)}`;
        const order = [q(col.name), ...columns.filter((c) => c.name !== col.name).map((c) => q(c.name))];
        const res = await rows(id, {
          where: { column: col.name, ...condition },
          orderBy: [{ column: col.name, direction: 'DESC' }],
          first: 7,
        });
        expect(res.errors, label).toBeUndefined();
        const [count] = await handRows(id, `SELECT COUNT(*) AS n FROM table WHERE ${sql}`, columns);
        expect(res.data!.dataset.rows.totalCount, label).toBe(count!.n);
        const expected = await handRows(
          id,
          `SELECT * FROM table WHERE ${sql} ORDER BY ${order.map((o, i) => (i === 0 ? `${o} DESC` : o)).join(', ')} LIMIT 7`,
          columns,
        );
        expect(res.data!.dataset.rows.nodes, label).toEqual(expected);
      }
    }
  });

  it('pages follow one another with the cursor', async () => {
    const id = DEMO_DATASETS.customers;
    const columns = await columnsOf(id);
    const orderBy = [{ column: 'country' }, { column: 'customer_id', direction: 'DESC' }];
    const first = await rows(id, { orderBy, first: 5 });
    const second = await rows(id, { orderBy, first: 5, after: first.data!.dataset.rows.pageInfo.endCursor });
    const expected = await handRows(
      id,
      'SELECT * FROM table ORDER BY country, customer_id DESC LIMIT 10',
      columns,
    );
    expect([...first.data!.dataset.rows.nodes, ...second.data!.dataset.rows.nodes]).toEqual(expected);
    expect(second.data!.dataset.rows.pageInfo.hasNextPage).toBe(true);
    const last = await rows(id, { first: 5, after: Buffer.from('OffsetConnection:494').toString('base64') });
    expect(last.data!.dataset.rows.nodes).toHaveLength(5);
    expect(last.data!.dataset.rows.pageInfo.hasNextPage).toBe(false);
  });
});

describe('aggregate and distinct: the same answers as hand-written SQL', () => {
  const id = DEMO_DATASETS.sales;
  it('group by a column and a month, with having and an order by a metric', async () => {
    const res = await stack.gql<{
      dataset: { aggregate: { nodes: Array<{ keys: Record<string, unknown>; metrics: unknown[] }> } };
    }>(
      `query($id: ID!) { dataset(id: $id) { aggregate(
        groupBy: ["region"], dateGrain: { column: "order_date", grain: MONTH },
        metrics: [{ fn: COUNT }, { fn: SUM, column: "quantity" }, { fn: AVG, column: "unit_price" }, { fn: COUNT_DISTINCT, column: "product" }],
        where: { column: "discount", lt: 0.2 }, having: { fn: SUM, column: "quantity", gt: 150 },
        orderBy: [{ fn: SUM, column: "quantity", direction: DESC }], first: 20) { nodes { keys metrics } } } }`,
      { id },
    );
    expect(res.errors).toBeUndefined();
    const hand = await handRows(
      id,
      `SELECT region, YEAR(order_date) AS y, MONTH(order_date) AS m, COUNT(*) AS c, SUM(quantity) AS q, AVG(unit_price) AS p, COUNT(DISTINCT product) AS d
       FROM table WHERE discount < 0.2 GROUP BY region, YEAR(order_date), MONTH(order_date) HAVING SUM(quantity) > 150
       ORDER BY SUM(quantity) DESC, region, y, m LIMIT 20`,
      [],
    );
    expect(hand.length).toBeGreaterThan(0);
    expect(res.data!.dataset.aggregate.nodes).toEqual(
      hand.map((r) => ({
        keys: { region: r.region, order_date: `${r.y}-${String(r.m).padStart(2, '0')}-01` },
        metrics: [r.c, r.q, r.p, r.d],
      })),
    );
  });

  it.each(['DAY', 'WEEK', 'QUARTER', 'YEAR'])('a %s grain on a DATETIME column', async (grain) => {
    const res = await stack.gql<{
      dataset: { aggregate: { nodes: Array<{ keys: { created_at: string }; metrics: number[] }> } };
    }>(
      `query($id: ID!, $grain: DateUnit!) { dataset(id: $id) { aggregate(dateGrain: { column: "created_at", grain: $grain },
        metrics: [{ fn: COUNT }], first: 1000) { nodes { keys metrics } } } }`,
      { id, grain },
    );
    expect(res.errors).toBeUndefined();
    // DuckDB's own functions, independent of the compiler's TO_DAYS arithmetic (dayofweek: 0 is Sunday).
    const trunc =
      grain === 'WEEK'
        ? 'CAST(created_at AS DATE) - CAST(dayofweek(created_at) AS INTEGER)'
        : `date_trunc('${grain.toLowerCase()}', created_at)`;
    const hand = await handRows(
      id,
      `SELECT CAST(${trunc} AS DATE) AS k, COUNT(*) AS c FROM table GROUP BY 1 ORDER BY 1`,
      [],
    );
    expect(res.data!.dataset.aggregate.nodes).toEqual(
      hand.map((r) => ({ keys: { created_at: r.k }, metrics: [r.c] })),
    );
  });

  it('no grouping answers one row; distinct values with counts', async () => {
    const res = await stack.gql<{
      dataset: {
        aggregate: { nodes: Array<{ values: Record<string, unknown> }> };
        distinct: { nodes: unknown[] };
      };
    }>(
      `query($id: ID!) { dataset(id: $id) {
        aggregate(metrics: [{ fn: MIN, column: "order_date" }, { fn: MAX, column: "created_at" }, { fn: SUM, column: "unit_price" }]) { nodes { values } }
        distinct(column: "product", direction: DESC) { nodes { value count } } } }`,
      { id },
    );
    expect(res.errors).toBeUndefined();
    const [hand] = await handRows(
      id,
      'SELECT MIN(order_date) AS a, MAX(created_at) AS b, SUM(unit_price) AS s FROM table',
      [],
    );
    expect(res.data!.dataset.aggregate.nodes).toEqual([
      { values: { min_order_date: hand!.a, max_created_at: iso(String(hand!.b)), sum_unit_price: hand!.s } },
    ]);
    const distinct = await handRows(
      id,
      'SELECT product AS value, COUNT(*) AS count FROM table GROUP BY product ORDER BY product DESC',
      [],
    );
    expect(res.data!.dataset.distinct.nodes).toEqual(distinct);
  });
});

describe('hostile values are plain data', () => {
  const id = DEMO_DATASETS.staging;
  const corpus = [
    "'",
    "''",
    '\\',
    "\\'",
    "'\\",
    '`',
    '``',
    '"',
    ';--',
    "'; DROP TABLE t; --",
    "' OR '1'='1",
    '\0',
    'a\0b',
    '’',
    '‘',
    'ʼ',
    '＇',
    '\n',
    'line\r\nnext',
    'x'.repeat(20_000),
    'SELECT',
    'NULL',
    'null',
    '%',
    '_',
    '!',
    '!%',
    '\\%',
    '\\_',
    '/* c */',
    '$1',
    '?',
    'é漢字🙂',
    '\u2028',
  ];
  beforeAll(async () => {
    const table = `"ds_${id}"`;
    for (const [i, payload] of corpus.entries()) {
      await stack.sandbox.store.run(`INSERT INTO ${table} VALUES (?, ?, ?, NULL)`, [i, payload, i]);
    }
  });

  it('eq finds exactly the row holding the value; text operators match as JavaScript does', async () => {
    for (const [i, value] of corpus.entries()) {
      const label = JSON.stringify(value).slice(0, 30);
      const eq = await rows(id, { where: { column: 'payload', eq: value }, orderBy: [{ column: 'id' }] });
      expect(eq.errors, label).toBeUndefined();
      expect(
        eq.data!.dataset.rows.nodes.map((r) => r.id),
        label,
      ).toEqual([i]);
      for (const [op, test] of [
        ['contains', (s: string) => s.includes(value)],
        ['startsWith', (s: string) => s.startsWith(value)],
        ['endsWith', (s: string) => s.endsWith(value)],
        ['notContains', (s: string) => !s.includes(value)],
      ] as const) {
        const res = await rows(id, {
          where: { column: 'payload', [op]: value },
          orderBy: [{ column: 'id' }],
          first: 100,
        });
        expect(res.errors, `${op} ${label}`).toBeUndefined();
        const expected = corpus.flatMap((s, j) => (test(s) ? [j] : []));
        expect(
          res.data!.dataset.rows.nodes.map((r) => r.id),
          `${op} ${label}`,
        ).toEqual(expected);
      }
    }
  });

  it('a hostile value that no row holds matches nothing, and as a column name is refused', async () => {
    const res = await rows(id, { where: { column: 'payload', in: ["nope'); DROP TABLE x; --", '\\\\'] } });
    expect(res.data!.dataset.rows.nodes).toEqual([]);
    const bad = await rows(id, { where: { column: 'payload` = 1 OR `id', eq: 'x' } });
    expect(bad.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });
});

describe('refusals before any query, and batching', () => {
  const id = DEMO_DATASETS.sales;
  const queries = () => stack.sandbox.requests.filter((r) => QUERY.test(r.path)).length;

  it.each([
    ['where', { column: 'nope', eq: 1 }, /unknown column `nope`.*transaction_id, region/],
    ['where.eq', { column: 'quantity', eq: '5' }, /LONG: expected a whole number/],
    ['where.gt', { column: 'quantity', gt: 'NaN' }, /LONG/],
    ['where.eq', { column: 'order_date', eq: '2023-02-30' }, /date/],
    [
      'where.and[1].in',
      {
        and: [
          { column: 'region', eq: 'x' },
          { column: 'quantity', in: Array.from({ length: 10_000 }, (_, i) => i) },
        ],
      },
      /at most 1000/,
    ],
    ['where.gt', { column: 'region', gt: 'a' }, /applies to numbers/],
  ])('a bad filter is refused at %s', async (field, where, message) => {
    const before = queries();
    const res = await rows(id, { where });
    expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(res.errors?.[0]?.extensions?.field).toBe(field);
    expect(res.errors?.[0]?.message).toMatch(message);
    expect(queries()).toBe(before);
  });

  it('the same page twice is one call; a page and its count are two; the schema one', async () => {
    const start = stack.sandbox.requests.length;
    const res = await stack.gql(
      `query($id: ID!) { dataset(id: $id) {
        a: rows(where: { column: "region", eq: "West" }, first: 3) { nodes totalCount }
        b: rows(where: { column: "region", eq: "West" }, first: 3) { nodes totalCount }
        ...F } }
       fragment F on Dataset { rows(where: { column: "region", eq: "West" }, first: 3) { pageInfo { hasNextPage } } }`,
      { id },
    );
    expect(res.errors).toBeUndefined();
    const made = stack.sandbox.requests.slice(start);
    expect(made.filter((r) => QUERY.test(r.path))).toHaveLength(2);
    expect(made.filter((r) => SCHEMA.test(r.path))).toHaveLength(1);
  });
});

describe('the call budget counts row statements', () => {
  it('metadata, schema, page and count are four calls: a budget of three refuses the count', async () => {
    const small = await startStack({ maxCallsPerRequest: 3, sandbox: { largeRows: 100 } });
    try {
      const query = `query($id: ID!) { dataset(id: $id) { rows(first: 2) { nodes totalCount } } }`;
      const res = await small.gql(query, { id: DEMO_DATASETS.sales });
      expect(res.errors?.[0]?.extensions?.code).toBe('OPERATION_TOO_COMPLEX');
      expect(res.errors?.[0]?.extensions?.limit).toBe('DOMO_MAX_CALLS_PER_REQUEST');
      const page = await small.gql(`query($id: ID!) { dataset(id: $id) { rows(first: 2) { nodes } } }`, {
        id: DEMO_DATASETS.sales,
      });
      expect(page.errors).toBeUndefined();
    } finally {
      await small.close();
    }
  });
});
