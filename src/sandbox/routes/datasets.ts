/** Dataset metadata, list, search, bulk and indexed schema, as Domo serves them. */
import type { DomoDataSource, DomoDataSourceSearchRequest, DomoIndexedSchema } from '../../domo/types.ts';
import { badRequest } from '../errors.ts';
import type { Router } from '../router.ts';
import type { SandboxStore } from '../store.ts';

const LIST_MAX = 50;
const ORDER_FIELDS: Record<string, (d: DomoDataSource) => string | number> = {
  name: (d) => d.name.toLowerCase(),
  lastTouched: (d) => -(d.lastTouched ?? 0),
  lastUpdated: (d) => -(d.lastUpdated ?? 0),
  cardCount: (d) => -(d.cardInfo?.cardCount ?? 0),
  cardViewCount: (d) => -(d.cardInfo?.cardViewCount ?? 0),
};
const SEARCH_SORT: Record<string, (d: DomoDataSource) => string | number> = {
  create_date: (d) => d.created ?? 0,
  name_sort: (d) => d.name.toLowerCase(),
  last_updated: (d) => d.lastUpdated ?? 0,
  last_touched: (d) => d.lastTouched ?? 0,
  row_count: (d) => d.rowCount ?? 0,
  card_count: (d) => d.cardInfo?.cardCount ?? 0,
};

function compareBy<T>(key: (item: T) => string | number, descending = false) {
  return (a: T, b: T) => {
    const x = key(a);
    const y = key(b);
    const order = x < y ? -1 : x > y ? 1 : 0;
    return descending ? -order : order;
  };
}

function nonNegativeInt(value: string | null, name: string, fallback: number): number {
  if (value === null || value === '') return fallback;
  if (!/^\d+$/.test(value)) throw badRequest(`${name} must be a non-negative integer`);
  return Number(value);
}

/** Wildcard match as Domo search takes it: `*` any run, `?` one character, case-insensitive. */
function wildcard(pattern: string): RegExp {
  const source = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replaceAll('*', '.*')
    .replaceAll('?', '.');
  return new RegExp(`^${source}$`, 'i');
}

export function datasetRoutes(router: Router, store: SandboxStore): void {
  router.get('/api/data/v3/datasources', (req) => {
    const limit = Math.min(nonNegativeInt(req.query.get('limit'), 'limit', LIST_MAX), LIST_MAX);
    const offset = nonNegativeInt(req.query.get('offset'), 'offset', 0);
    const nameLike = req.query.get('nameLike')?.toLowerCase();
    const ownerId = req.query.get('ownerId');
    const provider = req.query.get('dataProviderType');
    const orderBy = req.query.get('orderBy') ?? 'name';
    const order = ORDER_FIELDS[orderBy];
    if (!order) throw badRequest(`orderBy must be one of ${Object.keys(ORDER_FIELDS).join(', ')}`);
    const matches = store
      .listDocs<DomoDataSource>('dataset')
      .filter((d) => !nameLike || d.name.toLowerCase().includes(nameLike))
      .filter((d) => !ownerId || d.owner?.id === ownerId)
      .filter((d) => !provider || d.dataProviderType === provider)
      .sort(compareBy(order));
    return {
      body: { dataSources: matches.slice(offset, offset + limit), _metadata: { totalCount: matches.length } },
    };
  });

  router.post('/api/data/ui/v3/datasources/search', async (req) => {
    const body = (await req.json<Partial<DomoDataSourceSearchRequest>>()) ?? {};
    const count = body.count ?? 50;
    const offset = body.offset ?? 0;
    if (!Number.isInteger(count) || count < 0 || !Number.isInteger(offset) || offset < 0) {
      throw badRequest('count and offset must be non-negative integers');
    }
    let matches = store.listDocs<DomoDataSource>('dataset');
    for (const filter of body.filters ?? []) {
      if (filter.field !== 'name_sort') continue;
      const pattern = wildcard(filter.query ?? '*');
      matches = matches.filter((d) => pattern.test(d.name));
    }
    const sort = body.sort?.fieldSorts?.[0];
    const key = SEARCH_SORT[sort?.field ?? 'create_date'] ?? SEARCH_SORT.create_date!;
    matches = matches.sort(compareBy(key, (sort?.sortOrder ?? 'DESC') === 'DESC'));
    return {
      body: { dataSources: matches.slice(offset, offset + count), _metaData: { totalCount: matches.length } },
    };
  });

  router.post('/api/data/v3/datasources/bulk', async (req) => {
    const ids = await req.json<unknown>();
    if (!Array.isArray(ids) || !ids.every((id) => typeof id === 'string')) {
      throw badRequest('the body must be a JSON array of dataset ids');
    }
    const found = ids
      .map((id) => store.getDoc<DomoDataSource>('dataset', id))
      .filter((d): d is DomoDataSource => d !== undefined);
    return { body: { dataSources: found } };
  });

  router.get('/api/data/v3/datasources/:id', (req) => ({ body: store.dataset(req.params.id!) }));

  router.get('/api/query/v1/datasources/:id/schema/indexed', (req) => {
    const id = req.params.id!;
    store.dataset(id);
    const includeHidden = req.query.get('includeHidden') === 'true';
    const columns = store.schema(id).columns.filter((c) => includeHidden || c.visible !== false);
    const body: DomoIndexedSchema = { name: 'schema', tables: [{ columns }], dataSourceId: id };
    return { body };
  });
}
