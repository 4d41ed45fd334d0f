/** Data versions and partitions: the lists, the MAGIC version list, and the two deletes. */
import type { DomoDataVersionHydrateRequest, DomoPartitionListRequest } from '../../domo/types.ts';
import { badRequest, notFound } from '../errors.ts';
import type { Router } from '../router.ts';
import type { SandboxStore } from '../store.ts';
import {
  inTransaction,
  PARTITION_KIND,
  partitionKey,
  partitionsOf,
  publicPartition,
  removePartitionRows,
  type StoredPartition,
  VERSION_KIND,
  versionDocId,
  versionsOf,
} from '../versions.ts';

/** Sort and filter fields of `partition/list`, lower-cased as Domo's example sends them. */
const PARTITION_FIELDS: Record<string, (p: StoredPartition) => number | string> = {
  datecompleted: (p) => Number(p.dateCompleted ?? 0),
  createddate: (p) => Number(p.createdDate ?? 0),
  partitionid: (p) => p.partitionId,
  rowcount: (p) => p.rowCount ?? 0,
  sizebytes: (p) => p.sizeBytes ?? 0,
};

function nonNegativeInt(value: unknown, name: string, fallback: number): number {
  if (value === undefined || value === null || value === '') return fallback;
  const n = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0)
    throw badRequest(`${name} must be a non-negative integer`);
  return n;
}

export function versionRoutes(router: Router, store: SandboxStore): void {
  router.get('/api/data/v3/datasources/:id/dataversions/details', (req) => {
    const id = req.params.id!;
    store.dataset(id);
    return { body: versionsOf(store, id) };
  });

  // The plain list does not tell partitions of deleted versions apart (the doc says so).
  router.get('/api/query/v1/datasources/:id/partition', (req) => {
    const id = req.params.id!;
    store.dataset(id);
    const list = partitionsOf(store, id).sort((a, b) => a.partitionId.localeCompare(b.partitionId));
    return { body: list.map(publicPartition) };
  });

  router.post('/api/query/v1/datasources/:id/partition/list', async (req) => {
    const id = req.params.id!;
    store.dataset(id);
    const body = (await req.json<DomoPartitionListRequest>()) ?? {};
    if (typeof body !== 'object' || Array.isArray(body)) throw badRequest('the body must be a JSON object');
    const limit = nonNegativeInt(body.limit, 'limit', 100);
    const offset = nonNegativeInt(body.offset, 'offset', 0);
    let list = partitionsOf(store, id).filter((p) => p.status !== 'DELETED');
    const sorts: Array<(a: StoredPartition, b: StoredPartition) => number> = [];
    for (const field of body.paginationFields ?? []) {
      const key = PARTITION_FIELDS[String(field?.fieldName ?? '').toLowerCase()];
      if (!key) {
        throw badRequest(`fieldName must be one of ${Object.keys(PARTITION_FIELDS).join(', ')}`);
      }
      const { MIN: min, MAX: max } = field.filterValues ?? {};
      const bound = (v: unknown) => (typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v);
      if (min !== null && min !== undefined)
        list = list.filter((p) => key(p) >= (bound(min) as number | string));
      if (max !== null && max !== undefined)
        list = list.filter((p) => key(p) <= (bound(max) as number | string));
      const order = field.sortOrder === 'ASC' ? 1 : field.sortOrder === 'DESC' || !field.sortOrder ? -1 : 0;
      if (order === 0) throw badRequest('sortOrder must be ASC or DESC');
      sorts.push((a, b) => {
        const x = key(a);
        const y = key(b);
        return x < y ? -order : x > y ? order : 0;
      });
    }
    if (sorts.length === 0) sorts.push((a, b) => Number(b.dateCompleted ?? 0) - Number(a.dateCompleted ?? 0));
    list.sort((a, b) => {
      for (const sort of sorts) {
        const result = sort(a, b);
        if (result !== 0) return result;
      }
      return a.partitionId.localeCompare(b.partitionId);
    });
    return { body: list.slice(offset, offset + limit).map(publicPartition) };
  });

  router.post('/api/dataprocessing/v2/dataflows/data-version-hydrate', async (req) => {
    const engine = req.query.get('engine') ?? 'MAGIC';
    if (engine !== 'MAGIC') throw badRequest('engine must be MAGIC');
    const limit = nonNegativeInt(req.query.get('limit'), 'limit', 500);
    const offset = nonNegativeInt(req.query.get('offset'), 'offset', 0);
    const body = await req.json<Partial<DomoDataVersionHydrateRequest>>();
    if (!body || typeof body.dataSourceId !== 'string' || body.dataSourceId === '') {
      throw badRequest('the body must name the dataSourceId');
    }
    store.dataset(body.dataSourceId);
    return { body: versionsOf(store, body.dataSourceId).slice(offset, offset + limit) };
  });

  const partition = (datasetId: string, partitionId: string): StoredPartition => {
    store.dataset(datasetId);
    const found = store.getDoc<StoredPartition>(PARTITION_KIND, partitionKey(datasetId, partitionId));
    if (!found) throw notFound(`Partition ${partitionId} not found for DataSource ${datasetId}`);
    return found;
  };

  // Marks the tag's data version deleted: its rows leave query results, the tag stays (plain list).
  router.delete('/api/query/v1/datasources/:id/tag/:partitionId/data', async (req) => {
    const id = req.params.id!;
    const found = partition(id, req.params.partitionId!);
    await inTransaction(store, (conn) => removePartitionRows(conn, id, found));
    await store.putDoc(PARTITION_KIND, partitionKey(id, found.partitionId), {
      ...found,
      status: 'DELETED',
      rowCount: 0,
    });
    const versionId = found.dataVersionId;
    if (versionId !== undefined) {
      const key = versionDocId(id, versionId);
      const version = store.getDoc<Record<string, unknown>>(VERSION_KIND, key);
      if (version) await store.putDoc(VERSION_KIND, key, { ...version, status: 'DELETED' });
    }
    await store.refreshCounts(id);
    return { status: 200 };
  });

  // Removes the tag; its rows go with it, so no query sees rows of a partition that is no more.
  router.delete('/api/query/v1/datasources/:id/partition/:partitionId', async (req) => {
    const id = req.params.id!;
    const found = partition(id, req.params.partitionId!);
    await inTransaction(store, (conn) => removePartitionRows(conn, id, found));
    await store.deleteDoc(PARTITION_KIND, partitionKey(id, found.partitionId));
    await store.refreshCounts(id);
    return { status: 200 };
  });
}
