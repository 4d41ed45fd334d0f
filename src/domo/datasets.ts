/** Dataset metadata, list, search, bulk, schema and creation. */
import type { Call } from './call.ts';
import { unexpectedShape } from './call.ts';
import { apiPath, type DomoRequest } from './http.ts';
import type {
  DomoCreateDataSourceRequest,
  DomoDataSource,
  DomoDataSourceList,
  DomoDataSourceSearchRequest,
  DomoDataSourceSearchResult,
  DomoIndexedSchema,
} from './types.ts';

export const DATASET_ORDER_FIELDS = [
  'name',
  'lastTouched',
  'lastUpdated',
  'cardCount',
  'cardViewCount',
] as const;
export type DatasetOrderField = (typeof DATASET_ORDER_FIELDS)[number];

export interface ListDatasetsParams {
  limit: number;
  offset: number;
  nameLike?: string;
  ownerId?: string;
  orderBy?: DatasetOrderField;
  dataProviderType?: string;
}

export interface SearchDatasetsParams {
  /** Text matched anywhere in the name (a `*text*` wildcard on name_sort). */
  text?: string;
  count: number;
  offset: number;
  sortField?: string;
  sortOrder?: 'ASC' | 'DESC';
}

export interface DatasetPage {
  dataSources: DomoDataSource[];
  totalCount: number | undefined;
}

export class DatasetsApi {
  constructor(private readonly call: Call) {}

  /** `GET /api/data/v3/datasources/:id` */
  async get(id: string, parts?: string[]): Promise<DomoDataSource> {
    const request: DomoRequest = {
      method: 'GET',
      path: apiPath`/api/data/v3/datasources/${id}`,
      query: { part: parts?.join(',') },
      idempotent: true,
    };
    const body = await this.call<DomoDataSource>(request);
    if (!body || typeof body.id !== 'string') throw unexpectedShape(request, 'no dataset id');
    return body;
  }

  /**
   * `POST /api/data/v3/datasources/bulk?includePrivate=true&includeAllDetails=true` with a JSON array
   * of ids. Ids the caller cannot see are left out of the answer (DOMO-NOTES.md).
   */
  async bulk(ids: readonly string[]): Promise<DomoDataSource[]> {
    const request: DomoRequest = {
      method: 'POST',
      path: '/api/data/v3/datasources/bulk',
      query: { includePrivate: true, includeAllDetails: true },
      json: ids,
      idempotent: true,
    };
    const body = await this.call<{ dataSources?: DomoDataSource[] }>(request);
    if (!body || !Array.isArray(body.dataSources)) throw unexpectedShape(request, 'no dataSources list');
    return body.dataSources;
  }

  /** `GET /api/data/v3/datasources?limit&offset&nameLike&ownerId&orderBy&dataProviderType` */
  async list(params: ListDatasetsParams): Promise<DatasetPage> {
    const request: DomoRequest = {
      method: 'GET',
      path: '/api/data/v3/datasources',
      query: { ...params },
      idempotent: true,
    };
    const body = await this.call<DomoDataSourceList>(request);
    if (!body || !Array.isArray(body.dataSources)) throw unexpectedShape(request, 'no dataSources list');
    return { dataSources: body.dataSources, totalCount: body._metadata?.totalCount };
  }

  /** `POST /api/data/ui/v3/datasources/search`, the Data Center search (DOMO-NOTES.md). */
  async search(params: SearchDatasetsParams): Promise<DatasetPage> {
    const json: DomoDataSourceSearchRequest = {
      entities: ['DATASET'],
      filters: params.text
        ? [{ field: 'name_sort', filterType: 'wildcard', query: `*${params.text.replace(/[*?]/g, '')}*` }]
        : [],
      combineResults: true,
      query: '*',
      count: params.count,
      offset: params.offset,
      sort: {
        isRelevance: false,
        fieldSorts: [{ field: params.sortField ?? 'create_date', sortOrder: params.sortOrder ?? 'DESC' }],
      },
    };
    const request: DomoRequest = {
      method: 'POST',
      path: '/api/data/ui/v3/datasources/search',
      json,
      idempotent: true,
    };
    const body = await this.call<DomoDataSourceSearchResult>(request);
    if (!body || !Array.isArray(body.dataSources)) throw unexpectedShape(request, 'no dataSources list');
    return { dataSources: body.dataSources, totalCount: body._metaData?.totalCount };
  }

  /** `GET /api/query/v1/datasources/:id/schema/indexed?includeHidden=` */
  async schema(id: string, includeHidden = false): Promise<DomoIndexedSchema> {
    const request: DomoRequest = {
      method: 'GET',
      path: apiPath`/api/query/v1/datasources/${id}/schema/indexed`,
      query: { includeHidden },
      idempotent: true,
    };
    const body = await this.call<DomoIndexedSchema>(request);
    if (!body || !Array.isArray(body.tables)) throw unexpectedShape(request, 'no tables in the schema');
    return body;
  }

  /**
   * `POST /api/data/v2/datasources`: a new dataset with the given schema. Resolves to the new id;
   * Domo's answer names it `dataSourceId` or `id`, at the top or under `dataSource`.
   */
  async create(body: DomoCreateDataSourceRequest): Promise<{ id: string; response: unknown }> {
    const request: DomoRequest = { method: 'POST', path: '/api/data/v2/datasources', json: body };
    const response = await this.call<Record<string, unknown>>(request);
    const id = createdId(response);
    if (!id) throw unexpectedShape(request, 'no id for the new dataset');
    return { id, response };
  }
}

function createdId(response: unknown): string | undefined {
  if (!response || typeof response !== 'object') return undefined;
  const record = response as Record<string, unknown>;
  for (const key of ['dataSourceId', 'id']) {
    if (typeof record[key] === 'string') return record[key] as string;
  }
  return record.dataSource ? createdId(record.dataSource) : undefined;
}
