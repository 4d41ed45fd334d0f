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
} from '../../domo/types.ts';
import { builder } from '../builder.ts';
import { asNotFound } from '../errors.ts';
import { perRequestLoader } from './per-request.ts';

/** An enum value for what Domo sent: the value itself when known, UNKNOWN when not, null when absent. */
export function knownOrUnknown<T extends string>(value: unknown, known: readonly T[]): T | 'UNKNOWN' | null {
  if (value === null || value === undefined || value === '') return null;
  return (known as readonly unknown[]).includes(value) ? (value as T) : 'UNKNOWN';
}

/** Domo's stream and execution times are epoch SECONDS. */
export const fromSeconds = (value: number | null | undefined): Date | null =>
  typeof value === 'number' ? new Date(value * 1000) : null;

const idText = (value: number | string | null | undefined): string | null =>
  value === null || value === undefined ? null : String(value);

export const UpdateMethodRef = builder.enumType('UpdateMethod', {
  description: 'How a stream run changes its dataset.',
  values: {
    APPEND: { description: 'Rows are added to the existing data.' },
    REPLACE: { description: 'The data is replaced by each run.' },
    PARTITION: { description: 'Rows replace the partitions they belong to.' },
    UPSERT: { description: 'Rows are inserted or update rows with the same key.' },
    UNKNOWN: { description: 'A method Domo sent that this gateway does not know; see the *Name field.' },
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
    UNKNOWN: { description: 'A state Domo sent that this gateway does not know; see the *Name field.' },
  } satisfies Record<DomoExecutionState | 'UNKNOWN', { description: string }>,
});

export const asUpdateMethod = (value: unknown) => knownOrUnknown(value, DOMO_UPDATE_METHODS);
export const asExecutionState = (value: unknown) => knownOrUnknown(value, DOMO_EXECUTION_STATES);

export const ExecutionRef = builder.objectRef<DomoStreamExecution>('Execution').implement({
  description:
    'One run of a stream. Not a Relay node: Domo has no endpoint to read a single execution, so it is identified by streamId and executionId.',
  fields: (t) => {
    const longField = (description: string, pick: (e: DomoStreamExecution) => number | null | undefined) =>
      t.field({ type: 'Long', nullable: true, description, resolve: (e) => pick(e) ?? null });
    const time = (description: string, pick: (e: DomoStreamExecution) => number | null | undefined) =>
      t.field({ type: 'DateTime', nullable: true, description, resolve: (e) => fromSeconds(pick(e)) });
    return {
      streamId: t.field({
        type: 'Long',
        description: 'Id of the stream that ran.',
        resolve: (e) => e.streamId,
      }),
      executionId: t.field({
        type: 'Long',
        description: "Domo's id of this execution.",
        resolve: (e) => e.executionId,
      }),
      toe: t.string({
        nullable: true,
        description: "Domo's trace id for this run (support traces runs by it).",
        resolve: (e) => e.toe ?? null,
      }),
      startedAt: time('When it started.', (e) => e.startedAt),
      endedAt: time('When it ended; null while it runs.', (e) => e.endedAt),
      createdAt: time('When Domo recorded it.', (e) => e.createdAt),
      modifiedAt: time('When Domo last changed its record.', (e) => e.modifiedAt),
      updateMethod: t.field({
        type: UpdateMethodRef,
        nullable: true,
        description: 'How this run changed the dataset.',
        resolve: (e) => asUpdateMethod(e.updateMethod),
      }),
      updateMethodName: t.string({
        nullable: true,
        description: 'The update method exactly as Domo sent it.',
        resolve: (e) => e.updateMethod ?? null,
      }),
      index: t.boolean({
        nullable: true,
        description: 'The data was indexed after loading.',
        resolve: (e) => e.index ?? null,
      }),
      retryCount: t.int({
        nullable: true,
        description: 'Retries this run made.',
        resolve: (e) => e.retryCount ?? null,
      }),
      retryExecution: t.field({
        type: 'JSON',
        nullable: true,
        description: 'Retry details as Domo sends them (undocumented shape).',
        resolve: (e) => e.retryExecution ?? null,
      }),
      containerManagerId: t.string({
        nullable: true,
        description: 'Container that ran the connector.',
        resolve: (e) => e.containerManagerId ?? null,
      }),
      uploadId: longField('Id of the upload this run made.', (e) => e.uploadId),
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
      currentStateName: t.string({
        nullable: true,
        description: 'The state exactly as Domo sent it.',
        resolve: (e) => e.currentState ?? null,
      }),
      runType: t.string({
        nullable: true,
        description: 'AUTOMATED (scheduled) or MANUAL.',
        resolve: (e) => e.runType ?? null,
      }),
      latestPhase: t.field({
        type: 'JSON',
        nullable: true,
        description: 'Latest phase reached, as Domo sends it.',
        resolve: (e) => e.latestPhase ?? null,
      }),
      currentPhase: t.field({
        type: 'JSON',
        nullable: true,
        description: 'Phase in progress, as Domo sends it.',
        resolve: (e) => e.currentPhase ?? null,
      }),
      removed: t.boolean({
        nullable: true,
        description: 'The run was removed.',
        resolve: (e) => e.removed ?? null,
      }),
      rowsInserted: longField('Rows loaded.', (e) => e.rowsInserted),
      bytesInserted: longField('Bytes loaded.', (e) => e.bytesInserted),
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
      dataTag: t.string({
        nullable: true,
        description: 'Partition tag of the run.',
        resolve: (e) => e.dataTag ?? null,
      }),
      peakMemoryUsedBytes: longField('Peak memory used.', (e) => e.peakMemoryUsedBytes),
      peakMemoryCommittedBytes: longField('Peak memory committed.', (e) => e.peakMemoryCommittedBytes),
      exportable: t.boolean({
        nullable: true,
        description: 'The run can be exported.',
        resolve: (e) => e.exportable ?? null,
      }),
      manualIndex: t.boolean({
        nullable: true,
        description: 'Indexing was started by hand.',
        resolve: (e) => e.manualIndex ?? null,
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
export const historyLoader = perRequestLoader(async (ctx, id): Promise<DomoStreamExecution[]> => {
  try {
    const history = await ctx.domo.streams.history(id);
    // Newest first, as the doc's example; a stable sort keeps Domo's order among equals.
    return [...history].sort((a, b) => b.executionId - a.executionId);
  } catch (error) {
    throw asNotFound(error, `stream ${id}`);
  }
});
