/**
 * Uploads: `uploadDatasetCsv` (a file through the GraphQL multipart request spec, streamed by the
 * gateway in front of yoga), and `appendRows` / `deleteRows` for small inline changes, all on the
 * one pipeline of src/upload/: validated, split into parts, committed all or nothing.
 */
import { DomoError } from '../../domo/errors.ts';
import type { DomoSchemaColumn } from '../../domo/types.ts';
import { uploadFailureKind } from '../../errors/classify.ts';
import { failure } from '../../errors/codes.ts';
import {
  commitMessage,
  csvField,
  DEFAULT_PART_SIZE,
  dataTag,
  keyColumns as keyColumnsArg,
  partSizeBytes,
  UploadArgumentError,
  type UploadCsvOptions,
  UploadError,
  type UploadMode,
  uploadCsv,
} from '../../upload/index.ts';
import { builder } from '../builder.ts';
import { type GraphContext, STREAMED_UPLOAD_KEY } from '../context.ts';
import { badUserInput, ClientError } from '../errors.ts';
import { datasetColumns, datasetEntry } from './dataset.ts';
import { UploadModeEnum, type UploadPayload, UploadResultRef } from './upload-result.ts';

const MAX_INLINE_ROWS = 10_000;

builder.scalarType('Upload', {
  description:
    'A file sent as a part of a multipart request (GraphQL multipart request spec). The gateway streams it; it is never buffered whole.',
  serialize: () => {
    throw new Error('Upload is an input type only');
  },
  parseValue: (value) => value,
});

function uploadFailure(error: unknown): unknown {
  if (!(error instanceof UploadError)) return error;
  const { line, column, part, uploadId, commitState } = error.details;
  const details = Object.fromEntries(
    Object.entries({ line, column, part, uploadId, commitState }).filter(([, v]) => v !== undefined),
  );
  const { code } = failure(uploadFailureKind(error));
  if (error.kind === 'data') return new ClientError(code, error.message, { field: 'file', ...details });
  if (error.kind === 'aborted') return new ClientError(code, error.message, details);
  const cause = error.cause;
  const extra: Record<string, unknown> = { ...details };
  if (cause instanceof DomoError) {
    if (cause.status !== undefined) extra.upstreamStatus = cause.status;
    if (cause.toe) extra.toe = cause.toe;
  }
  const suffix = error.nothingCommitted ? '; nothing was committed' : '';
  return new ClientError(code, `${error.message}${suffix}`, extra);
}

interface CommonArgs {
  dataTag?: string | null;
  restateDataTag?: string | null;
  index?: boolean | null;
  message?: string | null;
}

/** Runs the shared argument rules (src/upload/args.ts), their refusals as BAD_USER_INPUT. */
function checked<T>(check: () => T): T {
  try {
    return check();
  } catch (error) {
    if (error instanceof UploadArgumentError) throw badUserInput(error.message, error.field);
    throw error;
  }
}

function checkCommon(args: CommonArgs): void {
  checked(() => {
    dataTag(args.dataTag, 'dataTag');
    dataTag(args.restateDataTag, 'restateDataTag');
    commitMessage(args.message);
  });
}

async function runUpload(
  ctx: GraphContext,
  datasetId: string,
  source: AsyncIterable<Uint8Array>,
  options: Omit<UploadCsvOptions, 'signal'>,
): Promise<UploadPayload> {
  try {
    const result = await uploadCsv(ctx.domo, datasetId, source, {
      ...options,
      policy: ctx.uploads?.policy,
      signal: ctx.uploads?.signal,
    });
    return { ...result, datasetId, mode: options.mode };
  } catch (error) {
    throw uploadFailure(error);
  }
}

function fileSource(file: unknown, ctx: GraphContext): AsyncIterable<Uint8Array> {
  if (file && typeof file === 'object') {
    const id = (file as Record<string, unknown>)[STREAMED_UPLOAD_KEY];
    if (typeof id === 'string') {
      const stream = ctx.uploads?.files?.get(id);
      if (stream) return stream;
    }
    // A File from a multipart parser that buffered it (a server set up without the streaming route).
    const stream = (file as { stream?: () => AsyncIterable<Uint8Array> }).stream;
    if (typeof stream === 'function') return stream.call(file);
  }
  throw badUserInput(
    'file must be a file part of a multipart request (GraphQL multipart request spec)',
    'file',
  );
}

function commonOptions(args: CommonArgs) {
  return {
    dataTag: args.dataTag ?? undefined,
    restateDataTag: args.restateDataTag ?? undefined,
    index: args.index ?? true,
    message: args.message ?? undefined,
  };
}

async function schemaOf(ctx: GraphContext, datasetId: string): Promise<DomoSchemaColumn[]> {
  return datasetColumns(ctx, datasetId, true);
}

builder.mutationFields((t) => ({
  uploadDatasetCsv: t.field({
    type: UploadResultRef,
    description:
      'Streams a CSV file into a dataset (GraphQL multipart request): validated, split into parts sent in parallel, committed only when every part succeeded. A bad row is BAD_USER_INPUT naming its line and column; nothing is committed on any failure.',
    args: {
      datasetId: t.arg.id({ required: true, description: 'Domo dataset id.' }),
      file: t.arg({
        type: 'Upload',
        required: true,
        description: 'The CSV file (UTF-8, comma-separated, RFC 4180 quoting).',
      }),
      mode: t.arg({
        type: UploadModeEnum,
        defaultValue: 'APPEND',
        description: 'How the rows change the dataset.',
      }),
      hasHeader: t.arg.boolean({
        defaultValue: true,
        description:
          'The first row names the columns (checked against the schema, case-sensitive); it is not uploaded.',
      }),
      keyColumns: t.arg.stringList({
        description:
          'DELETE: the key columns the file holds, in order (default: its header, else the leading schema columns).',
      }),
      dataTag: t.arg.string({
        description: 'Partition tag: the rows form (or replace, with REPLACE) this partition.',
      }),
      restateDataTag: t.arg.string({
        description: 'The older name of the partition tag, for servers that want it.',
      }),
      index: t.arg.boolean({ defaultValue: true, description: 'Index the dataset after the commit.' }),
      message: t.arg.string({ description: 'Commit message.' }),
      partSizeKB: t.arg.int({ description: `Part size in KiB (default ${DEFAULT_PART_SIZE / 1024}).` }),
    },
    resolve: async (_, args, ctx) => {
      const datasetId = datasetEntry(ctx, args.datasetId, 'datasetId');
      checkCommon(args);
      const mode = (args.mode ?? 'APPEND') as UploadMode;
      const partSize = checked(() => partSizeBytes(args.partSizeKB));
      const keyColumns = checked(() => keyColumnsArg(args.keyColumns, mode));
      const source = fileSource(args.file, ctx);
      return runUpload(ctx, datasetId, source, {
        mode,
        hasHeader: args.hasHeader ?? true,
        keyColumns,
        partSizeBytes: partSize,
        ...commonOptions(args),
      });
    },
  }),
  appendRows: t.field({
    type: UploadResultRef,
    description: 'Appends a few rows given inline, through the same validated upload pipeline.',
    args: {
      datasetId: t.arg.id({ required: true, description: 'Domo dataset id.' }),
      rows: t.arg({
        type: ['JSONObject'],
        required: true,
        description: `Rows keyed by column name; a missing column is null. At most ${MAX_INLINE_ROWS}.`,
      }),
      dataTag: t.arg.string({ description: 'Partition tag the rows are appended to.' }),
      index: t.arg.boolean({ defaultValue: true, description: 'Index the dataset after the commit.' }),
      message: t.arg.string({ description: 'Commit message.' }),
    },
    resolve: async (_, args, ctx) => {
      const datasetId = datasetEntry(ctx, args.datasetId, 'datasetId');
      checkCommon(args);
      const rows = inlineRows(args.rows);
      const schema = await schemaOf(ctx, datasetId);
      const names = new Set(schema.map((c) => c.name));
      rows.forEach((row, i) => {
        for (const key of Object.keys(row)) {
          if (!names.has(key))
            throw badUserInput(`rows[${i}] has "${key}", which is not a column of the dataset`, 'rows');
        }
      });
      const lines = rows.map((row) => schema.map((c) => csvField(row[c.name])).join(','));
      return runUpload(ctx, datasetId, textSource(lines), {
        mode: 'APPEND',
        hasHeader: false,
        schema,
        ...commonOptions(args),
      });
    },
  }),
  deleteRows: t.field({
    type: UploadResultRef,
    description:
      'Deletes the rows whose keys are given inline (a DELETE upload); keys not found are ignored.',
    args: {
      datasetId: t.arg.id({ required: true, description: 'Domo dataset id.' }),
      keys: t.arg({
        type: ['JSONObject'],
        required: true,
        description: `Key values keyed by key column name; every object names the same columns. At most ${MAX_INLINE_ROWS}.`,
      }),
      index: t.arg.boolean({ defaultValue: true, description: 'Index the dataset after the commit.' }),
      message: t.arg.string({ description: 'Commit message.' }),
    },
    resolve: async (_, args, ctx) => {
      const datasetId = datasetEntry(ctx, args.datasetId, 'datasetId');
      checkCommon(args);
      const keys = inlineRows(args.keys, 'keys');
      const columns = Object.keys(keys[0]!);
      if (columns.length === 0) throw badUserInput('keys[0] names no column', 'keys');
      keys.forEach((key, i) => {
        const names = Object.keys(key);
        if (names.length !== columns.length || names.some((n) => !columns.includes(n))) {
          throw badUserInput(`keys[${i}] names other columns than keys[0] (${columns.join(', ')})`, 'keys');
        }
      });
      const schema = await schemaOf(ctx, datasetId);
      const lines = [
        columns.map(csvField).join(','),
        ...keys.map((k) => columns.map((c) => csvField(k[c])).join(',')),
      ];
      return runUpload(ctx, datasetId, textSource(lines), {
        mode: 'DELETE',
        hasHeader: true,
        schema,
        ...commonOptions(args),
      });
    },
  }),
}));

function inlineRows(rows: Array<Record<string, unknown>>, field = 'rows'): Array<Record<string, unknown>> {
  if (rows.length === 0) throw badUserInput(`${field} must not be empty`, field);
  if (rows.length > MAX_INLINE_ROWS)
    throw badUserInput(`${field} holds at most ${MAX_INLINE_ROWS} entries; upload a file instead`, field);
  return rows;
}

async function* textSource(lines: string[]): AsyncIterable<Uint8Array> {
  yield Buffer.from(`${lines.join('\n')}\n`, 'utf8');
}
