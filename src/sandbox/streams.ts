/**
 * The sandbox's streams: how they are stored in the catalog and turned into the JSON of
 * `GET /api/data/v1/streams/{id}`. Kinds: 'stream' (the stream's own fields plus the id of its
 * dataset), 'streamExecutions' (the executions of one stream) and 'dataProvider' (connectors by key).
 * Executions started through the API run for `settleMs` and then succeed (src/sandbox/README.md).
 */
import { parseAdvancedSchedule } from '../domo/schedule.ts';
import type { DomoDataProvider, DomoDataSource, DomoStream, DomoStreamExecution } from '../domo/types.ts';
import type { SandboxStore } from './store.ts';

export const STREAM_KIND = 'stream';
export const EXECUTIONS_KIND = 'streamExecutions';
export const PROVIDER_KIND = 'dataProvider';

/** A stream as the catalog keeps it: what GET shows, minus what is derived at read time. */
export type StoredStream = Omit<
  DomoStream,
  | 'dataSource'
  | 'schemaDefinition'
  | 'lastExecution'
  | 'lastSuccessfulExecution'
  | 'currentExecution'
  | 'currentExecutionState'
> & { dataSourceId: string };

export interface StoredExecution {
  execution: DomoStreamExecution;
  /** Epoch ms when an API-started execution began; absent for seeded ones (already finished). */
  startedAtMs?: number;
}

export interface StoredExecutions {
  executions: StoredExecution[];
}

export function storedStream(store: SandboxStore, id: number): StoredStream | undefined {
  return store.getDoc<StoredStream>(STREAM_KIND, String(id));
}

export function storedExecutions(store: SandboxStore, streamId: number): StoredExecution[] {
  return store.getDoc<StoredExecutions>(EXECUTIONS_KIND, String(streamId))?.executions ?? [];
}

export function nextStreamId(store: SandboxStore): number {
  return Math.max(100, ...store.listDocs<StoredStream>(STREAM_KIND).map((s) => s.id)) + 1;
}

export function nextExecutionId(store: SandboxStore): number {
  const ids = store
    .listDocs<StoredExecutions>(EXECUTIONS_KIND)
    .flatMap((doc) => doc.executions.map((e) => e.execution.executionId));
  return Math.max(5000, ...ids) + 1;
}

/** A cron expression for a schedule, in the Quartz form Domo shows ("0 13/30 * * * ?"). */
export function scheduleExpressionFor(advancedScheduleJson: string | null | undefined): string | null {
  const schedule = parseAdvancedSchedule(advancedScheduleJson);
  if (!schedule) return null;
  const n = typeof schedule.interval === 'number' && schedule.interval > 0 ? schedule.interval : 1;
  const minute = typeof schedule.minute === 'number' ? schedule.minute : 0;
  const hour = typeof schedule.hour === 'number' ? schedule.hour : 0;
  switch (schedule.type) {
    case 'MINUTE':
      return `0 ${minute % n}/${n} * * * ?`;
    case 'HOUR':
      return `0 ${minute} ${hour % n}/${n} * * ?`;
    case 'DAY':
      return `0 ${minute} ${hour} * * ?`;
    case 'WEEK':
      return `0 ${minute} ${hour} ? * ${(schedule.daysOfWeek ?? [1]).join(',')}`;
    case 'MONTH':
      return `0 ${minute} ${hour} ${(schedule.daysOfMonth ?? [1]).join(',')} * ?`;
    default:
      return null;
  }
}

/** ACTIVE for a stream that runs on a schedule, INACTIVE for a manual one. */
export function scheduleStateFor(advancedScheduleJson: string | null | undefined): 'ACTIVE' | 'INACTIVE' {
  const type = parseAdvancedSchedule(advancedScheduleJson)?.type;
  return !type || type === 'MANUAL' ? 'INACTIVE' : 'ACTIVE';
}

/** Moves API-started executions that have run for `settleMs` to SUCCESS, and saves them. */
export async function settleExecutions(
  store: SandboxStore,
  streamId: number,
  now: number,
  settleMs: number,
): Promise<StoredExecution[]> {
  const executions = storedExecutions(store, streamId);
  let changed = false;
  const settled = executions.map((stored) => {
    const { execution, startedAtMs } = stored;
    if (execution.currentState !== 'RUNNING' || startedAtMs === undefined) return stored;
    if (now - startedAtMs < settleMs) return stored;
    changed = true;
    const stream = storedStream(store, streamId);
    const dataset = stream ? store.getDoc<DomoDataSource>('dataset', stream.dataSourceId) : undefined;
    const rows = dataset?.rowCount ?? 0;
    const endedAt = Math.floor(now / 1000);
    return {
      execution: {
        ...execution,
        endedAt,
        modifiedAt: endedAt,
        currentState: 'SUCCESS',
        rowsInserted: rows,
        bytesInserted: rows * 96,
        peakMemoryUsedBytes: 64 * 1024 * 1024,
        peakMemoryCommittedBytes: 72 * 1024 * 1024,
      },
    };
  });
  if (changed)
    await store.putDoc<StoredExecutions>(EXECUTIONS_KIND, String(streamId), { executions: settled });
  return settled;
}

/** Newest first, by execution id (Domo's ids only grow). */
export function newestFirst(executions: StoredExecution[]): DomoStreamExecution[] {
  return executions.map((e) => e.execution).sort((a, b) => b.executionId - a.executionId);
}

/** The stream as `GET /api/data/v1/streams/{id}` answers, in the doc's field order. */
export function composeStream(
  store: SandboxStore,
  stream: StoredStream,
  executions: StoredExecution[],
): DomoStream {
  const ordered = newestFirst(executions);
  const current = ordered.find((e) => e.currentState === 'RUNNING') ?? null;
  const last = ordered[0] ?? null;
  const lastSuccessful = ordered.find((e) => e.currentState === 'SUCCESS') ?? null;
  const dataSource = store.getDoc<DomoDataSource>('dataset', stream.dataSourceId) ?? null;
  return {
    id: stream.id,
    valid: stream.valid ?? true,
    invalidExecutionId: stream.invalidExecutionId ?? null,
    transport: stream.transport ?? null,
    updateMethod: stream.updateMethod ?? null,
    dataProvider: stream.dataProvider ?? null,
    account: stream.account ?? null,
    dataSource,
    schemaDefinition: dataSource ? { columns: store.schema(dataSource.id).columns } : null,
    scheduleExpression: stream.scheduleExpression ?? null,
    scheduleStartDate: stream.scheduleStartDate ?? null,
    advancedScheduleJson: stream.advancedScheduleJson ?? null,
    scheduleRetryExpression: stream.scheduleRetryExpression ?? null,
    scheduleRetryCount: stream.scheduleRetryCount ?? 0,
    lastExecution: last,
    lastSuccessfulExecution: lastSuccessful,
    currentExecution: current,
    currentExecutionState: current?.currentState ?? last?.currentState ?? null,
    createdAt: stream.createdAt ?? null,
    createdBy: stream.createdBy ?? null,
    modifiedAt: stream.modifiedAt ?? null,
    modifiedBy: stream.modifiedBy ?? null,
    scheduleState: stream.scheduleState ?? null,
    scheduleAssertion: stream.scheduleAssertion ?? false,
    inactiveScheduleCode: stream.inactiveScheduleCode ?? null,
    configuration: (stream.configuration ?? []).map((item) => ({ streamId: stream.id, ...item })),
  };
}

export interface ExecutionInit {
  streamId: number;
  executionId: number;
  toe: string;
  containerManagerId: string;
  /** Epoch seconds. */
  startedAt: number;
  /** Epoch seconds; null while running. */
  endedAt: number | null;
  state: string;
  updateMethod: string;
  runType: 'AUTOMATED' | 'MANUAL';
  startedBy: number | null;
  rows: number;
  errors?: unknown[];
}

/** An execution with every field of the API doc's example. */
export function executionRecord(init: ExecutionInit): DomoStreamExecution {
  const started = new Date(init.startedAt * 1000);
  const stamp = started.toISOString().replace(/\D/g, '').slice(0, 14);
  const done = init.endedAt !== null;
  return {
    streamId: init.streamId,
    executionId: init.executionId,
    toe: init.toe,
    startedAt: init.startedAt,
    endedAt: init.endedAt,
    updateMethod: init.updateMethod,
    index: true,
    retryCount: 0,
    retryExecution: null,
    containerManagerId: init.containerManagerId,
    uploadId: init.executionId + 20_000,
    indexRequestKey: Number(`${stamp}.${String(init.executionId % 1000).padStart(3, '0')}`),
    currentState: init.state,
    runType: init.runType,
    createdAt: init.startedAt,
    modifiedAt: init.endedAt ?? init.startedAt,
    latestPhase: null,
    currentPhase: null,
    removed: false,
    rowsInserted: done ? init.rows : 0,
    bytesInserted: done ? init.rows * 96 : 0,
    startedBy: init.startedBy,
    cancelledBy: null,
    dataTag: null,
    peakMemoryUsedBytes: done ? 48 * 1024 * 1024 + init.rows * 8 : 0,
    peakMemoryCommittedBytes: done ? 56 * 1024 * 1024 + init.rows * 8 : 0,
    exportable: false,
    manualIndex: false,
    errors: init.errors ?? [],
  };
}

/** Connectors the sandbox knows, by key: the API doc's examples and the demo datasets' providers. */
export function demoProviders(epochMs: number): DomoDataProvider[] {
  const provider = (
    id: number,
    key: string,
    name: string,
    type: string,
    authenticationScheme: string | null,
  ): DomoDataProvider => ({
    id,
    key,
    name,
    url: null,
    defaultConnectorId: null,
    defaultConnectorLabel: null,
    authenticationScheme,
    connectorValidatorPresent: authenticationScheme !== null,
    resourceBundlePresent: false,
    moduleHandler: null,
    iconPicker: false,
    scope: '0',
    producer: 'DOMO',
    version: '0',
    dateCreated: epochMs - id * 86_400_000,
    dateUpdated: epochMs - id * 3_600_000,
    visibility: 'WITH_CONNECTOR',
    type,
    authenticationSchemeConfiguration: [],
  });
  return [
    provider(1, 'api', 'API', 'STANDARD', null),
    provider(2, 'webform', 'Webform', 'STANDARD', null),
    provider(7, 'google-analytics', 'Google Analytics', 'STANDARD', 'oauth'),
    provider(2834, 'covid-19', 'Covid-19', 'STANDARD', null),
    provider(3112, 'snowflake-unload-v2', 'Snowflake Unload V2', 'STANDARD', 'fields'),
    provider(3120, 'postgresql-partition', 'PostgreSQL Partition', 'STANDARD', 'fields'),
  ];
}
