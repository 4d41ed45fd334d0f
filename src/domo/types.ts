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

/** `transport` of a stream: how data reaches Domo (CONNECTOR, API, WEBFORM, …). */
export interface DomoStreamTransport {
  type: string;
  description?: string | null;
  version?: string | null;
}

/** The connector behind a stream, as `GET /api/data/v1/streams/{id}` embeds it. */
export interface DomoDataProvider {
  id?: number | null;
  key: string;
  name?: string | null;
  url?: string | null;
  defaultConnectorId?: number | string | null;
  defaultConnectorLabel?: string | null;
  authenticationScheme?: string | null;
  connectorValidatorPresent?: boolean | null;
  resourceBundlePresent?: boolean | null;
  moduleHandler?: string | null;
  iconPicker?: boolean | null;
  scope?: string | null;
  producer?: string | null;
  version?: string | null;
  /** Epoch milliseconds. */
  dateCreated?: number | null;
  /** Epoch milliseconds. */
  dateUpdated?: number | null;
  visibility?: string | null;
  type?: string | null;
  authenticationSchemeConfiguration?: unknown[] | null;
}

/** The account a stream's connector uses; the API doc shows only `{id}` (and `null`). */
export interface DomoStreamAccount {
  id: number;
  name?: string | null;
  displayName?: string | null;
  dataProviderType?: string | null;
  valid?: boolean | null;
  [key: string]: unknown;
}

/** One `configuration` entry of a stream. */
export interface DomoStreamConfigurationItem {
  streamId?: number;
  category: string;
  name: string;
  type: string;
  value: string;
}

/** Update methods Domo names; anything else may still arrive. */
export const DOMO_UPDATE_METHODS = ['APPEND', 'REPLACE', 'PARTITION', 'UPSERT'] as const;
export type DomoUpdateMethod = (typeof DOMO_UPDATE_METHODS)[number];

/** Execution states seen on streams; anything else may still arrive. */
export const DOMO_EXECUTION_STATES = [
  'QUEUED',
  'RUNNING',
  'SUCCESS',
  'FAILED',
  'ERROR',
  'ABORTED',
  'CANCELLED',
] as const;
export type DomoExecutionState = (typeof DOMO_EXECUTION_STATES)[number];

/**
 * A stream execution: `lastExecution` and friends in a stream, and the entries of
 * `GET /api/data/v1/streams/{id}/history/aggregate` (which the doc shows with fewer fields, so all but
 * the ids are optional). Times are epoch SECONDS.
 */
export interface DomoStreamExecution {
  streamId: number;
  executionId: number;
  toe?: string | null;
  startedAt?: number | null;
  endedAt?: number | null;
  updateMethod?: string | null;
  index?: boolean | null;
  retryCount?: number | null;
  retryExecution?: unknown;
  containerManagerId?: string | null;
  uploadId?: number | null;
  indexRequestKey?: number | string | null;
  currentState?: string | null;
  runType?: string | null;
  createdAt?: number | null;
  modifiedAt?: number | null;
  latestPhase?: unknown;
  currentPhase?: unknown;
  removed?: boolean | null;
  rowsInserted?: number | null;
  bytesInserted?: number | null;
  startedBy?: number | string | null;
  cancelledBy?: number | string | null;
  dataTag?: string | null;
  peakMemoryUsedBytes?: number | null;
  peakMemoryCommittedBytes?: number | null;
  exportable?: boolean | null;
  manualIndex?: boolean | null;
  errors?: unknown[] | null;
}

/** `GET /api/data/v1/streams/{id}`. Times at the top level are epoch SECONDS. */
export interface DomoStream {
  id: number;
  valid?: boolean | null;
  invalidExecutionId?: number | null;
  transport?: DomoStreamTransport | null;
  updateMethod?: string | null;
  dataProvider?: DomoDataProvider | null;
  account?: DomoStreamAccount | null;
  /** The dataset's full metadata, embedded. */
  dataSource?: DomoDataSource | null;
  schemaDefinition?: { columns: DomoSchemaColumn[] } | null;
  scheduleExpression?: string | null;
  scheduleStartDate?: number | string | null;
  /** A JSON-encoded object: `{"type":"MINUTE","timezone":"UTC","between":null,"interval":30}`. */
  advancedScheduleJson?: string | null;
  scheduleRetryExpression?: string | null;
  scheduleRetryCount?: number | null;
  lastExecution?: DomoStreamExecution | null;
  lastSuccessfulExecution?: DomoStreamExecution | null;
  currentExecution?: DomoStreamExecution | null;
  currentExecutionState?: string | null;
  createdAt?: number | null;
  createdBy?: number | string | null;
  modifiedAt?: number | null;
  modifiedBy?: number | string | null;
  scheduleState?: string | null;
  scheduleAssertion?: boolean | null;
  inactiveScheduleCode?: string | number | null;
  configuration?: DomoStreamConfigurationItem[] | null;
}

/** The parsed `advancedScheduleJson`; the fields beyond type and timezone depend on the type. */
export interface DomoAdvancedSchedule {
  type: string;
  timezone?: string | null;
  interval?: number | null;
  between?: { start?: string | null; end?: string | null } | null;
  minute?: number | null;
  hour?: number | null;
  daysOfWeek?: number[] | null;
  daysOfMonth?: number[] | null;
  months?: number[] | null;
  [key: string]: unknown;
}

/** Body of `POST /api/data/v1/streams` and `PUT /api/data/v1/streams/{id}` (the doc's examples). */
export interface DomoStreamWriteRequest {
  transport: { type: string; description: string; version: string };
  configuration: Array<{ name: string; value: string; type: string; category: string }>;
  account: { id: number } | null;
  updateMethod: string;
  dataProvider: { key: string };
  dataSource: { name: string; description?: string };
  advancedScheduleJson?: string;
}

/** Body of `POST /api/data/v1/streams/{id}/executions`. */
export interface DomoStreamExecuteRequest {
  action: 'MANUAL' | string;
}

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
