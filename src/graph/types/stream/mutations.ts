/**
 * createStream, updateStream, executeStream and their inputs. Inputs are validated before any
 * upstream call (each problem a BAD_USER_INPUT naming the field) and the request bodies are built by
 * the client (domo/streams.ts); the write is sent once (never retried); the stream is then re-read
 * through its loader (its entry cleared first) so the payload shows what Domo holds after the write.
 */
import { createStreamBody, type StreamWriteParts, updateStreamBody } from '../../../domo/streams.ts';
import { DOMO_UPDATE_METHODS, type DomoStream, type DomoStreamExecution } from '../../../domo/types.ts';
import { builder } from '../../builder.ts';
import type { GraphContext } from '../../context.ts';
import { badUserInput } from '../../errors.ts';
import { text } from '../args.ts';
import { DatasetRef } from '../dataset.ts';
import { knownInput } from '../enums.ts';
import {
  AccountInputRef,
  accountFromInput,
  ConfigurationInputRef,
  configurationFromInput,
  DataProviderInputRef,
  dataProviderFromInput,
  TransportInputRef,
  transportFromInput,
} from './connector.ts';
import { ExecutionRef, UpdateMethodRef } from './execution.ts';
import { assertStreamId, forgetStream, StreamRef } from './node.ts';
import { ScheduleInputRef, scheduleJson } from './schedule.ts';

// --- inputs --------------------------------------------------------------------------------------

const DataSourceInputRef = builder.inputType('StreamDataSourceInput', {
  description: 'Name and description of the stream’s dataset.',
  fields: (t) => ({
    name: t.string({ required: true, description: 'Dataset name.' }),
    description: t.string({ description: 'Dataset description.' }),
  }),
});

export const CreateStreamInputRef = builder.inputType('CreateStreamInput', {
  description: 'A new stream and the dataset it feeds (POST /api/data/v1/streams).',
  fields: (t) => ({
    transport: t.field({ type: TransportInputRef, required: true, description: 'How data arrives.' }),
    configuration: t.field({
      type: [ConfigurationInputRef],
      defaultValue: [],
      description: 'Connector settings.',
    }),
    // The API doc marks account required on create (a stream read back may still show none).
    account: t.field({ type: AccountInputRef, required: true, description: 'Account the connector uses.' }),
    updateMethod: t.field({ type: UpdateMethodRef, required: true, description: 'APPEND, REPLACE, …' }),
    dataProvider: t.field({ type: DataProviderInputRef, required: true, description: 'The connector.' }),
    dataSource: t.field({ type: DataSourceInputRef, required: true, description: 'The new dataset.' }),
    schedule: t.field({ type: ScheduleInputRef, description: 'When it runs; omit to leave it to Domo.' }),
  }),
});

export const UpdateStreamInputRef = builder.inputType('UpdateStreamInput', {
  description:
    'Changes to a stream (PUT /api/data/v1/streams/{id}). Domo wants the whole stream, so what is left out is taken from the stream as it is.',
  fields: (t) => ({
    transport: t.field({ type: TransportInputRef, description: 'How data arrives.' }),
    configuration: t.field({
      type: [ConfigurationInputRef],
      description: 'Connector settings (replaces the list).',
    }),
    account: t.field({ type: AccountInputRef, description: 'Account the connector uses.' }),
    updateMethod: t.field({ type: UpdateMethodRef, description: 'APPEND, REPLACE, …' }),
    dataProvider: t.field({ type: DataProviderInputRef, description: 'The connector.' }),
    dataSource: t.field({ type: DataSourceInputRef, description: 'New dataset name and description.' }),
    schedule: t.field({ type: ScheduleInputRef, description: 'When it runs.' }),
  }),
});

/** Either input: a create is an update whose required parts are all there. */
export type StreamInput = typeof UpdateStreamInputRef.$inferInput;

function dataSourceFromInput(input: typeof DataSourceInputRef.$inferInput): StreamWriteParts['dataSource'] {
  const name = text(input.name, 'input.dataSource.name', 256).trim();
  const description = input.description;
  if (description && description.length > 4096)
    throw badUserInput(
      'input.dataSource.description must be at most 4096 characters',
      'input.dataSource.description',
    );
  return description === null || description === undefined ? { name } : { name, description };
}

/** Validates every given part of the input and turns it into the request's fields. */
export function partsFromInput(input: StreamInput): StreamWriteParts {
  const parts: StreamWriteParts = {};
  if (input.transport) parts.transport = transportFromInput(input.transport);
  if (input.configuration) parts.configuration = configurationFromInput(input.configuration);
  if (input.account) parts.account = accountFromInput(input.account);
  if (input.updateMethod !== null && input.updateMethod !== undefined)
    parts.updateMethod = knownInput(input.updateMethod, 'input.updateMethod', DOMO_UPDATE_METHODS);
  if (input.dataProvider) parts.dataProvider = dataProviderFromInput(input.dataProvider);
  if (input.dataSource) parts.dataSource = dataSourceFromInput(input.dataSource);
  if (input.schedule) parts.advancedScheduleJson = scheduleJson(input.schedule);
  return parts;
}

/** The body of a create, validated, in the doc's field order. */
export function createBody(input: typeof CreateStreamInputRef.$inferInput) {
  const parts = partsFromInput(input);
  return createStreamBody({
    ...parts,
    transport: required(parts.transport, 'input.transport'),
    updateMethod: required(parts.updateMethod, 'input.updateMethod'),
    dataProvider: required(parts.dataProvider, 'input.dataProvider'),
    dataSource: required(parts.dataSource, 'input.dataSource'),
  });
}

/** A part CreateStreamInput marks required (GraphQL checks it first; direct callers meet this). */
function required<T>(value: T | undefined, field: string): T {
  if (value === undefined) throw badUserInput(`${field} is required`, field);
  return value;
}

// --- payloads ------------------------------------------------------------------------------------

interface StreamPayload {
  stream: DomoStream;
}

interface ExecutePayload extends StreamPayload {
  execution: DomoStreamExecution | null;
}

/** The stream as Domo holds it now: the request's cached copy (and its dataset's) dropped first. */
async function reread(ctx: GraphContext, id: string, datasetId?: string | null): Promise<DomoStream> {
  forgetStream(ctx, id, datasetId);
  const stream = await StreamRef.getDataloader(ctx).load(id);
  if (stream instanceof Error) throw stream;
  return stream;
}

const streamId = (p: StreamPayload) => p.stream.id;

const CreateStreamPayloadRef = builder.objectRef<StreamPayload>('CreateStreamPayload').implement({
  description: 'The new stream and its dataset, read back after the write.',
  fields: (t) => ({
    streamId: t.field({ type: 'Long', description: 'Id of the new stream.', resolve: streamId }),
    datasetId: t.string({
      nullable: true,
      description: 'Id of the new dataset.',
      resolve: (p) => p.stream.dataSource?.id ?? null,
    }),
    stream: t.expose('stream', { type: StreamRef, description: 'The stream.' }),
    dataset: t.field({
      type: DatasetRef,
      nullable: true,
      description: 'The dataset it feeds.',
      resolve: (p) => p.stream.dataSource ?? null,
    }),
  }),
});

const UpdateStreamPayloadRef = builder.objectRef<StreamPayload>('UpdateStreamPayload').implement({
  description: 'The changed stream and its dataset, read back after the write.',
  fields: (t) => ({
    streamId: t.field({ type: 'Long', description: 'Id of the stream.', resolve: streamId }),
    stream: t.expose('stream', { type: StreamRef, description: 'The stream.' }),
    dataset: t.field({
      type: DatasetRef,
      nullable: true,
      description: 'The dataset it feeds, with its new name and description.',
      resolve: (p) => p.stream.dataSource ?? null,
    }),
  }),
});

const ExecuteStreamPayloadRef = builder.objectRef<ExecutePayload>('ExecuteStreamPayload').implement({
  description: 'A run that was started, and the stream read back after it.',
  fields: (t) => ({
    streamId: t.field({ type: 'Long', description: 'Id of the stream.', resolve: streamId }),
    executionId: t.field({
      type: 'Long',
      nullable: true,
      description: 'Id of the run, to find it in Stream.executions later.',
      resolve: (p) => p.execution?.executionId ?? null,
    }),
    execution: t.expose('execution', {
      type: ExecutionRef,
      nullable: true,
      description:
        "The run: from Domo's answer when it carries one (the doc's answer is empty), else the stream's current or latest run.",
    }),
    stream: t.expose('stream', { type: StreamRef, description: 'The stream after the call.' }),
  }),
});

// --- mutations -----------------------------------------------------------------------------------

builder.mutationFields((t) => ({
  createStream: t.field({
    type: CreateStreamPayloadRef,
    nullable: true,
    description: 'Creates a stream and its dataset (POST /api/data/v1/streams).',
    args: { input: t.arg({ type: CreateStreamInputRef, required: true, description: 'The stream.' }) },
    resolve: async (_, args, ctx) => {
      const created = await ctx.domo.streams.create(createBody(args.input));
      return { stream: await reread(ctx, String(created.id), created.dataSource?.id) };
    },
  }),
  updateStream: t.field({
    type: UpdateStreamPayloadRef,
    nullable: true,
    description:
      'Changes a stream and its dataset’s name and description (PUT /api/data/v1/streams/{id}); fields left out keep their values.',
    args: {
      streamId: t.arg.id({ required: true, description: 'Domo stream id.' }),
      input: t.arg({ type: UpdateStreamInputRef, required: true, description: 'The changes.' }),
    },
    resolve: async (_, args, ctx) => {
      const id = assertStreamId(args.streamId, 'streamId');
      const parts = partsFromInput(args.input);
      const current = await StreamRef.getDataloader(ctx).load(id);
      if (current instanceof Error) throw current;
      await ctx.domo.streams.update(id, updateStreamBody(current, parts));
      return { stream: await reread(ctx, id, current.dataSource?.id) };
    },
  }),
  executeStream: t.field({
    type: ExecuteStreamPayloadRef,
    nullable: true,
    description: 'Runs a stream now (POST /api/data/v1/streams/{id}/executions with action MANUAL).',
    args: { streamId: t.arg.id({ required: true, description: 'Domo stream id.' }) },
    resolve: async (_, args, ctx) => {
      const id = assertStreamId(args.streamId, 'streamId');
      const result = await ctx.domo.streams.execute(id, 'MANUAL');
      const stream = await reread(ctx, id);
      return {
        stream,
        execution: result.execution ?? stream.currentExecution ?? stream.lastExecution ?? null,
      };
    },
  }),
}));
