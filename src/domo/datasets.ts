/** Dataset metadata, list, search, bulk, schema and creation. */
import type { Call } from './call.ts';
import { unexpectedShape } from './call.ts';
import { apiPath, type DomoRequest } from './http.ts';
import type {
  DomoAlterSchemaRequest,
  DomoCreateDataSourceRequest,
  DomoDataSource,
  DomoDataSourceList,
  DomoDataSourceSearchRequest,
  DomoDataSourceSearchResult,
  DomoDatasetPropertiesRequest,
  DomoIndexedSchema,
  DomoIndexRequest,
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

  /** `POST /api/data/v2/datasources/:id/schemas`: replaces the schema with the given columns. */
  async alterSchema(id: string, body: DomoAlterSchemaRequest): Promise<unknown> {
    return this.call({ method: 'POST', path: apiPath`/api/data/v2/datasources/${id}/schemas`, json: body });
  }

  /** `PUT /api/data/v3/datasources/:id/properties`: data provider type, name, description. */
  async updateProperties(id: string, body: DomoDatasetPropertiesRequest): Promise<unknown> {
    return this.call({ method: 'PUT', path: apiPath`/api/data/v3/datasources/${id}/properties`, json: body });
  }

  /** `POST /api/data/ui/v3/datasources/:id/tags` with a JSON array: replaces the whole tag list. */
  async setTags(id: string, tags: readonly string[]): Promise<unknown> {
    return this.call({ method: 'POST', path: apiPath`/api/data/ui/v3/datasources/${id}/tags`, json: tags });
  }

  /** `POST /api/query/v1/datasources/:id` (no body): indexes the dataset. */
  async index(id: string): Promise<IndexResponse> {
    const response = await this.call<unknown>({
      method: 'POST',
      path: apiPath`/api/query/v1/datasources/${id}`,
    });
    return { indexId: indexIdOf(response), response: response ?? null };
  }

  /** `POST /api/data/v3/datasources/:id/indexes` with `{dataIds}`; an empty list indexes every eligible version. */
  async indexVersions(id: string, body: DomoIndexRequest): Promise<IndexResponse> {
    const response = await this.call<unknown>({
      method: 'POST',
      path: apiPath`/api/data/v3/datasources/${id}/indexes`,
      json: body,
    });
    return { indexId: indexIdOf(response), response: response ?? null };
  }

  /**
   * `GET /api/data/v3/datasources/:id/indexes/:indexId/statuses`. The API doc shows no answer: an
   * object is read as one status, a list (the plural path) as a history whose last entry is current.
   */
  async indexStatus(id: string, indexId: string): Promise<IndexStatusResult> {
    const request: DomoRequest = {
      method: 'GET',
      path: apiPath`/api/data/v3/datasources/${id}/indexes/${indexId}/statuses`,
      idempotent: true,
    };
    const body = await this.call<unknown>(request);
    const current = Array.isArray(body) ? body[body.length - 1] : body;
    if (!current || typeof current !== 'object') throw unexpectedShape(request, 'no index status');
    const record = current as Record<string, unknown>;
    const status = typeof record.status === 'string' ? record.status : null;
    const dataIds = Array.isArray(record.dataIds) ? record.dataIds.map(String) : [];
    return { indexId: indexIdOf(record) ?? indexId, status, dataIds, raw: body };
  }
}

/** What an index request answered: Domo's body as is, and the index id when it names one. */
export interface IndexResponse {
  indexId: string | null;
  response: unknown;
}

export interface IndexStatusResult {
  indexId: string;
  /** QUEUED, RUNNING, COMPLETE, FAILED, or whatever Domo sends; null when the answer has none. */
  status: string | null;
  dataIds: string[];
  /** The answer exactly as Domo sent it. */
  raw: unknown;
}

function indexIdOf(response: unknown): string | null {
  if (!response || typeof response !== 'object' || Array.isArray(response)) return null;
  const value = (response as Record<string, unknown>).indexId ?? (response as Record<string, unknown>).id;
  return typeof value === 'string' || typeof value === 'number' ? String(value) : null;
}

function createdId(response: unknown): string | undefined {
  if (!response || typeof response !== 'object') return undefined;
  const record = response as Record<string, unknown>;
  for (const key of ['dataSourceId', 'id']) {
    if (typeof record[key] === 'string') return record[key] as string;
  }
  return record.dataSource ? createdId(record.dataSource) : undefined;
}
