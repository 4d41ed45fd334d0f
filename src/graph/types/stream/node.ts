/**
 * Stream (connector): the Relay node and its loader, its fields (the schedule, connector and
 * executions come from their own files), its dataset (the embedded metadata fills the dataset
 * loader), and the ways in: `Query.stream`, `Dataset.stream`, `Execution.stream`.
 */
import type { DomoStream } from '../../../domo/types.ts';
import { builder } from '../../builder.ts';
import type { GraphContext } from '../../context.ts';
import { asNotFound, badUserInput } from '../../errors.ts';
import { ColumnRef, toColumn } from '../column.ts';
import { DatasetRef, primeDatasets } from '../dataset.ts';
import { offsetPage, pageArgs } from '../paging.ts';
import { AccountRef, ConfigurationItemRef, DataProviderRef, TransportRef } from './connector.ts';
import {
  asExecutionState,
  asUpdateMethod,
  ExecutionRef,
  ExecutionStateRef,
  fromSeconds,
  historyLoader,
  idText,
  UpdateMethodRef,
} from './execution.ts';
import { ScheduleRef } from './schedule.ts';

/** Domo stream ids are positive integers; anything else is refused before an upstream call. */
export function assertStreamId(id: string | number, field = 'id'): string {
  const text = String(id).trim();
  if (!/^[1-9]\d{0,14}$/.test(text))
    throw badUserInput(
      `${field} must be a Domo stream id (a positive integer), got "${text.slice(0, 64)}"`,
      field,
    );
  return text;
}

export function asStreamError(error: unknown, id: string): Error {
  return asNotFound(error, `stream ${id}`);
}

/** One GET per stream (Domo has no bulk read); the embedded dataset goes to the dataset loader. */
async function loadStreams(ids: readonly string[], ctx: GraphContext): Promise<Array<DomoStream | Error>> {
  return Promise.all(
    ids.map(async (id) => {
      try {
        const stream = await ctx.domo.streams.get(id);
        if (stream.dataSource?.id) primeDatasets(ctx, [stream.dataSource]);
        return stream;
      } catch (error) {
        return asStreamError(error, id);
      }
    }),
  );
}

export const StreamRef = builder.loadableNodeRef<DomoStream | Error, string>('Stream', {
  id: {
    resolve: (stream) => String(stream.id),
    description: 'Global id (Relay); domoId is the id Domo uses.',
    parse: (id) => assertStreamId(id),
  },
  load: loadStreams,
  cacheResolved: (stream) => String(stream.id),
});

/** Forgets what this request loaded for a stream (and its dataset), so the next read goes upstream. */
export function forgetStream(ctx: GraphContext, id: string, datasetId?: string | null): void {
  StreamRef.getDataloader(ctx).clear(id);
  historyLoader(ctx).clear(id);
  if (datasetId) DatasetRef.getDataloader(ctx).clear(datasetId.toLowerCase());
}

builder.objectType(StreamRef, {
  description: 'A stream (connector): what feeds a dataset, how and when.',
  fields: (t) => ({
    domoId: t.expose('id', { type: 'Long', description: "Domo's id of the stream." }),
    valid: t.exposeBoolean('valid', { nullable: true, description: 'The stream is valid.' }),
    invalidExecutionId: t.expose('invalidExecutionId', {
      type: 'Long',
      nullable: true,
      description: 'The execution that made it invalid, if any.',
    }),
    transport: t.field({
      type: TransportRef,
      nullable: true,
      description: 'How data arrives.',
      resolve: (s) =>
        s.transport
          ? {
              type: s.transport.type,
              description: s.transport.description ?? null,
              version: s.transport.version ?? null,
            }
          : null,
    }),
    updateMethod: t.field({
      type: UpdateMethodRef,
      nullable: true,
      description: 'How each run changes the dataset.',
      resolve: (s) => asUpdateMethod(s.updateMethod),
    }),
    updateMethodName: t.exposeString('updateMethod', {
      nullable: true,
      description: 'The update method exactly as Domo sent it.',
    }),
    dataProvider: t.expose('dataProvider', {
      type: DataProviderRef,
      nullable: true,
      description: 'The connector.',
    }),
    account: t.expose('account', {
      type: AccountRef,
      nullable: true,
      description: 'Account the connector uses; null when it needs none.',
    }),
    schedule: t.field({ type: ScheduleRef, description: 'When it runs.', resolve: (s) => s }),
    configuration: t.field({
      type: [ConfigurationItemRef],
      description: 'Connector settings.',
      resolve: (s) => s.configuration ?? [],
    }),
    dataSource: t.field({
      type: DatasetRef,
      nullable: true,
      description: 'The dataset it feeds, from the metadata the stream payload embeds (no extra call).',
      // Returning the object fills the dataset loader (cacheResolved), so lookups of it are free.
      resolve: (s) => (s.dataSource?.id ? s.dataSource : null),
    }),
    columns: t.field({
      type: [ColumnRef],
      description: 'Columns of the stream’s schema definition, from the stream payload.',
      resolve: (s) => (s.schemaDefinition?.columns ?? []).map(toColumn),
    }),
    lastExecution: t.expose('lastExecution', {
      type: ExecutionRef,
      nullable: true,
      description: 'The latest run.',
    }),
    lastSuccessfulExecution: t.expose('lastSuccessfulExecution', {
      type: ExecutionRef,
      nullable: true,
      description: 'The latest run that succeeded.',
    }),
    currentExecution: t.expose('currentExecution', {
      type: ExecutionRef,
      nullable: true,
      description: 'The run in progress, if any.',
    }),
    currentExecutionState: t.field({
      type: ExecutionStateRef,
      nullable: true,
      description: 'State of the current or latest run.',
      resolve: (s) => asExecutionState(s.currentExecutionState),
    }),
    currentExecutionStateName: t.exposeString('currentExecutionState', {
      nullable: true,
      description: 'currentExecutionState exactly as Domo sent it.',
    }),
    createdAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'When it was created.',
      resolve: (s) => fromSeconds(s.createdAt),
    }),
    createdBy: t.id({
      nullable: true,
      description: 'Id of the user who created it.',
      resolve: (s) => idText(s.createdBy),
    }),
    modifiedAt: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'When it was last changed.',
      resolve: (s) => fromSeconds(s.modifiedAt),
    }),
    modifiedBy: t.id({
      nullable: true,
      description: 'Id of the user who last changed it.',
      resolve: (s) => idText(s.modifiedBy),
    }),
    executions: t.connection(
      {
        type: ExecutionRef,
        description: 'Its runs, newest first: one history call per stream per request, paged here.',
        resolve: async (s, args, ctx) => {
          const { limit, offset } = pageArgs(args, ctx.settings.maxPageSize);
          const all = await historyLoader(ctx).load(String(s.id));
          return offsetPage(all.slice(offset, offset + limit), offset, limit, all.length);
        },
      },
      {
        description: 'A page of executions.',
        fields: (c) => ({
          totalCount: c.exposeInt('totalCount', { nullable: true, description: 'Executions in all.' }),
        }),
      },
      { description: 'An execution in a page.' },
    ),
  }),
});

builder.objectField(ExecutionRef, 'stream', (t) =>
  t.field({
    type: StreamRef,
    description: 'The stream that ran (through the stream loader; free when already loaded).',
    resolve: (e) => String(e.streamId),
  }),
);

builder.objectField(DatasetRef, 'stream', (t) =>
  t.field({
    type: StreamRef,
    nullable: true,
    description: 'The stream that feeds the dataset, from its streamId (no lookup to find it).',
    resolve: (d) => (d.streamId === null || d.streamId === undefined ? null : String(d.streamId)),
  }),
);

builder.queryField('stream', (t) =>
  t.field({
    type: StreamRef,
    nullable: true,
    description: 'One stream by its Domo id; null with a NOT_FOUND error when unknown.',
    args: { id: t.arg.id({ required: true, description: 'Domo stream id (a positive integer).' }) },
    resolve: (_, args) => assertStreamId(args.id),
  }),
);
