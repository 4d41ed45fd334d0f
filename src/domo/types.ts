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

/** An owner of a card, as `GET /api/content/v1/datasources/:id/cards` lists it. */
export interface DomoCardOwner {
  id: string;
  type: string;
  displayName?: string;
}

/** `GET /api/content/v1/datasources/:id/cards?drill=`: one entry of the list. */
export interface DomoCard {
  /** A number in Domo's answer. */
  id: number | string;
  urn?: string;
  type?: string;
  chartType?: string;
  title?: string;
  ownerId?: number | string;
  owners?: DomoCardOwner[];
  access?: boolean;
  datasourceId?: string;
}

export const DOMO_PRINCIPAL_TYPES = ['USER', 'GROUP'] as const;
export type DomoPrincipalType = (typeof DOMO_PRINCIPAL_TYPES)[number];

/** Access levels seen in Domo's access list and share bodies (DOMO-NOTES.md). */
export const DOMO_ACCESS_LEVELS = ['OWNER', 'CO_OWNER', 'CAN_EDIT', 'CAN_SHARE', 'CAN_VIEW'] as const;
export type DomoAccessLevel = (typeof DOMO_ACCESS_LEVELS)[number];

/** One entry of `GET /api/data/v3/datasources/:id/permissions`. */
export interface DomoAccessEntry {
  type: DomoPrincipalType | string;
  id: string;
  accessLevel: DomoAccessLevel | string;
  name?: string;
}

/** `GET /api/data/v3/datasources/:id/permissions` */
export interface DomoAccessList {
  list: DomoAccessEntry[];
  totalUserCount?: number;
  totalGroupCount?: number;
}

/** A user or group, as the multi-user removal body names it. */
export interface DomoPrincipal {
  id: string;
  type: DomoPrincipalType;
}

/** `POST /api/data/v3/datasources/:id/share` */
export interface DomoShareRequest {
  permissions: Array<DomoPrincipal & { accessLevel: DomoAccessLevel }>;
  sendEmail: boolean;
}

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

// --- uploads, data versions, partitions ------------------------------------------------------
