/**
 * createStream, updateStream, executeStream. Inputs are validated before any upstream call; the
 * write is sent once (never retried); the stream is then re-read through its loader (its entry cleared
 * first) so the payload shows what Domo holds after the write.
 */
import type { DomoStream, DomoStreamExecution } from '../../domo/types.ts';
import { builder } from '../builder.ts';
import type { GraphContext } from '../context.ts';
import { DatasetRef } from './dataset.ts';
import { ExecutionRef } from './execution.ts';
import {
  CreateStreamInputRef,
  createBody,
  partsFromInput,
  type StreamInput,
  UpdateStreamInputRef,
  updateBody,
} from './stream-input.ts';
import { assertStreamId, forgetStream, StreamRef } from './stream-node.ts';

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

const CreateStreamPayloadRef = builder.objectRef<StreamPayload>('CreateStreamPayload').implement({
  description: 'The new stream and its dataset, read back after the write.',
  fields: (t) => ({
    streamId: t.field({ type: 'Long', description: 'Id of the new stream.', resolve: (p) => p.stream.id }),
    datasetId: t.string({
      nullable: true,
      description: 'Id of the new dataset.',
      resolve: (p) => p.stream.dataSource?.id ?? null,
    }),
    stream: t.field({ type: StreamRef, description: 'The stream.', resolve: (p) => p.stream }),
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
    streamId: t.field({ type: 'Long', description: 'Id of the stream.', resolve: (p) => p.stream.id }),
    stream: t.field({ type: StreamRef, description: 'The stream.', resolve: (p) => p.stream }),
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
    streamId: t.field({ type: 'Long', description: 'Id of the stream.', resolve: (p) => p.stream.id }),
    executionId: t.field({
      type: 'Long',
      nullable: true,
      description: 'Id of the run, to find it in Stream.executions later.',
      resolve: (p) => p.execution?.executionId ?? null,
    }),
    execution: t.field({
      type: ExecutionRef,
      nullable: true,
      description:
        "The run: from Domo's answer when it carries one (the doc's answer is empty), else the stream's current or latest run.",
      resolve: (p) => p.execution,
    }),
    stream: t.field({ type: StreamRef, description: 'The stream after the call.', resolve: (p) => p.stream }),
  }),
});

builder.mutationFields((t) => ({
  createStream: t.field({
    type: CreateStreamPayloadRef,
    nullable: true,
    description: 'Creates a stream and its dataset (POST /api/data/v1/streams).',
    args: { input: t.arg({ type: CreateStreamInputRef, required: true, description: 'The stream.' }) },
    resolve: async (_, args, ctx) => {
      const body = createBody(args.input as StreamInput);
      const created = await ctx.domo.streams.create(body);
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
      const parts = partsFromInput(args.input as StreamInput);
      const current = await StreamRef.getDataloader(ctx).load(id);
      if (current instanceof Error) throw current;
      await ctx.domo.streams.update(id, updateBody(current, parts));
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
