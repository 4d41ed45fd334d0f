/** Stream (connector) and execution payloads (domo-dataset-api.md, streams section). */
import type { DomoDataSource, DomoSchemaColumn } from '../types.ts';

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
