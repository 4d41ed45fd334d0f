/**
 * The export route through the real gateway and the real sandbox: every format checked row by row
 * against the SQL answer for the same data (nulls, quotes, commas, newlines, unicode, `\N` as text,
 * dates, numbers), the sql and where/orderBy variants, refusals, and the ops event.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OpsEvent } from '../../src/ops/events.ts';
import { DEMO_DATASETS } from '../../src/sandbox/seed.ts';
import { authHeader, SANDBOX_TOKEN, type Stack, startStack } from '../helpers/stack.ts';

const TRICKY = '7e3a0c1b-2d4f-4a6b-8c9d-0e1f2a3b4c5d';
const COLUMNS = [
  { name: 'id', type: 'LONG' },
  { name: 'name', type: 'STRING' },
  { name: 'amount', type: 'DOUBLE' },
  { name: 'price', type: 'DECIMAL' },
  { name: 'day', type: 'DATE' },
  { name: 'at', type: 'DATETIME' },
] as const;
const NAMES = [
  'plain',
  'with, comma',
  'with "quotes"',
  'two\nlines',
  'crlf\r\nline',
  'ünïcödé ✓ 日本',
  '\\N',
  '',
  null,
  ' spaced ',
];

const events: OpsEvent[] = [];
let stack: Stack;

beforeAll(async () => {
  stack = await startStack({ opsSink: { emit: (e) => events.push(e) } });
  const { store } = stack.sandbox;
  await store.createDataset(
    { id: TRICKY, name: 'Tricky "values"', rowCount: 0, columnCount: 0 } as never,
    COLUMNS.map((c) => ({ ...c })),
  );
  const values = NAMES.map((name, i) => {
    const text = name === null ? 'NULL' : `'${name.replaceAll("'", "''")}'`;
    const amount = i === 3 ? 'NULL' : String(i * 1.25 - 2);
    const day = i === 4 ? 'NULL' : `DATE '2024-02-${String(i + 1).padStart(2, '0')}'`;
    const at = i === 5 ? 'NULL' : `TIMESTAMP '2024-03-01 10:00:0${i}'`;
    return `(${i + 1}, ${text}, ${amount}, ${i === 6 ? 'NULL' : `${i}.5`}, ${day}, ${at})`;
  });
  await store.run(`INSERT INTO "ds_${TRICKY}" VALUES ${values.join(', ')}`);
  await store.refreshCounts(TRICKY);
});
afterAll(() => stack?.close());

const url = (id: string, params: Record<string, string> = {}) =>
  `${stack.gatewayUrl}/v1/datasets/${id}/export?${new URLSearchParams(params)}`;

async function download(id: string, params: Record<string, string>, headers = authHeader()) {
  const response = await fetch(url(id, params), { headers });
  return { response, text: await response.text() };
}

/** The SQL answer straight from the sandbox (the API doc's list of row objects). */
async function sqlAnswer(id: string, sql: string): Promise<Array<Record<string, unknown>>> {
  const response = await fetch(`${stack.sandbox.url}/api/query/v1/execute/${id}`, {
    method: 'POST',
    headers: { ...authHeader(), 'content-type': 'application/json' },
    body: JSON.stringify({ sql }),
  });
  expect(response.status).toBe(200);
  return (await response.json()) as Array<Record<string, unknown>>;
}

/** An independent RFC 4180 reader: each field with whether it was quoted. */
function readCsv(text: string): Array<Array<{ value: string; quoted: boolean }>> {
  const rows: Array<Array<{ value: string; quoted: boolean }>> = [];
  let row: Array<{ value: string; quoted: boolean }> = [];
  let value = '';
  let quoted = false;
  let inQuotes = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (inQuotes) {
      if (c === '"' && text[i + 1] === '"') {
        value += '"';
        i++;
      } else if (c === '"') inQuotes = false;
      else value += c;
    } else if (c === '"') {
      inQuotes = true;
      quoted = true;
    } else if (c === ',' || c === '\n') {
      row.push({ value, quoted });
      value = '';
      quoted = false;
      if (c === '\n') {
        rows.push(row);
        row = [];
      }
    } else value += c;
  }
  expect(inQuotes).toBe(false);
  expect(value).toBe('');
  return rows;
}

/** A CSV field read back as the SQL answer's value: bare `\N` is null, numbers compared as numbers. */
function csvValue(field: { value: string; quoted: boolean }, sqlValue: unknown): unknown {
  if (!field.quoted && field.value === '\\N') return null;
  if (typeof sqlValue === 'number') return Number(field.value);
  return field.value;
}

/** The SQL answer's value as NDJSON types it (DATETIME as ISO-8601 UTC with milliseconds). */
function ndjsonValue(type: string, value: unknown): unknown {
  if (value === null) return null;
  if (type === 'DATETIME') return new Date(`${value}Z`).toISOString();
  return value;
}

function checkCsv(text: string, expected: Array<Record<string, unknown>>, columns: string[]) {
  const [header, ...rows] = readCsv(text);
  expect(header!.map((f) => f.value)).toEqual(columns);
  expect(rows).toHaveLength(expected.length);
  rows.forEach((row, r) => {
    const want = expected[r]!;
    expect(row.map((field, c) => csvValue(field, want[columns[c]!]))).toEqual(columns.map((c) => want[c]));
  });
}

function checkNdjson(text: string, expected: Array<Record<string, unknown>>, types: Record<string, string>) {
  expect(text.endsWith('\n')).toBe(true);
  const lines = text.slice(0, -1).split('\n');
  expect(lines).toHaveLength(expected.length);
  lines.forEach((line, r) => {
    const want = expected[r]!;
    expect(JSON.parse(line)).toEqual(
      Object.fromEntries(Object.entries(want).map(([k, v]) => [k, ndjsonValue(types[k] ?? 'STRING', v)])),
    );
  });
}

const TYPES = Object.fromEntries(COLUMNS.map((c) => [c.name, c.type]));
const ALL = COLUMNS.map((c) => c.name);

describe('GET /v1/datasets/:id/export', () => {
  it('exports a whole dataset as CSV, row by row as the SQL answer', async () => {
    const { response, text } = await download(TRICKY, { format: 'csv' });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(response.headers.get('content-disposition')).toBe(`attachment; filename="${TRICKY}.csv"`);
    checkCsv(text, await sqlAnswer(TRICKY, 'SELECT * FROM table'), ALL);
    // Null and the text \N differ: bare versus quoted.
    expect(text).toContain(',"\\N",');
    expect(text).toMatch(/^8,,/m);
  });

  it('exports a whole dataset as NDJSON typed by its schema', async () => {
    const { response, text } = await download(TRICKY, { format: 'ndjson' });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/x-ndjson');
    expect(response.headers.get('content-disposition')).toBe(`attachment; filename="${TRICKY}.ndjson"`);
    checkNdjson(text, await sqlAnswer(TRICKY, 'SELECT * FROM table'), TYPES);
  });

  it('exports a SQL answer in both formats', async () => {
    const sql = 'SELECT id, name, amount * 2 AS doubled FROM table WHERE id > 2 ORDER BY id DESC';
    const expected = await sqlAnswer(TRICKY, sql);
    expect(expected.length).toBe(8);
    checkCsv((await download(TRICKY, { format: 'csv', sql })).text, expected, ['id', 'name', 'doubled']);
    checkNdjson((await download(TRICKY, { format: 'ndjson', sql })).text, expected, { doubled: 'DOUBLE' });
  });

  it('exports where/orderBy rows exactly as the GraphQL rows field answers them', async () => {
    const where = {
      or: [
        { column: 'amount', gt: 0 },
        { column: 'name', isNull: true },
      ],
    };
    const orderBy = [{ column: 'price', direction: 'DESC', nulls: 'LAST' }];
    const res = await stack.gql(
      `query($id: ID!, $where: RowFilter, $orderBy: [RowOrder!]) {
        dataset(id: $id) { rows(where: $where, orderBy: $orderBy, first: 1000) { edges { node } } }
      }`,
      { id: TRICKY, where, orderBy },
    );
    expect(res.errors).toBeUndefined();
    const nodes = (
      res.data as { dataset: { rows: { edges: Array<{ node: unknown }> } } }
    ).dataset.rows.edges.map((e) => e.node);
    expect(nodes.length).toBeGreaterThan(3);
    const params = { where: JSON.stringify(where), orderBy: JSON.stringify(orderBy) };
    const ndjson = await download(TRICKY, { format: 'ndjson', ...params });
    expect(ndjson.response.status).toBe(200);
    expect(
      ndjson.text
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l)),
    ).toEqual(nodes);
    const csv = await download(TRICKY, { format: 'csv', ...params });
    const [header, ...rows] = readCsv(csv.text);
    expect(header!.map((f) => f.value)).toEqual(ALL);
    expect(rows.map((r) => Number(r[0]!.value))).toEqual(nodes.map((n) => (n as { id: number }).id));
  });

  it('streams the demo dataset whole, rows and bytes reported to the ops sink', async () => {
    events.length = 0;
    const { text } = await download(DEMO_DATASETS.sales, { format: 'csv' });
    const expected = await sqlAnswer(DEMO_DATASETS.sales, 'SELECT * FROM table');
    expect(expected.length).toBe(2000);
    checkCsv(text, expected, Object.keys(expected[0]!));
    // The sink hears the upstream calls too (src/domo/http.ts): the export's own event is one.
    expect(events.filter((e) => e.type === 'export')).toEqual([
      { type: 'export', format: 'csv', bytes: Buffer.byteLength(text), rows: 2000 },
    ]);
    expect(events.some((e) => e.type === 'upstream')).toBe(true);
    const ndjson = await download(DEMO_DATASETS.sales, { format: 'ndjson' });
    expect(ndjson.text.trim().split('\n')).toHaveLength(2000);
  });

  it('an empty SQL answer is a CSV header only, an empty NDJSON file', async () => {
    const sql = 'SELECT id, name FROM table WHERE id < 0';
    const empty = await download(TRICKY, { format: 'csv', where: JSON.stringify({ column: 'id', lt: 0 }) });
    expect(empty.text).toBe(`${ALL.join(',')}\n`);
    const nd = await download(TRICKY, { format: 'ndjson', sql });
    expect(nd.response.status).toBe(200);
    expect(nd.text).toBe('');
  });

  it.each([
    [{ format: 'xml' }, 'format'],
    [{ format: 'csv', where: '{not json' }, 'where'],
    [{ format: 'csv', where: '[1]' }, 'where'],
    [{ format: 'csv', sql: 'SELECT 1', where: '{}' }, 'sql'],
    [{ format: 'csv', sql: '  ' }, 'sql'],
    [{ format: 'csv', orderBy: '[{"column":"id","direction":"UP"}]' }, 'orderBy[0].direction'],
    [{ format: 'csv', where: '{"column":"nope","eq":1}' }, 'where'],
    [{ format: 'csv', where: '{"column":"id","eq":"one"}' }, 'where.eq'],
    [{ format: 'csv', limit: '5' }, 'limit'],
  ])('refuses %j with 400 BAD_USER_INPUT before any upstream data call', async (params, field) => {
    const before = stack.sandbox.count('POST', /\/api\/query\/v1\/execute\//);
    const { response, text } = await download(TRICKY, params as Record<string, string>);
    expect(response.status).toBe(400);
    const body = JSON.parse(text) as {
      errors: Array<{ message: string; extensions: Record<string, unknown> }>;
    };
    expect(body.errors[0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    expect(body.errors[0]!.message).toBeTruthy();
    expect(stack.sandbox.count('POST', /\/api\/query\/v1\/execute\//)).toBe(before);
  });

  it('answers Domo refusals before the first byte as JSON errors', async () => {
    const missing = await download('00000000-0000-4000-8000-000000000000', { format: 'csv' });
    expect(missing.response.status).toBe(404);
    expect(JSON.parse(missing.text).errors[0].extensions.code).toBe('NOT_FOUND');
    const badSql = await download(TRICKY, { format: 'ndjson', sql: 'SELECT nope FROM table' });
    expect(badSql.response.status).toBe(400);
    expect(JSON.parse(badSql.text).errors[0].extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      upstreamStatus: 400,
    });
    const noToken = await download(TRICKY, { format: 'csv' }, { 'x-domo-developer-token': 'wrong' });
    expect(noToken.response.status).toBe(401);
    expect(noToken.text).not.toContain('wrong');
    const notId = await download('not-a-uuid', { format: 'csv' });
    expect(notId.response.status).toBe(400);
    const post = await fetch(url(TRICKY), { method: 'POST', headers: authHeader() });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET');
  });

  it('refuses a cross-site request and a GET without a preflight header (CSRF)', async () => {
    const crossSite = await download(
      TRICKY,
      { format: 'csv' },
      {
        ...authHeader(),
        'sec-fetch-site': 'cross-site',
        origin: 'https://evil.example',
      },
    );
    expect(crossSite.response.status).toBe(403);
    expect(JSON.parse(crossSite.text).errors[0].extensions.code).toBe('CSRF_PREVENTED');
    const bare = await download(TRICKY, { format: 'csv' }, {});
    expect(bare.response.status).toBe(403);
    expect(JSON.parse(bare.text).errors[0].extensions.code).toBe('CSRF_PREVENTED');
  });
});

describe('export with gateway authentication', () => {
  let authed: Stack;
  const KEYS = {
    reader: 'export-reader-key-0123456789',
    writer: 'export-writer-key-0123456789',
    sales: 'export-sales-key-0123456789',
  };
  beforeAll(async () => {
    const { hashApiKey, parseApiKeyEntries } = await import('../../src/auth/keys.ts');
    authed = await startStack({
      serverCredentials: { kind: 'developer', token: SANDBOX_TOKEN },
      gatewayAuth: {
        apiKeys: parseApiKeyEntries(
          [
            `sha256:${hashApiKey(KEYS.reader)}:read`,
            `sha256:${hashApiKey(KEYS.writer)}:write`,
            `sha256:${hashApiKey(KEYS.sales)}:read:${DEMO_DATASETS.sales}`,
          ].join('\n'),
        ),
        jwt: null,
      },
    });
  });
  afterAll(() => authed?.close());

  const get = async (id: string, headers: Record<string, string>) => {
    const response = await fetch(`${authed.gatewayUrl}/v1/datasets/${id}/export?format=csv`, { headers });
    const text = await response.text();
    return {
      status: response.status,
      text,
      code: response.status === 200 ? null : JSON.parse(text).errors[0].extensions.code,
    };
  };

  it('needs a credential, the read scope and the dataset in the allow-list', async () => {
    const before = authed.sandbox.count('GET', /dataversions\/latest$/);
    expect(await get(DEMO_DATASETS.customers, { 'x-api-key': 'unknown-key-0123456789' })).toMatchObject({
      status: 401,
      code: 'UNAUTHENTICATED',
    });
    expect(await get(DEMO_DATASETS.customers, { authorization: `Bearer ${KEYS.writer}` })).toMatchObject({
      status: 403,
      code: 'FORBIDDEN',
    });
    expect(await get(DEMO_DATASETS.customers, { authorization: `Bearer ${KEYS.sales}` })).toMatchObject({
      status: 403,
      code: 'FORBIDDEN',
    });
    expect(authed.sandbox.count('GET', /dataversions\/latest$/)).toBe(before);
    const ok = await get(DEMO_DATASETS.sales, { authorization: `Bearer ${KEYS.sales}` });
    expect(ok.status).toBe(200);
    expect(ok.text.split('\n').length).toBe(2002);
    expect((await get(DEMO_DATASETS.customers, { authorization: `Bearer ${KEYS.reader}` })).status).toBe(200);
  });
});
