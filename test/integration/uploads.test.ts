import { once } from 'node:events';
import { request as httpRequest } from 'node:http';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log.ts';
import { DEMO_DATASETS } from '../../src/sandbox/seed.ts';
import { createGateway } from '../../src/server.ts';
import { testLane } from '../helpers/lane.ts';
import { type Stack, startStack } from '../helpers/stack.ts';
import { abortedPut, gqlMultipart, putCsv, rowsOf, until } from '../helpers/uploads.ts';

const STAGING = DEMO_DATASETS.staging;
const HEADER = 'id,payload,amount,loaded_at\n';
const PARTS = /^\/api\/data\/v3\/datasources\/[^/]+\/uploads\/\d+\/parts\/\d+$/;
const COMMIT = /^\/api\/data\/v3\/datasources\/[^/]+\/uploads\/\d+\/commit$/;
const START = /^\/api\/data\/v3\/datasources\/[^/]+\/uploads$/;

const UPLOAD = `mutation Up($id: ID!, $file: Upload!, $mode: UploadMode, $partSizeKB: Int, $dataTag: String, $hasHeader: Boolean, $keyColumns: [String!]) {
  uploadDatasetCsv(datasetId: $id, file: $file, mode: $mode, partSizeKB: $partSizeKB, dataTag: $dataTag, hasHeader: $hasHeader, keyColumns: $keyColumns) {
    uploadId mode dataVersion parts rows bytes durationMs commit dataset { rowCount }
  }
}`;

interface UploadResult {
  uploadId: string;
  mode: string;
  dataVersion: string | null;
  parts: number;
  rows: number;
  bytes: number;
  durationMs: number;
  commit: Record<string, unknown>;
  dataset: { rowCount: number };
}

let stack: Stack;
beforeEach(async () => {
  stack = await startStack();
});
afterEach(() => stack.close());

function seedRows(ids: number[], label = 'row'): string {
  return ids.map((i) => `${i},${label} ${i},${i}.5,2025-01-0${(i % 9) + 1} 10:00:00`).join('\n');
}

describe('uploadDatasetCsv and the PUT route, every mode', () => {
  it('APPEND through GraphQL multipart: rows land, a data version is created', async () => {
    const csv = `${HEADER}${seedRows([1, 2, 3])}\n`;
    const res = await gqlMultipart<{ uploadDatasetCsv: UploadResult }>(stack, UPLOAD, { id: STAGING }, csv);
    expect(res.errors).toBeUndefined();
    const r = res.data!.uploadDatasetCsv;
    expect(r).toMatchObject({
      mode: 'APPEND',
      parts: 1,
      rows: 3,
      bytes: Buffer.byteLength(csv),
      dataVersion: '2',
    });
    expect(r.commit).toMatchObject({ status: 'SUCCESS', rowCount: 3 });
    expect(r.dataset.rowCount).toBe(3);
    expect(await rowsOf(stack, STAGING, 'id, payload, amount, CAST(loaded_at AS VARCHAR)')).toEqual([
      [1, 'row 1', 1.5, '2025-01-02 10:00:00'],
      [2, 'row 2', 2.5, '2025-01-03 10:00:00'],
      [3, 'row 3', 3.5, '2025-01-04 10:00:00'],
    ]);
    expect(stack.sandbox.count('POST', START)).toBe(1);
    expect(stack.sandbox.count('PUT', COMMIT)).toBe(1);
  });

  it('REPLACE, UPSERT and DELETE through the PUT route', async () => {
    expect((await putCsv(stack, STAGING, `${HEADER}${seedRows([1, 2, 3, 4])}\n`)).status).toBe(200);

    const replaced = await putCsv(stack, STAGING, `${seedRows([10, 11], 'new')}\n`, {
      mode: 'replace',
      header: 'false',
    });
    expect(replaced.status).toBe(200);
    expect(replaced.body).toMatchObject({ mode: 'REPLACE', rows: 2, parts: 1 });
    expect(await rowsOf(stack, STAGING, 'id, payload')).toEqual([
      [10, 'new 10'],
      [11, 'new 11'],
    ]);

    const upserted = await putCsv(stack, STAGING, `${HEADER}11,changed,0,\n12,added,1,\n`, {
      mode: 'upsert',
    });
    expect(upserted.status).toBe(200);
    expect(await rowsOf(stack, STAGING, 'id, payload')).toEqual([
      [10, 'new 10'],
      [11, 'changed'],
      [12, 'added'],
    ]);

    // Key 99 does not exist: ignored.
    const deleted = await putCsv(stack, STAGING, 'id\n10\n99\n', { mode: 'delete' });
    expect(deleted.status).toBe(200);
    expect(deleted.body).toMatchObject({ mode: 'DELETE', rows: 2 });
    expect(await rowsOf(stack, STAGING, 'id')).toEqual([[11], [12]]);
  });

  it('appendRows and deleteRows, inline', async () => {
    const appended = await stack.gql<{ appendRows: UploadResult }>(
      `mutation($id: ID!, $rows: [JSONObject!]!) { appendRows(datasetId: $id, rows: $rows) { rows parts dataset { rowCount } } }`,
      {
        id: STAGING,
        rows: [
          { id: 1, payload: 'a, "quoted"\nline', amount: 1.25 },
          { id: 2, payload: null, loaded_at: '2025-03-01T12:00:00' },
        ],
      },
    );
    expect(appended.errors).toBeUndefined();
    expect(appended.data!.appendRows).toEqual({ rows: 2, parts: 1, dataset: { rowCount: 2 } });
    expect(await rowsOf(stack, STAGING, 'id, payload, amount, CAST(loaded_at AS VARCHAR)')).toEqual([
      [1, 'a, "quoted"\nline', 1.25, null],
      [2, null, null, '2025-03-01 12:00:00'],
    ]);
    const deleted = await stack.gql<{ deleteRows: UploadResult }>(
      `mutation($id: ID!) { deleteRows(datasetId: $id, keys: [{id: 1}, {id: 42}]) { rows mode dataset { rowCount } } }`,
      { id: STAGING },
    );
    expect(deleted.errors).toBeUndefined();
    expect(deleted.data!.deleteRows).toEqual({ rows: 2, mode: 'DELETE', dataset: { rowCount: 1 } });
    expect(await rowsOf(stack, STAGING, 'id')).toEqual([[2]]);
  });

  it('REPLACE with a tag replaces only that partition', async () => {
    const targets = DEMO_DATASETS.targets;
    const res = await putCsv(stack, targets, 'region,quarter,target,stretch\nNorth,2025-Q1,1,1.5\n', {
      mode: 'replace',
      dataTag: '2025-Q1',
    });
    expect(res.status).toBe(200);
    const counts = await stack.sandbox.store.run(
      `SELECT quarter, count(*)::INT FROM "ds_${targets}" GROUP BY quarter ORDER BY quarter`,
    );
    expect(counts.getRowsJson()).toEqual([
      ['2025-Q1', 1],
      ['2025-Q2', 5],
      ['2025-Q3', 5],
      ['2025-Q4', 5],
    ]);
  });
});

describe('parts', () => {
  it('splits into many parts, quoted newlines across part boundaries intact', async () => {
    const rows = Array.from({ length: 300 }, (_, i) => `${i},"line ${i}\nsecond, line ""${i}""",${i},`);
    const csv = `${HEADER}${rows.join('\r\n')}`;
    const res = await gqlMultipart<{ uploadDatasetCsv: UploadResult }>(
      stack,
      UPLOAD,
      { id: STAGING, partSizeKB: 1 },
      csv,
    );
    expect(res.errors).toBeUndefined();
    const r = res.data!.uploadDatasetCsv;
    expect(r.rows).toBe(300);
    expect(r.parts).toBeGreaterThan(5);
    expect(stack.sandbox.count('PUT', PARTS)).toBe(r.parts);
    const stored = await rowsOf(stack, STAGING, 'id, payload');
    expect(stored).toEqual(Array.from({ length: 300 }, (_, i) => [i, `line ${i}\nsecond, line "${i}"`]));
  });

  it('concurrent uploads to one dataset commit separately and do not mix', async () => {
    const a = `${HEADER}${seedRows(
      Array.from({ length: 200 }, (_, i) => i),
      'a',
    )}\n`;
    const b = `${HEADER}${seedRows(
      Array.from({ length: 200 }, (_, i) => 1000 + i),
      'b',
    )}\n`;
    const [ra, rb] = await Promise.all([
      putCsv(stack, STAGING, a, { partSizeKB: '1' }),
      putCsv(stack, STAGING, b, { partSizeKB: '1' }),
    ]);
    expect([ra.status, rb.status]).toEqual([200, 200]);
    expect(ra.body.uploadId).not.toBe(rb.body.uploadId);
    expect(new Set([ra.body.dataVersion, rb.body.dataVersion]).size).toBe(2);
    const counts = await stack.sandbox.store.run(
      `SELECT split_part(payload, ' ', 1) AS who, count(*)::INT, count(DISTINCT id)::INT FROM "ds_${STAGING}" GROUP BY 1 ORDER BY 1`,
    );
    expect(counts.getRowsJson()).toEqual([
      ['a', 200, 200],
      ['b', 200, 200],
    ]);
  });

  it('re-sends a part that fails twice under the same number, commits once, no duplicates', async () => {
    stack.sandbox.inject({ method: 'PUT', path: /\/uploads\/\d+\/parts\/2$/, status: 500, times: 2 });
    const csv = `${HEADER}${seedRows(Array.from({ length: 100 }, (_, i) => i))}\n`;
    const res = await putCsv(stack, STAGING, csv, { partSizeKB: '1' });
    expect(res.status).toBe(200);
    expect(stack.sandbox.count('PUT', /\/parts\/2$/)).toBe(3);
    expect(stack.sandbox.count('PUT', COMMIT)).toBe(1);
    expect(await rowsOf(stack, STAGING, 'count(*)::INT, count(DISTINCT id)::INT', '1')).toEqual([[100, 100]]);
  });

  it('a part that always fails: no commit, the dataset unchanged, the part named', async () => {
    stack.sandbox.inject({ method: 'PUT', path: /\/uploads\/\d+\/parts\/3$/, status: 503, times: 1000 });
    const csv = `${HEADER}${seedRows(Array.from({ length: 200 }, (_, i) => i))}\n`;
    const res = await gqlMultipart(stack, UPLOAD, { id: STAGING, partSizeKB: 1 }, csv);
    expect(res.errors?.[0]?.extensions).toMatchObject({
      code: 'UPSTREAM_ERROR',
      part: 3,
      upstreamStatus: 503,
    });
    expect(res.errors?.[0]?.message).toMatch(/part 3 failed after 5 attempts.*nothing was committed/);
    expect(stack.sandbox.count('PUT', COMMIT)).toBe(0);
    expect(await rowsOf(stack, STAGING, 'count(*)::INT', '1')).toEqual([[0]]);

    const put = await putCsv(stack, STAGING, csv, { partSizeKB: '1' });
    expect(put.status).toBe(502);
    expect(put.body.error).toMatchObject({ code: 'UPSTREAM_ERROR', part: 3 });
  });

  it('the caller aborting midway: no commit', async () => {
    const head = `${HEADER}${seedRows(Array.from({ length: 100 }, (_, i) => i))}\n`;
    await abortedPut(stack, STAGING, head, () => stack.sandbox.count('PUT', PARTS) >= 1, '?partSizeKB=1');
    // Let the gateway notice the dropped connection and settle its parts.
    await new Promise((r) => setTimeout(r, 300));
    expect(stack.sandbox.count('PUT', COMMIT)).toBe(0);
    expect(await rowsOf(stack, STAGING, 'count(*)::INT', '1')).toEqual([[0]]);
  });
});

describe('bad input: BAD_USER_INPUT naming line and column, nothing committed', () => {
  const cases: Array<[string, string | Buffer, Record<string, unknown>, RegExp]> = [
    [
      'header mismatch',
      'id,PAYLOAD,amount,loaded_at\n1,a,1,\n',
      { line: 1, column: 'payload' },
      /case-sensitive/,
    ],
    ['missing field', `${HEADER}1,a,1,\n2,b,2\n`, { line: 3 }, /expected 4 fields/],
    ['bad LONG', `${HEADER}1.5,a,1,\n`, { line: 2, column: 'id' }, /not a valid LONG/],
    ['bad DOUBLE', `${HEADER}1,a,abc,\n`, { line: 2, column: 'amount' }, /not a valid DOUBLE/],
    ['bad DATETIME', `${HEADER}1,a,1,yesterday\n`, { line: 2, column: 'loaded_at' }, /not a valid DATETIME/],
    ['unterminated quote', `${HEADER}1,"a,1,\n`, { line: 2 }, /unterminated/],
    [
      'invalid UTF-8',
      Buffer.concat([Buffer.from(`${HEADER}1,`), Buffer.from([0xc0, 0xaf]), Buffer.from(',1,\n')]),
      { line: 2 },
      /UTF-8/,
    ],
    ['empty file', '', {}, /empty/],
    ['header only', HEADER, {}, /no data rows/],
  ];
  for (const [name, csv, where, message] of cases) {
    it(name, async () => {
      const res = await gqlMultipart(stack, UPLOAD, { id: STAGING }, csv);
      expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'file', ...where });
      expect(res.errors?.[0]?.message).toMatch(message);
      expect(stack.sandbox.count('PUT', COMMIT)).toBe(0);
      const put = await putCsv(stack, STAGING, csv);
      expect(put.status).toBe(400);
      expect(put.body.error).toMatchObject({ code: 'BAD_USER_INPUT', ...where });
      expect(stack.sandbox.count('PUT', COMMIT)).toBe(0);
    });
  }

  it('a bad row far into the file fails after parts were sent, still without a commit', async () => {
    const rows = seedRows(Array.from({ length: 5000 }, (_, i) => i));
    const res = await putCsv(stack, STAGING, `${HEADER}${rows}\n5000,late,not-a-number,\n`, {
      partSizeKB: '4',
    });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ line: 5002, column: 'amount' });
    expect(stack.sandbox.count('PUT', PARTS)).toBeGreaterThan(0);
    expect(stack.sandbox.count('PUT', COMMIT)).toBe(0);
    expect(await rowsOf(stack, STAGING, 'count(*)::INT', '1')).toEqual([[0]]);
  });

  it('accepts a BOM, CRLF and a last line without newline', async () => {
    const res = await putCsv(stack, STAGING, `\uFEFF${HEADER.trim()}\r\n1,a,1,\r\n2,b,2,`);
    expect(res.status).toBe(200);
    expect(await rowsOf(stack, STAGING, 'id, payload')).toEqual([
      [1, 'a'],
      [2, 'b'],
    ]);
  });

  it('DELETE files hold only key columns', async () => {
    const res = await gqlMultipart(
      stack,
      UPLOAD,
      { id: STAGING, mode: 'DELETE', keyColumns: ['id'] },
      'id,payload\n1,a\n',
    );
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', line: 1 });
    expect(res.errors?.[0]?.message).toMatch(/only the key columns/);
  });

  it('refuses bad arguments before any upstream call', async () => {
    const before = stack.sandbox.requests.length;
    const bad = await Promise.all([
      gqlMultipart(stack, UPLOAD, { id: 'nope' }, 'x'),
      gqlMultipart(stack, UPLOAD, { id: STAGING, partSizeKB: 0 }, 'x'),
      gqlMultipart(stack, UPLOAD, { id: STAGING, dataTag: 'a/b' }, 'x'),
      gqlMultipart(stack, UPLOAD, { id: STAGING, keyColumns: ['id'] }, 'x'),
      stack.gql(`mutation { appendRows(datasetId: "${STAGING}", rows: []) { rows } }`),
      stack.gql(`mutation { deleteRows(datasetId: "${STAGING}", keys: [{id: 1}, {other: 2}]) { rows } }`),
      putCsv(stack, STAGING, 'x', { mode: 'merge' }),
      putCsv(stack, 'not-a-uuid', 'x'),
    ]);
    const fields = bad.slice(0, 6).map((r) => ('errors' in r ? r.errors?.[0]?.extensions : undefined));
    expect(fields.map((e) => e?.code)).toEqual(Array(6).fill('BAD_USER_INPUT'));
    expect(fields.map((e) => e?.field)).toEqual([
      'datasetId',
      'partSizeKB',
      'dataTag',
      'keyColumns',
      'rows',
      'keys',
    ]);
    expect(bad.slice(6).map((r) => r.status)).toEqual([400, 400]);
    expect(stack.sandbox.requests.length).toBe(before);
  });

  it('appendRows refuses an unknown column', async () => {
    const res = await stack.gql(
      `mutation { appendRows(datasetId: "${STAGING}", rows: [{nope: 1}]) { rows } }`,
    );
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'rows' });
    expect(stack.sandbox.count('POST', START)).toBe(0);
  });

  it('an unknown dataset is NOT_FOUND', async () => {
    const res = await gqlMultipart(
      stack,
      UPLOAD,
      { id: '00000000-0000-4000-8000-000000000000' },
      `${HEADER}1,a,1,\n`,
    );
    expect(res.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });
});

describe('data versions of uploads', () => {
  it('every commit adds a data version with its row count', async () => {
    await putCsv(stack, STAGING, `${HEADER}${seedRows([1, 2])}\n`);
    await putCsv(stack, STAGING, `${HEADER}${seedRows([3])}\n`);
    const res = await stack.gql<{
      dataset: { dataVersions: Array<{ dataVersionId: string; rowCount: number; status: string }> };
    }>(`{ dataset(id: "${STAGING}") { dataVersions { dataVersionId rowCount status } } }`);
    expect(res.errors).toBeUndefined();
    expect(res.data!.dataset.dataVersions).toEqual([
      { dataVersionId: '1', rowCount: 0, status: 'SUCCESS' },
      { dataVersionId: '2', rowCount: 2, status: 'SUCCESS' },
      { dataVersionId: '3', rowCount: 1, status: 'SUCCESS' },
    ]);
  });
});

describe('server shutdown', () => {
  it('stops a running upload uncommitted and answers the caller', async () => {
    const gateway = createGateway({
      config: {
        lane: testLane(),
        serverCredentials: null,
        upstream: {
          connectTimeoutMs: 5_000,
          headersTimeoutMs: 30_000,
          bodyTimeoutMs: 30_000,
          maxRetries: 0,
          retryBaseMs: 5,
          retryMaxDelayMs: 50,
          connections: 4,
          maxConcurrencyPerRequest: 8,
          maxCallsPerRequest: 500,
        },
        maxPageSize: 50,
        maxQueryRows: 1000,
      },
      http: stack.http,
      logger: silentLogger,
    });
    gateway.server.listen(0, '127.0.0.1');
    await once(gateway.server, 'listening');
    const port = (gateway.server.address() as { port: number }).port;
    const answer = new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = httpRequest(
        `http://127.0.0.1:${port}/v1/datasets/${STAGING}/upload?partSizeKB=1`,
        { method: 'PUT', headers: { 'content-type': 'text/csv', 'x-domo-developer-token': 'test-token' } },
        (res) => {
          let body = '';
          res.on('data', (c) => {
            body += c;
          });
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        },
      );
      req.on('error', reject);
      req.write(`${HEADER}${seedRows(Array.from({ length: 100 }, (_, i) => i))}\n`);
      // The body stays open: the upload is midway when the server shuts down.
      void until(() => stack.sandbox.count('PUT', PARTS) >= 1).then(() => gateway.abortUploads());
    });
    const { status, body } = await answer;
    expect(status).toBe(499);
    expect(JSON.parse(body).error).toMatchObject({ code: 'CANCELLED' });
    expect(stack.sandbox.count('PUT', COMMIT)).toBe(0);
    expect(await rowsOf(stack, STAGING, 'count(*)::INT', '1')).toEqual([[0]]);
    gateway.server.closeAllConnections();
    gateway.server.close();
  });
});
