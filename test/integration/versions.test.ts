import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_DATASETS } from '../../src/sandbox/seed.ts';
import { type Stack, startStack } from '../helpers/stack.ts';
import { putCsv, rowsOf } from '../helpers/uploads.ts';

const TARGETS = DEMO_DATASETS.targets;
let stack: Stack;
beforeEach(async () => {
  stack = await startStack();
});
afterEach(() => stack.close());

interface Part {
  partitionId: string;
  rowCount: number;
  status: string;
  dataVersion: { rowCount: number } | null;
}

const PARTITIONS = `query($id: ID!, $first: Int, $after: String, $asc: Boolean, $from: DateTime) {
  dataset(id: $id) {
    partitions(first: $first, after: $after, ascending: $asc, completedAfter: $from) {
      totalCount pageInfo { hasNextPage endCursor }
      edges { node { id partitionId rowCount status dataVersion { rowCount } } }
    }
  }
}`;

describe('data versions and partitions through the gateway', () => {
  it('lists seeded versions, partitions (paged, sorted, filtered), tags and MAGIC versions', async () => {
    const res = await stack.gql<{
      dataset: {
        dataVersions: Array<{ domoId: string; rowCount: number; recordedAt: string }>;
        partitionTags: Array<{ partitionId: string }>;
        magicDataVersions: { edges: Array<{ node: { domoId: string } }> };
      };
    }>(`{ dataset(id: "${TARGETS}") {
      dataVersions { domoId rowCount recordedAt }
      partitionTags { partitionId }
      magicDataVersions(first: 2) { edges { node { domoId } } }
    } }`);
    expect(res.errors).toBeUndefined();
    const d = res.data!.dataset;
    expect(d.dataVersions.map((v) => [v.domoId, v.rowCount])).toEqual([
      ['1', 5],
      ['2', 5],
      ['3', 5],
      ['4', 5],
    ]);
    expect(d.partitionTags.map((p) => p.partitionId)).toEqual(['2025-Q1', '2025-Q2', '2025-Q3', '2025-Q4']);
    expect(d.magicDataVersions.edges.map((e) => e.node.domoId)).toEqual(['1', '2']);

    const page1 = await stack.gql<{
      dataset: {
        partitions: {
          totalCount: number | null;
          pageInfo: { hasNextPage: boolean; endCursor: string };
          edges: Array<{ node: Part }>;
        };
      };
    }>(PARTITIONS, { id: TARGETS, first: 3 });
    expect(page1.errors).toBeUndefined();
    const p1 = page1.data!.dataset.partitions;
    expect(p1.edges.map((e) => e.node.partitionId)).toEqual(['2025-Q4', '2025-Q3', '2025-Q2']);
    expect(p1.pageInfo.hasNextPage).toBe(true);
    expect(p1.totalCount).toBeNull();
    expect(p1.edges[0]!.node.dataVersion).toEqual({ rowCount: 5 });
    const page2 = await stack.gql<{
      dataset: {
        partitions: { totalCount: number; pageInfo: { hasNextPage: boolean }; edges: Array<{ node: Part }> };
      };
    }>(PARTITIONS, { id: TARGETS, first: 3, after: p1.pageInfo.endCursor });
    expect(page2.data!.dataset.partitions.edges.map((e) => e.node.partitionId)).toEqual(['2025-Q1']);
    expect(page2.data!.dataset.partitions.totalCount).toBe(4);
    expect(page2.data!.dataset.partitions.pageInfo.hasNextPage).toBe(false);

    // Seeded a minute apart from 2025-01-04T01:00Z: the last two completed at or after 01:02.
    const filtered = await stack.gql<{ dataset: { partitions: { edges: Array<{ node: Part }> } } }>(
      PARTITIONS,
      {
        id: TARGETS,
        asc: true,
        from: '2025-01-04T01:02:00Z',
      },
    );
    expect(filtered.data!.dataset.partitions.edges.map((e) => e.node.partitionId)).toEqual([
      '2025-Q3',
      '2025-Q4',
    ]);
  });

  it('a tagged upload creates a partition and a version; deleteDataVersion takes its rows out', async () => {
    const up = await putCsv(
      stack,
      TARGETS,
      'region,quarter,target,stretch\nNorth,2026-Q1,1,1\nSouth,2026-Q1,2,2\n',
      {
        dataTag: '2026-Q1',
      },
    );
    expect(up.status).toBe(200);
    expect(await rowsOf(stack, TARGETS, 'count(*)::INT', '1')).toEqual([[22]]);
    const del = await stack.gql<{
      deleteDataVersion: { partitionId: string; dataset: { rowCount: number } };
    }>(
      `mutation { deleteDataVersion(datasetId: "${TARGETS}", partitionId: "2026-Q1") { partitionId dataset { rowCount } } }`,
    );
    expect(del.errors).toBeUndefined();
    expect(del.data!.deleteDataVersion).toEqual({ partitionId: '2026-Q1', dataset: { rowCount: 20 } });
    const sql = await stack.gql<{ sql: { rows: unknown[][] } }>(
      `{ sql(datasetId: "${TARGETS}", sql: "SELECT count(*) FROM t WHERE quarter = '2026-Q1'") { rows } }`,
    );
    expect(sql.data!.sql.rows).toEqual([[0]]);
    const lists = await stack.gql<{
      dataset: {
        partitionTags: Array<{ partitionId: string; status: string }>;
        partitions: { edges: Array<{ node: Part }> };
        dataVersions: Array<{ status: string }>;
      };
    }>(
      `{ dataset(id: "${TARGETS}") { partitionTags { partitionId status } partitions { edges { node { partitionId } } } dataVersions { status } } }`,
    );
    const d = lists.data!.dataset;
    expect(d.partitionTags.find((p) => p.partitionId === '2026-Q1')?.status).toBe('DELETED');
    expect(d.partitions.edges.map((e) => e.node.partitionId)).not.toContain('2026-Q1');
    expect(d.dataVersions.at(-1)?.status).toBe('DELETED');
  });

  it('deletePartitionTag removes the tag and its rows', async () => {
    const res = await stack.gql<{
      deletePartitionTag: { dataset: { rowCount: number; partitionTags: Array<{ partitionId: string }> } };
    }>(
      `mutation { deletePartitionTag(datasetId: "${TARGETS}", partitionId: "2025-Q2") { dataset { rowCount partitionTags { partitionId } } } }`,
    );
    expect(res.errors).toBeUndefined();
    expect(res.data!.deletePartitionTag.dataset.rowCount).toBe(15);
    expect(res.data!.deletePartitionTag.dataset.partitionTags.map((p) => p.partitionId)).toEqual([
      '2025-Q1',
      '2025-Q3',
      '2025-Q4',
    ]);
    expect(await rowsOf(stack, TARGETS, 'DISTINCT quarter')).toEqual([['2025-Q1'], ['2025-Q3'], ['2025-Q4']]);
  });

  it('refuses bad input before any upstream call', async () => {
    const before = stack.sandbox.requests.length;
    const a = await stack.gql(
      `mutation { deleteDataVersion(datasetId: "nope", partitionId: "x") { partitionId } }`,
    );
    const b = await stack.gql(
      `mutation { deletePartitionTag(datasetId: "${TARGETS}", partitionId: "") { partitionId } }`,
    );
    expect([a, b].map((r) => [r.errors?.[0]?.extensions?.code, r.errors?.[0]?.extensions?.field])).toEqual([
      ['BAD_USER_INPUT', 'datasetId'],
      ['BAD_USER_INPUT', 'partitionId'],
    ]);
    const page = await stack.gql(
      `{ dataset(id: "${TARGETS}") { partitions(first: 100000) { totalCount } } }`,
    );
    expect(page.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(stack.sandbox.requests.filter((r) => r.path.includes('partition')).length).toBe(0);
    expect(stack.sandbox.requests.length - before).toBeLessThanOrEqual(1);
  });

  it('passes upstream failures on: unknown partition is NOT_FOUND, an injected 500 is UPSTREAM_ERROR', async () => {
    const missing = await stack.gql(
      `mutation { deletePartitionTag(datasetId: "${TARGETS}", partitionId: "nope") { partitionId } }`,
    );
    expect(missing.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    stack.sandbox.inject({ path: /\/dataversions\/details$/, status: 500, times: 10 });
    const failed = await stack.gql(`{ dataset(id: "${TARGETS}") { name dataVersions { domoId } } }`);
    expect(failed.errors?.[0]?.extensions).toMatchObject({ code: 'UPSTREAM_ERROR', upstreamStatus: 500 });
    stack.sandbox.inject({ method: 'DELETE', path: /\/tag\/2025-Q1\/data$/, status: 403 });
    const forbidden = await stack.gql(
      `mutation { deleteDataVersion(datasetId: "${TARGETS}", partitionId: "2025-Q1") { partitionId } }`,
    );
    expect(forbidden.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    // The write was not retried and nothing changed.
    expect(stack.sandbox.count('DELETE', /\/tag\/2025-Q1\/data$/)).toBe(1);
    expect(await rowsOf(stack, TARGETS, 'count(*)::INT', '1')).toEqual([[20]]);
  });
});
