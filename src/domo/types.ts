/**
 * REST payloads exactly as Domo sends and takes them (domo-dataset-api.md, DOMO-NOTES.md). Shared
 * by the client and the sandbox, so both sides agree on one shape. Fields Domo may leave out are
 * optional.
 */

/** Domo's column types. */
export const DOMO_COLUMN_TYPES = ['STRING', 'LONG', 'DOUBLE', 'DECIMAL', 'DATE', 'DATETIME'] as const;
export type DomoColumnType = (typeof DOMO_COLUMN_TYPES)[number];

export interface DomoOwner {
  id: string;
  name?: string;
  type?: string;
  group?: boolean;
}

/** Dataset metadata: `GET /api/data/v3/datasources/:id` and the entries of list, search and bulk. */
export interface DomoDataSource {
  id: string;
  displayType?: string;
  dataProviderType?: string;
  type?: string;
  name: string;
  description?: string;
  owner?: DomoOwner;
  status?: string;
  created?: number;
  lastTouched?: number;
  lastUpdated?: number;
  nextUpdate?: number;
  rowCount?: number;
  columnCount?: number;
  cardInfo?: { cardCount?: number; cardViewCount?: number };
  properties?: Record<string, unknown>;
  state?: string;
  validConfiguration?: boolean;
  validAccount?: boolean;
  streamId?: number;
  transportType?: string;
  adc?: boolean;
  adcExternal?: boolean;
  adcSource?: string;
  masked?: boolean;
  currentUserFullAccess?: boolean;
  cloudId?: string;
  cloudName?: string;
  permissions?: string;
  hidden?: boolean;
  /** A JSON-encoded list of strings: "[\"a\",\"b\"]". */
  tags?: string;
  scheduleActive?: boolean;
  cardCount?: number;
  cloudEngine?: string;
}

/** `GET /api/data/v3/datasources?limit&offset&…` */
export interface DomoDataSourceList {
  dataSources: DomoDataSource[];
  _metadata?: { totalCount?: number };
}

/** `POST /api/data/ui/v3/datasources/search` (note `_metaData`). */
export interface DomoDataSourceSearchResult {
  dataSources: DomoDataSource[];
  _metaData?: { totalCount?: number };
}

export interface DomoDataSourceSearchRequest {
  entities: string[];
  filters: Array<{ field: string; filterType: string; query: string }>;
  combineResults: boolean;
  query: string;
  count: number;
  offset: number;
  sort: { isRelevance: boolean; fieldSorts: Array<{ field: string; sortOrder: 'ASC' | 'DESC' }> };
}

/** A column as the indexed-schema and alter-schema endpoints carry it. */
export interface DomoSchemaColumn {
  name: string;
  id?: string;
  type: DomoColumnType | string;
  visible?: boolean;
  order?: number;
  metadata?: Record<string, unknown>;
}

/** `GET /api/query/v1/datasources/:id/schema/indexed` */
export interface DomoIndexedSchema {
  name?: string;
  tables: Array<{ columns: DomoSchemaColumn[] }>;
  dataSourceId?: string;
}

/** `POST /api/query/v1/execute/:id`, the API doc's shape: one object per row. */
export type DomoQueryRowObjects = Array<Record<string, unknown>>;

/** `POST /api/query/v1/execute/:id`, the shape real instances send. */
export interface DomoQueryColumnsResult {
  datasource?: string;
  columns: string[];
  metadata?: Array<{ type?: string; [key: string]: unknown }>;
  rows: unknown[][];
  numRows?: number;
  numColumns?: number;
  fromcache?: boolean;
}

/** `POST /api/data/v2/datasources` */
export interface DomoCreateDataSourceRequest {
  userDefinedType: string;
  dataSourceName: string;
  dataSourceDescription?: string;
  schema: { columns: Array<{ type: string; name: string }> };
}

/** Domo's usual error body. */
export interface DomoErrorResponse {
  status: number;
  statusReason: string;
  message: string;
  toe: string;
}

// --- streams and executions ------------------------------------------------------------------

// --- cards, permissions, tags, properties, indexing ------------------------------------------

// --- uploads, data versions, partitions ------------------------------------------------------
