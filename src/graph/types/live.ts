/**
 * Subscriptions: a stream run's progress, an indexing run's, and a dataset's data changing. Domo
 * has no push, so src/live polls (one poller per object and caller, however many subscribers); each
 * field sends the current state at once, then every change, and completes on a final state.
 * Served over SSE: yoga's own (`Accept: text/event-stream` on /graphql) and the graphql-sse protocol
 * (/graphql/stream). A failure ends the subscription with its error (NOT_FOUND, FORBIDDEN,
 * SUBSCRIPTION_IDLE, ...); TOO_MANY_SUBSCRIPTIONS refuses one before any call.
 */
import { failure } from '../../errors/codes.ts';
import { LiveError, type LiveHub, type LiveMessage } from '../../live/hub.ts';
import {
  type DatasetState,
  datasetWatch,
  executionWatch,
  indexWatch,
  type PollClient,
} from '../../live/watches.ts';
import { builder } from '../builder.ts';
import type { GraphContext } from '../context.ts';
import { badUserInput, ClientError, type ErrorCode } from '../errors.ts';
import { DATASET_ID_ARG } from './args.ts';
import { datasetEntry } from './dataset.ts';
import { IndexStatusRef } from './indexing.ts';
import { ExecutionRef } from './stream/execution.ts';
import { assertStreamId } from './stream/node.ts';

/** What the context gives subscriptions (src/server.ts): the hub and a client for pollers. */
export interface LiveContext {
  hub: LiveHub;
  client: PollClient;
}

function live(ctx: GraphContext): LiveContext & { callerId: string } {
  if (!ctx.live || !ctx.caller)
    throw new ClientError(failure('internal').code, 'subscriptions are not served here');
  return { ...ctx.live, callerId: ctx.caller.id };
}

/** A state as the field's value; an error message as the field's error, after which it completes. */
function stateOf<T>(message: LiveMessage<T>): T {
  if ('error' in message) throw new ClientError(message.error.code as ErrorCode, message.error.message);
  return message.state;
}

/** The hub's refusals as client errors with their code (TOO_MANY_SUBSCRIPTIONS). */
function watching<T>(
  start: () => AsyncIterableIterator<LiveMessage<T>>,
): AsyncIterableIterator<LiveMessage<T>> {
  try {
    return start();
  } catch (error) {
    if (error instanceof LiveError) throw new ClientError(error.code as ErrorCode, error.message);
    throw error;
  }
}

function positiveId(value: string | number, field: string): string {
  const text = String(value).trim();
  if (!/^[1-9]\d{0,18}$/.test(text)) throw badUserInput(`${field} must be a positive integer`, field);
  return text;
}

const DataVersionStateRef = builder
  .objectRef<DatasetState['dataVersions'][number]>('DataVersionState')
  .implement({
    description: 'A data version of a dataset, as datasetChanged reports it.',
    fields: (t) => ({
      dataVersionId: t.exposeID('dataVersionId', { description: "Domo's id of the version." }),
      status: t.exposeString('status', { nullable: true, description: 'Its status as Domo sends it.' }),
      rowCount: t.expose('rowCount', { type: 'Long', nullable: true, description: 'Rows in it.' }),
    }),
  });

const DatasetChangeRef = builder.objectRef<DatasetState>('DatasetChange').implement({
  description: "A dataset's data as it is now: sent at once, then on every change.",
  fields: (t) => ({
    datasetId: t.exposeID('datasetId', { description: 'Domo id of the dataset.' }),
    deleted: t.exposeBoolean('deleted', {
      description: 'The dataset was deleted or is no longer visible to you: the last event.',
    }),
    rowCount: t.expose('rowCount', { type: 'Long', nullable: true, description: 'Rows, from its metadata.' }),
    columnCount: t.exposeInt('columnCount', { nullable: true, description: 'Columns, from its metadata.' }),
    lastUpdated: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'When its data last changed, from its metadata.',
      resolve: (s) => (s.lastUpdated === null ? null : new Date(s.lastUpdated)),
    }),
    dataVersions: t.field({
      type: [DataVersionStateRef],
      description: 'Its data versions (dataversions/details).',
      resolve: (s) => s.dataVersions,
    }),
  }),
});

builder.subscriptionFields((t) => ({
  executionProgress: t.field({
    type: ExecutionRef,
    description:
      'A stream run: its state now, then on every change (RUNNING → SUCCESS, say); completes when it ends (any state but QUEUED and RUNNING). NOT_FOUND ends it when the stream has no such execution.',
    args: {
      streamId: t.arg.id({ required: true, description: 'Domo stream id.' }),
      executionId: t.arg.id({
        required: true,
        description: 'The execution, as executeStream or the history names it.',
      }),
    },
    subscribe: (_, args, ctx) => {
      const streamId = assertStreamId(args.streamId, 'streamId');
      const executionId = positiveId(args.executionId, 'executionId');
      const { hub, client, callerId } = live(ctx);
      return watching(() => hub.watch(executionWatch(client, callerId, streamId, executionId), ctx.signal));
    },
    resolve: (message) => stateOf(message),
  }),
  indexProgress: t.field({
    type: IndexStatusRef,
    description:
      'An indexing run: its status now, then on every change (QUEUED → RUNNING → COMPLETE); completes on COMPLETE or FAILED.',
    args: {
      datasetId: t.arg.id(DATASET_ID_ARG),
      indexId: t.arg.id({
        required: true,
        description: 'The indexId indexDataset or indexDataVersions answered.',
      }),
    },
    subscribe: (_, args, ctx) => {
      const datasetId = datasetEntry(ctx, args.datasetId, 'datasetId');
      const indexId = String(args.indexId).trim();
      if (indexId === '' || indexId.length > 128)
        throw badUserInput('indexId must be an index id', 'indexId');
      const { hub, client, callerId } = live(ctx);
      return watching(() => hub.watch(indexWatch(client, callerId, datasetId, indexId), ctx.signal));
    },
    resolve: (message) => stateOf(message),
  }),
  datasetChanged: t.field({
    type: DatasetChangeRef,
    description:
      "A dataset's row count, column count, last update and data versions: now, then on every change (an upload, a stream run); completes when the dataset is deleted.",
    args: { id: t.arg.id({ required: true, description: 'Domo dataset id (or the Dataset global id).' }) },
    subscribe: (_, args, ctx) => {
      const datasetId = datasetEntry(ctx, args.id, 'id');
      const { hub, client, callerId } = live(ctx);
      return watching(() => hub.watch(datasetWatch(client, callerId, datasetId), ctx.signal));
    },
    resolve: (message) => stateOf(message),
  }),
}));
