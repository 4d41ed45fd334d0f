/**
 * A commit whose answer is lost (the connection reset after the commit was sent) is ambiguous: the
 * gateway reads the dataset's data versions before saying COMMITTED, NOT_COMMITTED or UNKNOWN, on
 * the GraphQL result and the PUT route's JSON alike, and never sends the commit twice. Against a
 * port-0 fake upstream that resets the connection on commit, having committed or not.
 */
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createDomoClient } from '../../src/domo/client.ts';
import { createDispatcher, DomoHttp } from '../../src/domo/http.ts';
import { silentLogger } from '../../src/log.ts';
import { createGateway } from '../../src/server.ts';
import { UploadError } from '../../src/upload/errors.ts';
import { uploadCsv } from '../../src/upload/pipeline.ts';
import { fakeUpstream, json, type Step } from '../helpers/fake-upstream.ts';
import { testLane } from '../helpers/lane.ts';
import type { Stack } from '../helpers/stack.ts';
import { gqlMultipart, putCsv } from '../helpers/uploads.ts';

const DATASET = '6f1c8a52-3b9e-4d7a-9c1e-2a5b7d9e0f13';
const BASE = `/api/data/v3/datasources/${DATASET}`;
const CSV = 'id,name\n1,a\n2,b\n';
const CHECKS = 3;
const UPLOAD = `mutation Up($id: ID!, $file: Upload!) {
  uploadDatasetCsv(datasetId: $id, file: $file) {
    uploadId dataVersion commitState commitAnswerLost parts rows commit
  }
}`;

/** What the fake does when the commit arrives, and what its data versions say afterwards. */
type Commit =
  | 'commit-then-reset'
  | 'reset'
  | 'reset-then-versions-fail'
  | 'reset-other-writers'
  | 'reset-other-row-count'
  | 'refused'
  | 'commit-then-proxy-504';

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

function version(id: number, rowCount: number) {
  return { dataSourceId: DATASET, dataVersionId: id, status: 'SUCCESS', rowCount };
}

/** `part` answers the n-th attempt at a part (default 200). */
async function setup(commit: Commit, part: (attempt: number) => Step = () => ({ status: 200 })) {
  const versions = [version(1, 0)];
  let committed = false;
  let partAttempts = 0;
  const fake = await fakeUpstream(({ method, url }): Step => {
    const path = url.split('?')[0]!;
    if (method === 'GET' && path === `/api/query/v1/datasources/${DATASET}/schema/indexed`) {
      return json(200, {
        tables: [
          {
            columns: [
              { name: 'id', type: 'LONG' },
              { name: 'name', type: 'STRING' },
            ],
          },
        ],
      });
    }
    if (method === 'POST' && path === `${BASE}/uploads`) {
      return json(200, { dataSourceId: DATASET, uploadId: 7, requestedAsOf: 1 });
    }
    if (method === 'PUT' && /\/uploads\/7\/parts\/\d+$/.test(path)) return part(++partAttempts);
    if (method === 'GET' && path === `${BASE}/dataversions/details`) {
      if (committed && commit === 'reset-then-versions-fail') return json(500, { message: 'boom' });
      return json(200, versions);
    }
    if (method === 'PUT' && path === `${BASE}/uploads/7/commit`) {
      committed = true;
      if (commit === 'refused') return json(400, { message: 'Upload 7 has no parts to commit' });
      if (commit === 'commit-then-reset' || commit === 'commit-then-proxy-504') versions.push(version(2, 2));
      if (commit === 'commit-then-proxy-504') return json(504, { message: 'Gateway Timeout' });
      if (commit === 'reset-other-writers') versions.push(version(2, 2), version(3, 2));
      if (commit === 'reset-other-row-count') versions.push(version(2, 5));
      return { reset: true };
    }
    return json(404, { message: `no route for ${method} ${path}` });
  });
  const dispatcher = createDispatcher({ connectTimeoutMs: 2_000, connections: 4 });
  const upstream = {
    connectTimeoutMs: 2_000,
    headersTimeoutMs: 5_000,
    bodyTimeoutMs: 5_000,
    maxRetries: 2,
    retryBaseMs: 1,
    retryMaxDelayMs: 5,
    connections: 4,
    maxConcurrencyPerRequest: 8,
    maxCallsPerRequest: 500,
  };
  const http = new DomoHttp({
    baseUrl: fake.url,
    dispatcher,
    retry: { maxRetries: 2, baseMs: 1, maxDelayMs: 5 },
    headersTimeoutMs: 5_000,
    bodyTimeoutMs: 5_000,
  });
  const { server } = createGateway({
    config: {
      lane: testLane(),
      serverCredentials: null,
      upstream,
      uploads: { partRetries: 1, commitChecks: CHECKS },
      maxPageSize: 50,
      maxQueryRows: 100,
    },
    http,
    logger: silentLogger,
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  cleanup.push(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await dispatcher.destroy();
    await fake.close();
  });
  const stack = { gatewayUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}` } as Stack;
  const count = (method: string, suffix: string) =>
    fake.requests.filter((r) => r.method === method && r.url.split('?')[0] === `${BASE}${suffix}`).length;
  return { stack, count };
}

describe('a commit whose answer is lost', () => {
  it('COMMITTED when the one new data version is this upload: a result, on both routes', async () => {
    for (const route of ['graphql', 'put'] as const) {
      const { stack, count } = await setup('commit-then-reset');
      const expected = {
        uploadId: '7',
        dataVersion: '2',
        commitState: 'COMMITTED',
        commitAnswerLost: true,
        commit: null,
        rows: 2,
        parts: 1,
      };
      if (route === 'graphql') {
        const res = await gqlMultipart<{ uploadDatasetCsv: unknown }>(stack, UPLOAD, { id: DATASET }, CSV);
        expect(res.errors).toBeUndefined();
        expect(res.data?.uploadDatasetCsv).toEqual(expected);
      } else {
        const res = await putCsv(stack, DATASET, CSV);
        expect(res.status).toBe(200);
        expect(res.body).toMatchObject(expected);
      }
      // The write went once; the versions were read before it and once after.
      expect(count('PUT', '/uploads/7/commit')).toBe(1);
      expect(count('GET', '/dataversions/details')).toBe(2);
    }
  });

  it('NOT_COMMITTED when no new data version appears after every check', async () => {
    for (const route of ['graphql', 'put'] as const) {
      const { stack, count } = await setup('reset');
      const error = await failure(stack, route);
      expect(error).toMatchObject({ commitState: 'NOT_COMMITTED', uploadId: '7' });
      expect(error.message).toMatch(
        /no answer .*data versions show it did not commit; nothing was committed/,
      );
      expect(count('PUT', '/uploads/7/commit')).toBe(1);
      expect(count('GET', '/dataversions/details')).toBe(1 + CHECKS);
    }
  });

  it.each([
    ['the data versions cannot be read', 'reset-then-versions-fail', /could not be read/],
    ['two new data versions appeared', 'reset-other-writers', /2 new data versions/],
    ['the new version holds other rows', 'reset-other-row-count', /with 5 rows where this upload sent 2/],
  ] as const)('UNKNOWN when %s, never "nothing was committed"', async (_, behaviour, reason) => {
    for (const route of ['graphql', 'put'] as const) {
      const { stack, count } = await setup(behaviour);
      const error = await failure(stack, route);
      expect(error).toMatchObject({ commitState: 'UNKNOWN', uploadId: '7' });
      expect(error.message).toMatch(reason);
      expect(error.message).not.toMatch(/nothing was committed/);
      expect(count('PUT', '/uploads/7/commit')).toBe(1);
    }
  });

  it("a proxy's 504 is no answer from Domo: settled by the data versions too", async () => {
    const { stack, count } = await setup('commit-then-proxy-504');
    const res = await putCsv(stack, DATASET, CSV);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ commitState: 'COMMITTED', commitAnswerLost: true, dataVersion: '2' });
    expect(count('PUT', '/uploads/7/commit')).toBe(1);
  });

  it('a commit Domo answers with an error is NOT_COMMITTED without reading the versions again', async () => {
    const { stack, count } = await setup('refused');
    const error = await failure(stack, 'put');
    expect(error).toMatchObject({ commitState: 'NOT_COMMITTED', upstreamStatus: 400 });
    expect(count('GET', '/dataversions/details')).toBe(1);
  });
});

/** The failure's code-independent fields: GraphQL extensions plus message, or the PUT route's error. */
async function failure(
  stack: Stack,
  route: 'graphql' | 'put',
): Promise<Record<string, unknown> & { message: string }> {
  if (route === 'graphql') {
    const res = await gqlMultipart(stack, UPLOAD, { id: DATASET }, CSV);
    expect(res.data?.uploadDatasetCsv ?? null).toBeNull();
    const error = res.errors?.[0];
    return { ...error?.extensions, message: String(error?.message) };
  }
  const res = await putCsv(stack, DATASET, CSV);
  expect(res.status).toBeGreaterThanOrEqual(400);
  return res.body.error as Record<string, unknown> & { message: string };
}

describe('part retries follow config (UPLOAD_PART_RETRIES, DOMO_RETRY_*)', () => {
  it('re-sends a failing part partRetries times under its number, then fails uncommitted', async () => {
    const { stack, count } = await setup('commit-then-reset', () => json(503, { message: 'busy' }));
    const error = await failure(stack, 'put');
    expect(error).toMatchObject({ part: 1, commitState: 'NOT_COMMITTED', upstreamStatus: 503 });
    expect(error.message).toMatch(/part 1 failed after 2 attempts/);
    expect(count('PUT', '/uploads/7/parts/1')).toBe(2);
    expect(count('PUT', '/uploads/7/commit')).toBe(0);
  });

  it('waits out a throttled part (429, Retry-After) and commits', async () => {
    const { stack, count } = await setup('commit-then-reset', (n) =>
      n === 1 ? json(429, { message: 'slow down' }, { 'retry-after': '0' }) : { status: 200 },
    );
    const res = await putCsv(stack, DATASET, CSV);
    expect(res.status).toBe(200);
    expect(count('PUT', '/uploads/7/parts/1')).toBe(2);
    expect(count('PUT', '/uploads/7/commit')).toBe(1);
  });
});

describe('cancelled while the data versions are read before the commit', () => {
  it('sends no commit and says NOT_COMMITTED, not UNKNOWN', async () => {
    const fake = await fakeUpstream(({ method, url }): Step => {
      const path = url.split('?')[0]!;
      if (path.endsWith('/dataversions/details')) return { hang: true };
      if (method === 'POST') return json(200, { uploadId: 7 });
      return { status: 200 };
    });
    const http = new DomoHttp({
      baseUrl: fake.url,
      retry: { maxRetries: 0, baseMs: 1, maxDelayMs: 1 },
      headersTimeoutMs: 5_000,
      bodyTimeoutMs: 5_000,
    });
    cleanup.push(() => fake.close());
    const controller = new AbortController();
    const domo = createDomoClient(http, {
      credentials: { kind: 'developer', token: 't' },
      signal: controller.signal,
    });
    const pending = uploadCsv(
      domo,
      DATASET,
      (async function* () {
        yield Buffer.from('1,a\n');
      })(),
      {
        mode: 'APPEND',
        hasHeader: false,
        schema: [
          { name: 'id', type: 'LONG' },
          { name: 'name', type: 'STRING' },
        ],
        signal: controller.signal,
      },
    ).catch((e: unknown) => e);
    await expect.poll(() => fake.requests.some((r) => r.url.includes('/dataversions/details'))).toBe(true);
    controller.abort();
    const error = await pending;
    expect(error).toBeInstanceOf(UploadError);
    expect((error as UploadError).details.commitState).toBe('NOT_COMMITTED');
    expect(fake.requests.filter((r) => r.url.endsWith('/commit'))).toHaveLength(0);
  });
});
