/** The export client against the real sandbox: Domo's CSV export, and SQL rows handed on as they come. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDomoClient, type DomoClient } from '../../src/domo/client.ts';
import { DomoError } from '../../src/domo/errors.ts';
import type { RowBatch } from '../../src/domo/export.ts';
import { DomoHttp } from '../../src/domo/http.ts';
import { DEMO_DATASETS } from '../../src/sandbox/seed.ts';
import { createSandbox, type Sandbox } from '../../src/sandbox/server.ts';

let sandbox: Sandbox;
let domo: DomoClient;
let http: DomoHttp;

beforeAll(async () => {
  sandbox = await createSandbox({ token: 't', largeRows: 5_000 });
  http = new DomoHttp({
    baseUrl: sandbox.url,
    headersTimeoutMs: 10_000,
    bodyTimeoutMs: 10_000,
    // A tiny response cap: an export passes through, so it never applies.
    maxResponseBytes: 1024,
    retry: { maxRetries: 0, baseMs: 1, maxDelayMs: 5 },
  });
  domo = createDomoClient(http, { credentials: { kind: 'developer', token: 't' } });
});
afterAll(() => sandbox.close());

const text = (chunks: Uint8Array[]) => Buffer.concat(chunks).toString('utf8');

describe('exports', () => {
  it('GET /api/data/v2/datasources/{id}/dataversions/latest?includeHeader=true, Accept: text/csv', async () => {
    const chunks: Uint8Array[] = [];
    const { bytes } = await domo.exports.csv(DEMO_DATASETS.sales, (chunk) => {
      chunks.push(chunk);
    });
    const csv = text(chunks);
    expect(bytes).toBe(Buffer.byteLength(csv));
    expect(bytes).toBeGreaterThan(1024);
    const lines = csv.trimEnd().split('\n');
    expect(lines[0]).toBe('transaction_id,region,product,quantity,unit_price,discount,order_date,created_at');
    expect(lines).toHaveLength(5_001);
    const last = sandbox.requests.at(-1)!;
    expect([last.method, last.path, last.query]).toEqual([
      'GET',
      `/api/data/v2/datasources/${DEMO_DATASETS.sales}/dataversions/latest`,
      '?includeHeader=true',
    ]);
  });

  it('leaves the header out when asked', async () => {
    const chunks: Uint8Array[] = [];
    await domo.exports.csv(DEMO_DATASETS.targets, (chunk) => void chunks.push(chunk), {
      includeHeader: false,
    });
    const lines = text(chunks).trimEnd().split('\n');
    expect(lines).toHaveLength(20);
    expect(lines[0]).toMatch(/^[^,]+,/);
    expect(lines[0]).not.toContain('region,');
  });

  it('answers 404 for an unknown dataset and 401 for a wrong token, as DomoErrors', async () => {
    const missing = domo.exports.csv('00000000-0000-4000-8000-000000000000', () => {});
    await expect(missing).rejects.toMatchObject({ kind: 'not_found', status: 404 });
    const stranger = createDomoClient(http, { credentials: { kind: 'developer', token: 'nope' } });
    await expect(stranger.exports.csv(DEMO_DATASETS.sales, () => {})).rejects.toBeInstanceOf(DomoError);
    await expect(stranger.exports.csv(DEMO_DATASETS.sales, () => {})).rejects.toMatchObject({ status: 401 });
  });

  it('hands SQL rows on in batches, past the response cap, waiting on the sink', async () => {
    const batches: RowBatch[] = [];
    const answer = await domo.exports.sqlRows(
      DEMO_DATASETS.sales,
      'SELECT transaction_id, region FROM table',
      async (batch) => {
        batches.push(batch);
        await new Promise((resolve) => setTimeout(resolve, 1));
      },
    );
    expect(answer).toEqual({ columns: ['transaction_id', 'region'], rows: 5_000 });
    expect(batches.length).toBeGreaterThan(1);
    const rows = batches.flatMap((b) => b.rows);
    expect(rows.map((r) => r[0])).toEqual(Array.from({ length: 5_000 }, (_, i) => i + 1));
    expect(batches[0]!.columns).toEqual(['transaction_id', 'region']);
  });
});

describe('exports from the real-instance SQL shape ({columns, metadata, rows})', () => {
  it('hands on rows with the answer columns and types', async () => {
    const columns = await createSandbox({ token: 't', largeRows: 3_000, sqlShape: 'columns' });
    try {
      const client = createDomoClient(
        new DomoHttp({
          baseUrl: columns.url,
          headersTimeoutMs: 10_000,
          bodyTimeoutMs: 10_000,
          retry: { maxRetries: 0, baseMs: 1, maxDelayMs: 5 },
        }),
        { credentials: { kind: 'developer', token: 't' } },
      );
      const batches: RowBatch[] = [];
      const answer = await client.exports.sqlRows(
        DEMO_DATASETS.sales,
        'SELECT transaction_id, unit_price, order_date FROM table WHERE transaction_id <= 2500',
        (batch) => void batches.push(batch),
      );
      expect(answer).toEqual({ columns: ['transaction_id', 'unit_price', 'order_date'], rows: 2_500 });
      expect(batches[0]!.types).toEqual(['LONG', 'DECIMAL', 'DATE']);
      expect(batches.flatMap((b) => b.rows)[0]).toEqual([1, 5, '2023-01-01']);
    } finally {
      await columns.close();
    }
  });
});
