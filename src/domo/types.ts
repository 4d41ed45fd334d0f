/**
 * REST payloads exactly as Domo sends and takes them (domo-dataset-api.md, DOMO-NOTES.md). Shared
 * by the client and the sandbox, so both sides agree on one shape. Fields Domo may leave out are
 * optional. Streams and executions are in types/streams.ts, cards and access lists in
 * types/access.ts; this module re-exports both, so every caller imports from here.
 */
export * from './types/access.ts';
export * from './types/streams.ts';

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
  schema: { columns: Array<{ type: string; name: string }> };
}

/** Domo's usual error body. */
export interface DomoErrorResponse {
  status: number;
  statusReason: string;
  message: string;
  toe: string;
}

// --- tags, properties, indexing ----------------------------------------------------------

/** `POST /api/data/v2/datasources/:id/schemas` */
export interface DomoAlterSchemaRequest {
  columns: Array<{ name: string; id: string; type: DomoColumnType; visible: boolean; order: number }>;
  objects: unknown[];
  views: unknown[];
}

/** `PUT /api/data/v3/datasources/:id/properties`: the properties sent; absent ones stay. */
export interface DomoDatasetPropertiesRequest {
  dataProviderType?: string;
  name?: string;
  description?: string;
}

/** `POST /api/data/v3/datasources/:id/indexes` */
export interface DomoIndexRequest {
  dataIds: Array<string | number>;
}

/**
 * `GET /api/data/v3/datasources/:id/indexes/:indexId/statuses`. The API doc shows no answer; this is
 * what the sandbox sends (src/sandbox/README.md). Real answers may differ, so the client keeps them raw.
 */
export interface DomoIndexStatus {
  indexId: string;
  dataSourceId?: string;
  status: string;
  dataIds?: Array<string | number>;
  requestedAt?: number;
  updatedAt?: number;
  message?: string;
}

// --- users -----------------------------------------------------------------------------------

/**
 * `GET /api/content/v3/users/{id}?includeDetails=true` (DOMO-NOTES.md; not in the API doc). Only `id`
 * is relied on. Details arrive top-level on some instances and under `detail` on others.
 */
export interface DomoUser {
  id: number | string;
  displayName?: string | null;
  userName?: string | null;
  emailAddress?: string | null;
  roleId?: number | null;
  title?: string | null;
  department?: string | null;
  phoneNumber?: string | null;
  /** Epoch milliseconds. */
  created?: number | null;
  /** Epoch milliseconds. */
  modified?: number | null;
  active?: boolean | null;
  isSystemUser?: boolean | null;
  detail?: {
    title?: string | null;
    department?: string | null;
    phoneNumber?: string | null;
    employeeId?: string | null;
    /** Epoch milliseconds. */
    lastActivity?: number | null;
  } | null;
}

// --- uploads, data versions, partitions ------------------------------------------------------

/** `appendId` of an upload start: the upload's mode. */
export type DomoUploadAppendId = 'replace' | 'append' | 'upsert' | 'delete';

/** `POST /api/data/v3/datasources/:id/uploads` body. */
export interface DomoUploadStartRequest {
  appendId?: DomoUploadAppendId | null;
  action?: 'APPEND' | 'REPLACE' | null;
  executionId?: number;
}

/** Stage 1's answer (`dataSourceId` and `requestedAsOf` are absent in the partitioning example). */
export interface DomoUploadStartResponse {
  uploadId: number | string;
  dataSourceId?: string | number;
  requestedAsOf?: number | string;
}

/** `PUT …/uploads/:uploadId/commit` body. */
export interface DomoUploadCommitRequest {
  action: 'APPEND' | 'REPLACE';
  index: boolean;
  dataTag?: string;
  restateDataTag?: string;
  message?: string;
}

/** An entry of `GET /api/data/v3/datasources/:id/dataversions/details` (DOMO-NOTES.md). */
export interface DomoDataVersion {
  dataSourceId: string;
  schemaId?: number | string;
  dataVersionId: number | string;
  status?: string;
  statusMessage?: string | null;
  datetimeRecorded?: number | string;
  datetimeUploadCompleted?: number | string | null;
  runDurationSeconds?: number;
  sizeBytes?: number;
  rowCount?: number;
}

/** An entry of `GET /api/query/v1/datasources/:id/partition` and of `POST …/partition/list`. */
export interface DomoPartition {
  partitionId: string;
  dataVersionId?: number | string;
  rowCount?: number;
  sizeBytes?: number;
  dateCompleted?: number | string;
  createdDate?: number | string;
  status?: string;
}

/** `POST /api/query/v1/datasources/:id/partition/list` body. */
export interface DomoPartitionListRequest {
  paginationFields?: Array<{
    fieldName: string;
    sortOrder?: 'ASC' | 'DESC';
    filterValues?: { MIN?: number | string | null; MAX?: number | string | null };
  }>;
  limit?: number;
  offset?: number;
}

/** `POST /api/dataprocessing/v2/dataflows/data-version-hydrate?engine&limit&offset` body. */
export interface DomoDataVersionHydrateRequest {
  id: string;
  type: string;
  dataSourceId: string;
  versionWindow: { type: string; expression: string };
}
