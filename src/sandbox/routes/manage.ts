/**
 * Dataset management: create, alter schema, properties, tags, and indexing with a status to follow.
 * Choices where the API doc is silent are in src/sandbox/README.md ("Cards, access and dataset
 * management").
 */
import { randomUUID } from 'node:crypto';
import { DOMO_COLUMN_TYPES, type DomoDataSource, type DomoSchemaColumn } from '../../domo/types.ts';
import { ACCESS_KIND, INDEX_KIND, type IndexRecord, sandboxCurrentUser } from '../access-state.ts';
import { badRequest, notFound } from '../errors.ts';
import { datasetMetadata } from '../metadata.ts';
import type { Router } from '../router.ts';
import { duckType, normalizeColumns, quoteIdent, type SandboxStore, tableName } from '../store.ts';

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Columns from a body: names non-empty and unique (DuckDB and Domo SQL ignore case), known types. */
function columnsFrom(value: unknown, where: string): DomoSchemaColumn[] {
  if (!Array.isArray(value) || value.length === 0) throw badRequest(`${where} must be a non-empty list`);
  const seen = new Set<string>();
  return value.map((c: unknown, i) => {
    if (!isObject(c)) throw badRequest(`${where}[${i}] must be an object`);
    if (typeof c.name !== 'string' || c.name.trim() === '')
      throw badRequest(`${where}[${i}].name is required`);
    if (!(DOMO_COLUMN_TYPES as readonly unknown[]).includes(c.type)) {
      throw badRequest(`${where}[${i}].type must be one of ${DOMO_COLUMN_TYPES.join(', ')}`);
    }
    const key = c.name.toLowerCase();
    if (seen.has(key)) throw badRequest(`${where}[${i}].name repeats column ${c.name}`);
    seen.add(key);
    return {
      name: c.name,
      id: typeof c.id === 'string' && c.id !== '' ? c.id : c.name,
      type: c.type as string,
      visible: c.visible !== false,
      order: i,
    };
  });
}

const touch = (dataset: DomoDataSource, changes: Partial<DomoDataSource>): DomoDataSource => ({
  ...dataset,
  ...changes,
  lastTouched: Date.now(),
});

export function manageRoutes(router: Router, store: SandboxStore, indexSettleMs = 0): void {
  router.post('/api/data/v2/datasources', async (req) => {
    const body = await req.json<unknown>();
    if (!isObject(body)) throw badRequest('the body must be a JSON object');
    const { dataSourceName, dataSourceDescription } = body;
    const userDefinedType = body.userDefinedType ?? 'api';
    if (typeof dataSourceName !== 'string' || dataSourceName.trim() === '') {
      throw badRequest('dataSourceName is required');
    }
    if (typeof userDefinedType !== 'string' || userDefinedType === '') {
      throw badRequest('userDefinedType must be a string');
    }
    if (dataSourceDescription !== undefined && typeof dataSourceDescription !== 'string') {
      throw badRequest('dataSourceDescription must be a string');
    }
    if (!isObject(body.schema)) throw badRequest('schema is required');
    const columns = columnsFrom(body.schema.columns, 'schema.columns');
    const owner = sandboxCurrentUser();
    const now = Date.now();
    const id = randomUUID();
    const dataset = datasetMetadata({
      id,
      name: dataSourceName,
      ...(dataSourceDescription ? { description: dataSourceDescription } : {}),
      provider: userDefinedType,
      owner,
      created: now,
      transportType: 'API',
      columnCount: columns.length,
    });
    await store.createDataset(dataset, columns);
    await store.putDoc(ACCESS_KIND, id, [
      { type: 'USER', id: owner.id, accessLevel: 'OWNER', name: owner.name },
    ]);
    return {
      body: {
        dataSourceId: id,
        dataSourceName,
        userDefinedType,
        owner: { id: owner.id, name: owner.name },
        schema: { columns: columns.map(({ name, type }) => ({ name, type })) },
        created: now,
      },
    };
  });

  router.post('/api/data/v2/datasources/:id/schemas', async (req) => {
    const id = req.params.id!;
    const dataset = store.dataset(id);
    const body = await req.json<unknown>();
    if (!isObject(body)) throw badRequest('the body must be a JSON object with columns');
    const next = columnsFrom(body.columns, 'columns');
    const current = store.schema(id).columns;
    const currentByName = new Map(current.map((c) => [c.name.toLowerCase(), c]));
    // A column whose id names an existing column under another name is a rename; the data stays.
    // Each existing column backs at most one new column: a second claim by id is a 400, by name
    // (the id defaulted) makes a new column.
    const claimed = new Set<DomoSchemaColumn>();
    const sources = next.map((c, i) => {
      const explicit = c.id !== c.name;
      const byId = currentByName.get(c.id!.toLowerCase());
      if (explicit && byId && claimed.has(byId)) throw badRequest(`columns[${i}].id repeats column ${c.id}`);
      const from = byId && !claimed.has(byId) ? byId : undefined;
      if (from) claimed.add(from);
      return from;
    });
    const source = (c: DomoSchemaColumn) => sources[next.indexOf(c)];
    const table = tableName(id);
    const statements: string[] = [];
    for (const c of current) {
      if (!claimed.has(c)) statements.push(`ALTER TABLE ${table} DROP COLUMN ${quoteIdent(c.name)}`);
    }
    // Renames in two steps through temporary names, so swapping two names works.
    const renames = next
      .map((c, i) => ({ c, from: source(c), tmp: `__rename_${i}` }))
      .filter((r) => r.from && r.from.name !== r.c.name);
    for (const r of renames) {
      statements.push(
        `ALTER TABLE ${table} RENAME COLUMN ${quoteIdent(r.from!.name)} TO ${quoteIdent(r.tmp)}`,
      );
    }
    for (const r of renames) {
      statements.push(`ALTER TABLE ${table} RENAME COLUMN ${quoteIdent(r.tmp)} TO ${quoteIdent(r.c.name)}`);
    }
    for (const c of next) {
      const from = source(c);
      const name = quoteIdent(c.name);
      const type = duckType(c.type);
      if (!from) statements.push(`ALTER TABLE ${table} ADD COLUMN ${name} ${type}`);
      else if (from.type !== c.type) {
        // Values that do not convert become NULL rather than failing the whole change.
        statements.push(
          `ALTER TABLE ${table} ALTER COLUMN ${name} SET DATA TYPE ${type} USING TRY_CAST(${name} AS ${type})`,
        );
      }
    }
    for (const sql of statements) await store.run(sql);
    await store.putDoc('schema', id, { columns: normalizeColumns(next) });
    await store.putDoc('dataset', id, touch(dataset, { columnCount: next.length }));
    return { body: { dataSourceId: id, columns: next } };
  });

  router.put('/api/data/v3/datasources/:id/properties', async (req) => {
    const id = req.params.id!;
    const dataset = store.dataset(id);
    const body = await req.json<unknown>();
    if (!isObject(body)) throw badRequest('the body must be a JSON object');
    const changes: Partial<DomoDataSource> = {};
    for (const key of ['dataProviderType', 'name', 'description'] as const) {
      const value = body[key];
      if (value === undefined) continue;
      if (typeof value !== 'string' || (key !== 'description' && value.trim() === '')) {
        throw badRequest(`${key} must be a non-empty string`);
      }
      changes[key] = value;
    }
    if (Object.keys(changes).length === 0) {
      throw badRequest('send at least one of dataProviderType, name, description');
    }
    await store.putDoc('dataset', id, touch(dataset, changes));
    return { body: {} };
  });

  router.post('/api/data/ui/v3/datasources/:id/tags', async (req) => {
    const id = req.params.id!;
    const dataset = store.dataset(id);
    const tags = await req.json<unknown>();
    if (!Array.isArray(tags) || !tags.every((t) => typeof t === 'string')) {
      throw badRequest('the body must be a JSON array of tags');
    }
    await store.putDoc('dataset', id, touch(dataset, { tags: JSON.stringify(tags) }));
    return { body: {} };
  });

  const startIndex = async (id: string, dataIds: Array<string | number>) => {
    const now = Date.now();
    const record: IndexRecord = {
      indexId: String(1000 + store.listDocs(INDEX_KIND).length + 1),
      dataSourceId: id,
      status: 'QUEUED',
      dataIds,
      requestedAt: now,
      updatedAt: now,
    };
    await store.putDoc(INDEX_KIND, record.indexId, record);
    return { body: record };
  };

  router.post('/api/query/v1/datasources/:id', async (req) => {
    const id = req.params.id!;
    store.dataset(id);
    return startIndex(id, []);
  });

  router.post('/api/data/v3/datasources/:id/indexes', async (req) => {
    const id = req.params.id!;
    store.dataset(id);
    const body = (await req.json<unknown>()) ?? {};
    const dataIds = isObject(body) ? (body.dataIds ?? []) : undefined;
    if (
      !Array.isArray(dataIds) ||
      !dataIds.every((d) => (typeof d === 'string' && d !== '') || Number.isInteger(d))
    ) {
      throw badRequest('dataIds must be a list of data version ids');
    }
    return startIndex(id, dataIds as Array<string | number>);
  });

  router.get('/api/data/v3/datasources/:id/indexes/:indexId/statuses', async (req) => {
    const id = req.params.id!;
    store.dataset(id);
    const record = store.getDoc<IndexRecord>(INDEX_KIND, req.params.indexId!);
    if (!record || record.dataSourceId !== id) throw notFound(`Index ${req.params.indexId} not found`);
    // With indexSettleMs the run moves on with time (QUEUED its first half, RUNNING its second),
    // so a poller sees each state; without, each read moves it one step, deterministically.
    const status =
      indexSettleMs > 0 ? indexStateAt(record, Date.now(), indexSettleMs) : nextIndexState(record);
    const current = status ? { ...record, status, updatedAt: Date.now() } : record;
    if (status) await store.putDoc(INDEX_KIND, record.indexId, current);
    return { body: current };
  });
}

function nextIndexState(record: IndexRecord): IndexRecord['status'] | null {
  return record.status === 'QUEUED' ? 'RUNNING' : record.status === 'RUNNING' ? 'COMPLETE' : null;
}

/** The state a run requested at `requestedAt` is in at `now`; null when it has not changed. */
function indexStateAt(record: IndexRecord, now: number, settleMs: number): IndexRecord['status'] | null {
  if (record.status !== 'QUEUED' && record.status !== 'RUNNING') return null;
  const elapsed = now - record.requestedAt;
  const status = elapsed >= settleMs ? 'COMPLETE' : elapsed >= settleMs / 2 ? 'RUNNING' : 'QUEUED';
  return status === record.status ? null : status;
}
