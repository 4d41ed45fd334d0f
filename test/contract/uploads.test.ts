import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDomoClient, type DomoClient } from '../../src/domo/client.ts';
import { DomoError } from '../../src/domo/errors.ts';
import { DomoHttp } from '../../src/domo/http.ts';
import { DEMO_DATASETS } from '../../src/sandbox/seed.ts';
import { createSandbox, type Sandbox } from '../../src/sandbox/server.ts';
import { tableName } from '../../src/sandbox/store.ts';

let sandbox: Sandbox;
let domo: DomoClient;
beforeAll(async () => {
  sandbox = await createSandbox({ token: 't', largeRows: 100 });
  const http = new DomoHttp({
    baseUrl: sandbox.url,
    retry: { maxRetries: 0, baseMs: 1, maxDelayMs: 1 },
    headersTimeoutMs: 10_000,
    bodyTimeoutMs: 10_000,
  });
  domo = createDomoClient(http, { credentials: { kind: 'developer', token: 't' } });
});
afterAll(() => sandbox.close());

const STAGING = DEMO_DATASETS.staging;
const TARGETS = DEMO_DATASETS.targets;

async function count(id: string): Promise<number> {
  return Number((await sandbox.store.run(`SELECT count(*) FROM ${tableName(id)}`)).getRows()[0]?.[0]);
}

async function failure(promise: Promise<unknown>): Promise<DomoError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof DomoError) return error;
    throw error;
  }
  throw new Error('expected a DomoError');
}

describe('UploadsApi against the sandbox', () => {
  it('start → parts (a re-sent part replaces itself) → commit', async () => {
    const started = await domo.uploads.start(STAGING, { appendId: 'append' });
    expect(started).toMatchObject({ dataSourceId: STAGING, uploadId: expect.any(Number) });
    expect(sandbox.requests.at(-1)).toMatchObject({ method: 'POST', query: '' });
    await domo.uploads.putPart(STAGING, started.uploadId, 1, 'broken,part\n');
    await domo.uploads.putPart(STAGING, started.uploadId, 1, Buffer.from('1,a,1,\n'));
    await domo.uploads.putPart(STAGING, started.uploadId, 2, '2,"b\nc",2,2025-01-01 00:00:00\n');
    const before = await count(STAGING);
    const commit = await domo.uploads.commit(STAGING, started.uploadId, {
      action: 'APPEND',
      index: true,
      message: 'hi',
    });
    expect(commit).toMatchObject({ status: 'SUCCESS', rowCount: 2, uploadId: started.uploadId });
    expect(await count(STAGING)).toBe(before + 2);
  });

  it('sends dataTag on start and commit; the commit makes a partition', async () => {
    const started = await domo.uploads.start(TARGETS, {
      appendId: 'replace',
      dataTag: '2027-Q1',
      includeHistory: false,
    });
    expect(sandbox.requests.at(-1)?.query).toBe('?dataTag=2027-Q1&includeHistory=false');
    await domo.uploads.putPart(TARGETS, started.uploadId, 1, 'West,2027-Q1,1,1\n');
    await domo.uploads.commit(TARGETS, started.uploadId, {
      action: 'REPLACE',
      index: true,
      dataTag: '2027-Q1',
    });
    const tags = await domo.versions.partitions(TARGETS);
    expect(tags.map((p) => p.partitionId)).toContain('2027-Q1');
  });

  it('refuses an unknown upload, a gap in part numbers, a commit with no parts, a bad part number', async () => {
    expect((await failure(domo.uploads.putPart(STAGING, 99999, 1, 'x\n'))).status).toBe(404);
    expect((await failure(domo.uploads.commit(STAGING, 99999, { action: 'APPEND', index: true }))).kind).toBe(
      'not_found',
    );
    const empty = await domo.uploads.start(STAGING, {});
    const none = await failure(
      domo.uploads.commit(STAGING, empty.uploadId, { action: 'APPEND', index: true }),
    );
    expect([none.status, none.message]).toEqual([400, `Upload ${empty.uploadId} has no parts to commit`]);
    const gap = await domo.uploads.start(STAGING, {});
    await domo.uploads.putPart(STAGING, gap.uploadId, 1, '1,a,1,\n');
    await domo.uploads.putPart(STAGING, gap.uploadId, 3, '3,a,1,\n');
    const gapped = await failure(
      domo.uploads.commit(STAGING, gap.uploadId, { action: 'APPEND', index: true }),
    );
    expect(gapped.message).toBe('Too many non-consecutive part ids');
    expect((await failure(domo.uploads.putPart(STAGING, gap.uploadId, 0, 'x\n'))).status).toBe(400);
    expect((await failure(domo.uploads.start(STAGING, { appendId: 'merge' as never }))).status).toBe(400);
  });

  it('a bad value fails the whole commit and changes nothing', async () => {
    const before = await count(STAGING);
    const started = await domo.uploads.start(STAGING, {});
    await domo.uploads.putPart(STAGING, started.uploadId, 1, '1,a,1,\n');
    await domo.uploads.putPart(STAGING, started.uploadId, 2, 'x,a,1,\n');
    const error = await failure(
      domo.uploads.commit(STAGING, started.uploadId, { action: 'APPEND', index: true }),
    );
    expect(error.status).toBe(400);
    expect(await count(STAGING)).toBe(before);
  });
});

describe('VersionsApi against the sandbox', () => {
  it('reads versions, partitions (plain and searched) and MAGIC versions', async () => {
    const versions = await domo.versions.dataVersions(DEMO_DATASETS.customers);
    expect(versions).toEqual([
      expect.objectContaining({
        dataSourceId: DEMO_DATASETS.customers,
        dataVersionId: 1,
        rowCount: 500,
        status: 'SUCCESS',
      }),
    ]);
    const searched = await domo.versions.searchPartitions(TARGETS, {
      paginationFields: [
        { fieldName: 'partitionid', sortOrder: 'ASC', filterValues: { MIN: '2025-Q2', MAX: '2025-Q3' } },
      ],
      limit: 10,
      offset: 0,
    });
    expect(searched.map((p) => [p.partitionId, p.rowCount])).toEqual([
      ['2025-Q2', 5],
      ['2025-Q3', 5],
    ]);
    const magic = await domo.versions.magicDataVersions(TARGETS, { limit: 2, offset: 1 });
    expect(magic.map((v) => v.dataVersionId)).toEqual([2, 3]);
    expect(sandbox.requests.at(-1)?.query).toBe('?engine=MAGIC&limit=2&offset=1');
    const bad = await failure(
      domo.versions.searchPartitions(TARGETS, { paginationFields: [{ fieldName: 'nope' }] }),
    );
    expect(bad.status).toBe(400);
  });

  it('deletes a data version (rows gone, tag kept) and a partition tag (tag gone)', async () => {
    const before = await count(TARGETS);
    await domo.versions.deleteDataVersion(TARGETS, '2025-Q3');
    expect(await count(TARGETS)).toBe(before - 5);
    const plain = await domo.versions.partitions(TARGETS);
    expect(plain.find((p) => p.partitionId === '2025-Q3')?.status).toBe('DELETED');
    const listed = await domo.versions.searchPartitions(TARGETS, {});
    expect(listed.map((p) => p.partitionId)).not.toContain('2025-Q3');
    await domo.versions.deletePartitionTag(TARGETS, '2025-Q4');
    expect(await count(TARGETS)).toBe(before - 10);
    expect((await domo.versions.partitions(TARGETS)).map((p) => p.partitionId)).not.toContain('2025-Q4');
    expect((await failure(domo.versions.deletePartitionTag(TARGETS, '2025-Q4'))).status).toBe(404);
  });
});
