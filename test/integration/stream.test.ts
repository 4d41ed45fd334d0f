/**
 * @stream and @defer over both transports (multipart/mixed and text/event-stream), through the real
 * gateway on the real sandbox: streamed pages hold the same rows as the plain answer, in pages of
 * the asked size, within the caps; slow fields deferred; the call budget not spent per page.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_DATASETS } from '../../src/sandbox/seed.ts';
import {
  allPayloads,
  type IncrementalPayload,
  postIncremental,
  type Transport,
} from '../helpers/incremental.ts';
import { authHeader, type Stack, startStack } from '../helpers/stack.ts';

const SALES = DEMO_DATASETS.sales;
const SQL = 'SELECT * FROM t ORDER BY transaction_id';
const ROWS = 2_000;

let stack: Stack;
let small: Stack;
beforeAll(async () => {
  stack = await startStack({ sandbox: { largeRows: ROWS }, maxQueryRows: 1_500 });
  // A low cap on streams, a low call budget: neither cut by the page count.
  small = await startStack({
    sandbox: { largeRows: ROWS },
    stream: { maxRows: 700, maxPageSize: 500 },
    maxCallsPerRequest: 3,
  });
});
afterAll(async () => {
  await stack?.close();
  await small?.close();
});

interface Page {
  offset: number;
  columns: string[];
  rows: unknown[][];
  truncated: boolean;
}

/** The pages of `sql.pages`, initial and streamed, in order, and the payloads they came in. */
async function streamPages(s: Stack, transport: Transport, query: string) {
  const response = await postIncremental(`${s.gatewayUrl}/graphql`, transport, query, {
    headers: authHeader(),
  });
  expect(response.status).toBe(200);
  const all = await allPayloads(response);
  const pages: Page[] = [];
  const errors: NonNullable<IncrementalPayload['errors']> = [];
  for (const payload of all) {
    errors.push(...(payload.errors ?? []));
    const initial = (payload.data as { sql?: { pages?: Page[] } } | undefined)?.sql?.pages;
    if (initial) pages.push(...initial);
    for (const part of payload.incremental ?? []) {
      errors.push(...(part.errors ?? []));
      if (part.items) pages.push(...(part.items as Page[]));
    }
  }
  return { payloads: all, pages, errors };
}

const pagesQuery = (size: number, initialCount = 1, sql = SQL) =>
  `{ sql(datasetId: "${SALES}", sql: "${sql}") { pages(size: ${size}) @stream(initialCount: ${initialCount}) { offset columns rows truncated } } }`;

describe.each(['multipart', 'sse'] as const)('@stream over %s', (transport) => {
  it('sends the whole answer in pages of the asked size, the rows equal to the plain query', async () => {
    const plain = await stack.gql<{ sql: { columns: Array<{ name: string }>; rows: unknown[][] } }>(
      `{ sql(datasetId: "${SALES}", sql: "${SQL} LIMIT 1500") { columns { name } rows } }`,
    );
    expect(plain.errors).toBeUndefined();
    const { payloads, pages, errors } = await streamPages(
      stack,
      transport,
      pagesQuery(300, 1, `${SQL} LIMIT 1500`),
    );
    expect(errors).toEqual([]);
    expect(payloads.length).toBeGreaterThan(2);
    expect(payloads[0]?.hasNext).toBe(true);
    expect(payloads.at(-1)?.hasNext).toBe(false);
    expect(pages.map((p) => p.rows.length)).toEqual([300, 300, 300, 300, 300]);
    expect(pages.map((p) => p.offset)).toEqual([0, 300, 600, 900, 1200]);
    const columns = plain.data!.sql.columns.map((c) => c.name);
    for (const page of pages) expect(page.columns).toEqual(columns);
    expect(pages.flatMap((p) => p.rows)).toEqual(plain.data!.sql.rows);
    expect(pages.every((p) => !p.truncated)).toBe(true);
  });

  it('streams past MAX_QUERY_ROWS (a stream has its own cap), a short last page', async () => {
    const { pages, errors } = await streamPages(stack, transport, pagesQuery(900, 0));
    expect(errors).toEqual([]);
    expect(pages.map((p) => p.rows.length)).toEqual([900, 900, 200]);
    expect(pages.flatMap((p) => p.rows).map((r) => r[0])).toEqual(
      Array.from({ length: ROWS }, (_, i) => i + 1),
    );
  });

  it('stops at MAX_STREAM_ROWS with truncated on the last page, within a call budget of 3', async () => {
    const { pages, errors } = await streamPages(small, transport, pagesQuery(100));
    expect(errors).toEqual([]);
    expect(pages).toHaveLength(7);
    expect(pages.flatMap((p) => p.rows)).toHaveLength(700);
    expect(pages.map((p) => p.truncated)).toEqual([false, false, false, false, false, false, true]);
  });

  it('defers slow fields to a later payload', async () => {
    const query = `{ dataset(id: "${SALES}") { name ... @defer(label: "slow") { rowCount access { totalUserCount } dataVersions { dataVersionId } } } }`;
    const response = await postIncremental(`${stack.gatewayUrl}/graphql`, transport, query, {
      headers: authHeader(),
    });
    const all = await allPayloads(response);
    expect(all[0]).toMatchObject({ data: { dataset: { name: 'Sales Transactions' } }, hasNext: true });
    expect(all[0]?.data?.dataset).not.toHaveProperty('access');
    const deferred = all.flatMap((p) => p.incremental ?? []);
    expect(deferred).toHaveLength(1);
    expect(deferred[0]).toMatchObject({ path: ['dataset'], label: 'slow', data: { rowCount: ROWS } });
    expect(deferred[0]?.data).toHaveProperty('access.totalUserCount');
    expect(deferred[0]?.errors).toBeUndefined();
    expect(all.at(-1)?.hasNext).toBe(false);
  });
});

describe.each(['multipart', 'sse'] as const)('Dataset.rowPages @stream over %s', (transport) => {
  /** Pages of `dataset.rowPages`, in order. */
  async function rowPages(s: Stack, args: string) {
    const query = `{ dataset(id: "${SALES}") { rowPages(${args}) @stream(initialCount: 1) { offset columns rows objects truncated } } }`;
    const response = await postIncremental(`${s.gatewayUrl}/graphql`, transport, query, {
      headers: authHeader(),
    });
    const all = await allPayloads(response);
    const pages: Array<Page & { objects: Array<Record<string, unknown>> }> = [];
    const errors: unknown[] = [];
    for (const payload of all) {
      errors.push(...(payload.errors ?? []));
      pages.push(
        ...((payload.data as { dataset?: { rowPages?: typeof pages } } | undefined)?.dataset?.rowPages ?? []),
      );
      for (const part of payload.incremental ?? []) {
        errors.push(...(part.errors ?? []));
        pages.push(...((part.items ?? []) as typeof pages));
      }
    }
    return { pages, errors };
  }

  it('pages every matching row from upstream (LIMIT/OFFSET per page), typed as rows types them', async () => {
    const before = stack.attempts.length;
    const { pages, errors } = await rowPages(
      stack,
      'where: { column: "transaction_id", lte: 1500 }, orderBy: [{ column: "transaction_id", direction: DESC }], size: 400',
    );
    expect(errors).toEqual([]);
    expect(pages.map((p) => [p.offset, p.rows.length, p.truncated])).toEqual([
      [0, 400, false],
      [400, 400, false],
      [800, 400, false],
      [1200, 300, false],
    ]);
    const ids = pages.flatMap((p) => p.objects.map((o) => o.transaction_id));
    expect(ids).toEqual(Array.from({ length: 1500 }, (_, i) => 1500 - i));
    const plain = await stack.gql<{ dataset: { rows: { nodes: Array<Record<string, unknown>> } } }>(
      `{ dataset(id: "${SALES}") { rows(where: { column: "transaction_id", lte: 1500 }, orderBy: [{ column: "transaction_id", direction: DESC }], first: 1000) { nodes } } }`,
    );
    expect(pages.flatMap((p) => p.objects).slice(0, 1000)).toEqual(plain.data!.dataset.rows.nodes);
    // The schema read and one statement per page.
    expect(stack.attempts.length - before).toBeGreaterThanOrEqual(5);
  });

  it('stops at MAX_STREAM_ROWS with truncated, its statements one call of a budget of 3', async () => {
    const { pages, errors } = await rowPages(small, 'size: 300');
    expect(errors).toEqual([]);
    expect(pages.map((p) => [p.rows.length, p.truncated])).toEqual([
      [300, false],
      [300, false],
      [100, true],
    ]);
  });
});

describe.each(['multipart', 'sse'] as const)('the operation rules still apply over %s', (transport) => {
  it('an incremental operation over the call budget is refused before any call', async () => {
    const before = small.attempts.length;
    const page = (n: number) => `p${n}: sql(datasetId: "${SALES}", sql: "${SQL}") { pages @stream { rows } }`;
    const response = await postIncremental(
      `${small.gatewayUrl}/graphql`,
      transport,
      `{ ${page(1)} ${page(2)} }`,
      {
        headers: authHeader(),
      },
    );
    const text = await response.text();
    expect(text).toContain('OPERATION_TOO_COMPLEX');
    expect(text).toContain('DOMO_MAX_CALLS_PER_REQUEST');
    expect(small.attempts.length).toBe(before);
  });

  it('@stream on a field that is not a list is refused by validation', async () => {
    const response = await postIncremental(
      `${small.gatewayUrl}/graphql`,
      transport,
      `{ dataset(id: "${SALES}") { name @stream } }`,
      { headers: authHeader() },
    );
    expect(await response.text()).toMatch(/Stream directive cannot be used on non-list field/);
  });
});

describe('pages without @stream, and bad sizes', () => {
  it('without @stream the list is held whole, so MAX_QUERY_ROWS bounds it', async () => {
    const res = await stack.gql<{ sql: { pages: Page[] } }>(
      `{ sql(datasetId: "${SALES}", sql: "${SQL}") { pages(size: 1000) { rows truncated } } }`,
    );
    expect(res.errors).toBeUndefined();
    expect(res.data!.sql.pages.map((p) => [p.rows.length, p.truncated])).toEqual([
      [1000, false],
      [500, true],
    ]);
  });

  it("an empty answer is one empty page (the doc's shape names no columns without rows)", async () => {
    const res = await stack.gql<{ sql: { pages: Page[] } }>(
      `{ sql(datasetId: "${SALES}", sql: "SELECT transaction_id FROM t WHERE transaction_id < 0") { pages { offset columns rows } } }`,
    );
    expect(res.data!.sql.pages).toEqual([{ offset: 0, columns: [], rows: [] }]);
  });

  it.each([0, 501])('size %i is BAD_USER_INPUT naming MAX_STREAM_PAGE_SIZE, no call made', async (size) => {
    const before = small.attempts.length;
    const res = await small.gql(
      `{ sql(datasetId: "${SALES}", sql: "${SQL}") { pages(size: ${size}) { offset } } }`,
    );
    expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(res.errors?.[0]?.message).toContain('MAX_STREAM_PAGE_SIZE');
    expect(small.attempts.length).toBe(before);
  });

  it('pages with the other fields: two upstream calls, both answers agree', async () => {
    const before = stack.attempts.length;
    const res = await stack.gql<{ sql: { rows: unknown[][]; pages: Page[] } }>(
      `{ sql(datasetId: "${SALES}", sql: "${SQL} LIMIT 10") { rows pages(size: 4) { rows } } }`,
    );
    expect(res.errors).toBeUndefined();
    expect(res.data!.sql.pages.flatMap((p) => p.rows)).toEqual(res.data!.sql.rows);
    expect(stack.attempts.length - before).toBe(2);
  });
});
