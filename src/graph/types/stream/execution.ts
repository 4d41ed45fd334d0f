/**
 * Stream executions: the Execution type, the enums streams and executions share, and the per-request
 * loader of a stream's execution history (the endpoint has no paging: one call per stream per request).
 */
import {
  DOMO_EXECUTION_STATES,
  DOMO_UPDATE_METHODS,
  type DomoExecutionState,
  type DomoStreamExecution,
  type DomoUpdateMethod,
} from '../../../domo/types.ts';
import { builder } from '../../builder.ts';
import { asNotFound } from '../../errors.ts';
import { knownOrUnknown, UNKNOWN_DESCRIPTION } from '../enums.ts';
import { perRequestLoader } from '../per-request.ts';

/** Domo's stream and execution times are epoch SECONDS. */
export const fromSeconds = (value: number | null | undefined): Date | null =>
  typeof value === 'number' ? new Date(value * 1000) : null;

/** A user id Domo sends as a number or a string, as an ID. */
export const idText = (value: number | string | null | undefined): string | null =>
  value === null || value === undefined ? null : String(value);

export const UpdateMethodRef = builder.enumType('UpdateMethod', {
  description: 'How a stream run changes its dataset.',
  values: {
    APPEND: { description: 'Rows are added to the existing data.' },
    REPLACE: { description: 'The data is replaced by each run.' },
    PARTITION: { description: 'Rows replace the partitions they belong to.' },
    UPSERT: { description: 'Rows are inserted or update rows with the same key.' },
    UNKNOWN: { description: UNKNOWN_DESCRIPTION.replace('A value', 'A method') },
  } satisfies Record<DomoUpdateMethod | 'UNKNOWN', { description: string }>,
});

export const ExecutionStateRef = builder.enumType('ExecutionState', {
  description: 'State of a stream execution.',
  values: {
    QUEUED: { description: 'Waiting to start.' },
    RUNNING: { description: 'In progress.' },
    SUCCESS: { description: 'Finished and loaded its data.' },
    FAILED: { description: 'Finished with an error.' },
    ERROR: { description: 'Could not run.' },
    ABORTED: { description: 'Stopped before it finished.' },
    CANCELLED: { description: 'Cancelled by a user.' },
    UNKNOWN: { description: UNKNOWN_DESCRIPTION.replace('A value', 'A state') },
  } satisfies Record<DomoExecutionState | 'UNKNOWN', { description: string }>,
});

export const asUpdateMethod = (value: unknown) => knownOrUnknown(value, DOMO_UPDATE_METHODS);
export const asExecutionState = (value: unknown) => knownOrUnknown(value, DOMO_EXECUTION_STATES);

export const ExecutionRef = builder.objectRef<DomoStreamExecution>('Execution').implement({
  description:
    'One run of a stream. Not a Relay node: Domo has no endpoint to read a single execution, so it is identified by streamId and executionId.',
  fields: (t) => {
    type LongKey =
      | 'uploadId'
      | 'rowsInserted'
      | 'bytesInserted'
      | 'peakMemoryUsedBytes'
      | 'peakMemoryCommittedBytes';
    const long = (key: LongKey, description: string) =>
      t.expose(key, { type: 'Long', nullable: true, description });
    type TimeKey = 'startedAt' | 'endedAt' | 'createdAt' | 'modifiedAt';
    const time = (key: TimeKey, description: string) =>
      t.field({ type: 'DateTime', nullable: true, description, resolve: (e) => fromSeconds(e[key]) });
    return {
      streamId: t.expose('streamId', { type: 'Long', description: 'Id of the stream that ran.' }),
      executionId: t.expose('executionId', { type: 'Long', description: "Domo's id of this execution." }),
      toe: t.exposeString('toe', {
        nullable: true,
        description: "Domo's trace id for this run (support traces runs by it).",
      }),
      startedAt: time('startedAt', 'When it started.'),
      endedAt: time('endedAt', 'When it ended; null while it runs.'),
      createdAt: time('createdAt', 'When Domo recorded it.'),
      modifiedAt: time('modifiedAt', 'When Domo last changed its record.'),
      updateMethod: t.field({
        type: UpdateMethodRef,
        nullable: true,
        description: 'How this run changed the dataset.',
        resolve: (e) => asUpdateMethod(e.updateMethod),
      }),
      updateMethodName: t.exposeString('updateMethod', {
        nullable: true,
        description: 'The update method exactly as Domo sent it.',
      }),
      index: t.exposeBoolean('index', { nullable: true, description: 'The data was indexed after loading.' }),
      retryCount: t.exposeInt('retryCount', { nullable: true, description: 'Retries this run made.' }),
      retryExecution: t.expose('retryExecution', {
        type: 'JSON',
        nullable: true,
        description: 'Retry details as Domo sends them (undocumented shape).',
      }),
      containerManagerId: t.exposeString('containerManagerId', {
        nullable: true,
        description: 'Container that ran the connector.',
      }),
      uploadId: long('uploadId', 'Id of the upload this run made.'),
      indexRequestKey: t.float({
        nullable: true,
        description: 'Key of the index request (Domo sends a decimal number).',
        resolve: (e) => {
          const key = Number(e.indexRequestKey ?? Number.NaN);
          return Number.isFinite(key) ? key : null;
        },
      }),
      currentState: t.field({
        type: ExecutionStateRef,
        nullable: true,
        description: 'State of the run (UNKNOWN for a state this gateway does not know).',
        resolve: (e) => asExecutionState(e.currentState),
      }),
      currentStateName: t.exposeString('currentState', {
        nullable: true,
        description: 'The state exactly as Domo sent it.',
      }),
      runType: t.exposeString('runType', { nullable: true, description: 'AUTOMATED (scheduled) or MANUAL.' }),
      latestPhase: t.expose('latestPhase', {
        type: 'JSON',
        nullable: true,
        description: 'Latest phase reached, as Domo sends it.',
      }),
      currentPhase: t.expose('currentPhase', {
        type: 'JSON',
        nullable: true,
        description: 'Phase in progress, as Domo sends it.',
      }),
      removed: t.exposeBoolean('removed', { nullable: true, description: 'The run was removed.' }),
      rowsInserted: long('rowsInserted', 'Rows loaded.'),
      bytesInserted: long('bytesInserted', 'Bytes loaded.'),
      startedBy: t.id({
        nullable: true,
        description: 'Id of the user who started it; null for a scheduled run.',
        resolve: (e) => idText(e.startedBy),
      }),
      cancelledBy: t.id({
        nullable: true,
        description: 'Id of the user who cancelled it.',
        resolve: (e) => idText(e.cancelledBy),
      }),
      dataTag: t.exposeString('dataTag', { nullable: true, description: 'Partition tag of the run.' }),
      peakMemoryUsedBytes: long('peakMemoryUsedBytes', 'Peak memory used.'),
      peakMemoryCommittedBytes: long('peakMemoryCommittedBytes', 'Peak memory committed.'),
      exportable: t.exposeBoolean('exportable', { nullable: true, description: 'The run can be exported.' }),
      manualIndex: t.exposeBoolean('manualIndex', {
        nullable: true,
        description: 'Indexing was started by hand.',
      }),
      errors: t.field({
        type: ['JSON'],
        description: 'Errors the run reported, as Domo sends them (empty when none).',
        resolve: (e) => (Array.isArray(e.errors) ? e.errors : []),
      }),
    };
  },
});

/** A stream's execution history, newest first, fetched once per stream per request. */
export const historyLoader = perRequestLoader(async (ctx, id: string): Promise<DomoStreamExecution[]> => {
  try {
    const history = await ctx.domo.streams.history(id);
    // Newest first, as the doc's example; a stable sort keeps Domo's order among equals.
    return [...history].sort((a, b) => b.executionId - a.executionId);
  } catch (error) {
    throw asNotFound(error, `stream ${id}`);
  }
});
