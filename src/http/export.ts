/**
 * `GET /v1/datasets/:id/export?format=csv|ndjson[&sql=…][&where=<JSON>&orderBy=<JSON>]`: a whole
 * dataset (from Domo's CSV export) or a query's rows (from the SQL endpoint; `where`/`orderBy`
 * compiled by src/rows) streamed to the caller as they arrive, one upstream chunk at a time, with
 * backpressure both ways: a slow caller holds back the reads from Domo (res.write() false waits for
 * 'drain'), and a caller who goes away aborts the upstream request.
 * Failures before the first byte answer `{errors:[{message, extensions:{code}}]}` with the status of
 * the one table (src/errors/codes.ts); after it, the stream ends visibly: NDJSON with a last
 * `{"error":{"code","message"}}` line, CSV with the connection reset, never a silently short file.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { AuthError } from '../auth/errors.ts';
import type { Credentials } from '../domo/auth.ts';
import { BodyReadError } from '../domo/body.ts';
import { createDomoClient, type DomoClient } from '../domo/client.ts';
import { DomoError } from '../domo/errors.ts';
import type { RowBatch } from '../domo/export.ts';
import type { DomoHttp } from '../domo/http.ts';
import { datasetIdMessage, isDatasetId } from '../domo/ids.ts';
import { failureKindOf } from '../errors/classify.ts';
import { failure } from '../errors/codes.ts';
import { redactDeep } from '../errors/redact.ts';
import type { Logger } from '../log.ts';
import type { OpsSink } from '../ops/events.ts';
import { currentScope } from '../ops/scope.ts';
import { compileRows } from '../rows/compile.ts';
import { checkTimeZone } from '../rows/dates.ts';
import { RowsInputError } from '../rows/errors.ts';
import { COLUMN_TYPES, type ColumnType, type RowColumn } from '../rows/values.ts';
import { writeOrWait } from './backpressure.ts';
import {
  CsvNdjsonWriter,
  CsvRecordReader,
  CsvRowCounter,
  csvLine,
  firstRowEnd,
  NdjsonWriter,
  parseRecords,
} from './export-format.ts';
import { type ExportFormat, type ExportOptions, exportOptions } from './export-options.ts';

export interface ExportHttpDeps {
  http: DomoHttp;
  logger: Logger;
  ops: OpsSink;
  /** The Domo credentials of a request (the caller's, else the server's). */
  credentials: (req: IncomingMessage) => Credentials | null;
  maxConcurrency: number;
  /** Aborted when the server shuts down: running exports are cut. */
  shutdown: AbortSignal;
  /** The time zone relative date ranges in `where` use (ROWS_TIME_ZONE). */
  timeZone: string;
  /** Gateway authorization before any data is read (src/auth): a refusal, or undefined to go on. */
  authorize?: (req: IncomingMessage, datasetId: string) => Promise<AuthError | undefined>;
}

const EXPORT_PATH = /^\/v1\/datasets\/([^/]+)\/export\/?$/;

const CONTENT_TYPES: Record<ExportFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  ndjson: 'application/x-ndjson',
};

const isColumnType = (type: string | null | undefined): type is ColumnType =>
  (COLUMN_TYPES as readonly string[]).includes(type ?? '');

/** The JSON error answer, before the first byte. */
/** The request's log line names the error code (src/ops/scope.ts). */
function noteCode(code: unknown) {
  if (typeof code === 'string') currentScope()?.errorCodes.add(code);
}

function sendError(
  res: ServerResponse,
  status: number,
  message: string,
  extensions: Record<string, unknown>,
) {
  noteCode(extensions.code);
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify({ errors: [{ message, extensions }] }));
}

/** What a failure is called, and its status, from the one table; secrets redacted. */
function describeFailure(error: unknown, credentials: Credentials | null) {
  if (error instanceof RowsInputError) {
    const { code, httpStatus } = failure('bad_input');
    return { status: httpStatus, message: error.message, extensions: { code, field: error.path } };
  }
  if (error instanceof BodyReadError) {
    // Domo's CSV read whole but malformed (found at its end, outside the streamed read).
    const { code, httpStatus } = failure(error.kind);
    return { status: httpStatus, message: error.message, extensions: { code } };
  }
  const { code, httpStatus } = failure(failureKindOf(error));
  const upstream = error instanceof DomoError ? error : undefined;
  const message = upstream ? upstream.message : 'Unexpected error.';
  const extensions: Record<string, unknown> = { code };
  if (upstream?.status !== undefined) extensions.upstreamStatus = upstream.status;
  if (upstream?.toe) extensions.toe = upstream.toe;
  const secrets = credentials ? [credentials.token] : [];
  return {
    status: httpStatus,
    message: redactDeep(message, secrets) as string,
    extensions: redactDeep(extensions, secrets) as Record<string, unknown>,
  };
}

/** The response side of one export: headers on the first piece, writes that wait for 'drain'. */
class ExportResponse {
  bytes = 0;
  rows = 0;
  constructor(
    private readonly res: ServerResponse,
    private readonly format: ExportFormat,
    private readonly filename: string,
  ) {}

  get started(): boolean {
    return this.res.headersSent;
  }

  start(): void {
    if (this.res.headersSent) return;
    this.res.writeHead(200, {
      'content-type': CONTENT_TYPES[this.format],
      'content-disposition': `attachment; filename="${this.filename}"`,
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
    });
  }

  /** Writes a piece; resolves at once or once the socket drained, rejects if the caller is gone. */
  write(piece: string | Uint8Array): void | Promise<void> {
    this.start();
    const res = this.res;
    if (piece.length === 0) return;
    this.bytes += typeof piece === 'string' ? Buffer.byteLength(piece) : piece.byteLength;
    return writeOrWait(res, piece);
  }
}

/** The rows of a query written in the chosen format; the header once the columns are known. */
function rowWriter(
  out: ExportResponse,
  format: ExportFormat,
  typeOf: (column: string, i: number, batch: RowBatch) => ColumnType | null,
) {
  let ndjson: NdjsonWriter | undefined;
  let headed = false;
  const header = (columns: string[]) => {
    if (headed) return '';
    headed = true;
    return format === 'csv' ? csvLine(columns) : '';
  };
  return {
    write(batch: RowBatch) {
      out.rows += batch.rows.length;
      if (format === 'csv') {
        let text = header(batch.columns);
        for (const row of batch.rows) text += csvLine(row);
        return out.write(text);
      }
      ndjson ??= new NdjsonWriter(
        batch.columns,
        batch.columns.map((c, i) => typeOf(c, i, batch)),
      );
      return out.write(ndjson.lines(batch.rows));
    },
    /** An answer without rows still gets its CSV header when its columns are known. */
    end(columns: string[]) {
      return columns.length ? out.write(header(columns)) : undefined;
    },
  };
}

async function run(
  domo: DomoClient,
  datasetId: string,
  options: ExportOptions,
  out: ExportResponse,
  timeZone: string,
) {
  const { format, source } = options;
  if (source.kind === 'dataset') {
    if (format === 'csv') {
      const counter = new CsvRowCounter();
      await domo.exports.csv(datasetId, (chunk) => {
        counter.write(chunk);
        out.rows = counter.rows(true);
        return out.write(chunk);
      });
      out.rows = counter.rows(true);
      return;
    }
    const schema = await domo.datasets.schema(datasetId, true);
    const types = new Map(schema.tables.flatMap((t) => t.columns).map((c) => [c.name, c.type]));
    const records = new CsvRecordReader();
    let writer: CsvNdjsonWriter | undefined;
    const send = (bytes: Buffer | null) => {
      if (!bytes) return;
      if (!writer) {
        // The header row, read as text (the first complete rows hold it whole).
        const text = bytes.toString('utf8');
        const headerText = text.slice(0, firstRowEnd(text));
        const headerEnd = Buffer.byteLength(headerText);
        const header = parseRecords(headerText)[0] ?? [];
        writer = new CsvNdjsonWriter(
          header.map((name) => name ?? '\\N'),
          header.map((name) => {
            const type = types.get(name ?? '');
            return isColumnType(type) ? type : null;
          }),
        );
        bytes = bytes.subarray(headerEnd);
        if (bytes.length === 0) return;
      }
      const lines = writer.lines(bytes);
      out.rows += lines.rows;
      return out.write(lines.bytes);
    };
    await domo.exports.csv(datasetId, (chunk) => send(records.bytes(chunk)));
    await send(records.endBytes());
    out.start();
    return;
  }
  let sql: string;
  /** The columns when the answer names none (the doc's shape without rows): the statement's. */
  let known: string[] = [];
  let typeOf: (column: string, i: number, batch: RowBatch) => ColumnType | null;
  if (source.kind === 'sql') {
    sql = source.sql;
    typeOf = (_c, i, batch) => {
      const type = batch.types[i];
      return isColumnType(type) ? type : null;
    };
  } else {
    const schema = await domo.datasets.schema(datasetId, false);
    const columns: RowColumn[] = schema.tables
      .flatMap((t) => t.columns)
      .filter((c) => isColumnType(c.type))
      .map((c) => ({ name: c.name, type: c.type as ColumnType }));
    const clock = { now: Date.now(), timeZone: checkTimeZone(timeZone, 'timeZone') };
    const statement = compileRows({
      columns,
      where: source.where,
      orderBy: source.orderBy,
      page: null,
      clock,
    });
    sql = statement.sql;
    known = statement.columns.map((c) => c.name);
    const byName = new Map(statement.columns.map((c) => [c.name, c.type]));
    typeOf = (c) => byName.get(c) ?? null;
  }
  const rows = rowWriter(out, format, typeOf);
  const answer = await domo.exports.sqlRows(datasetId, sql, (batch) => rows.write(batch));
  await rows.end(answer.columns.length ? answer.columns : known);
  out.start();
}

/** Aborts when the caller goes away before the export ended, or the server shuts down. */
function exportSignal(res: ServerResponse, shutdown: AbortSignal): AbortSignal {
  const controller = new AbortController();
  res.once('close', () => {
    if (!res.writableFinished) controller.abort(new Error('the caller disconnected'));
  });
  return AbortSignal.any([controller.signal, shutdown]);
}

async function handle(req: IncomingMessage, res: ServerResponse, rawId: string, deps: ExportHttpDeps) {
  const credentials = deps.credentials(req);
  let datasetId: string;
  let options: ExportOptions;
  try {
    try {
      datasetId = decodeURIComponent(rawId);
    } catch {
      datasetId = rawId;
    }
    if (!isDatasetId(datasetId))
      throw new RowsInputError(datasetIdMessage('the dataset id', datasetId), 'id');
    options = exportOptions(new URL(req.url ?? '/', 'http://gateway').searchParams);
  } catch (error) {
    const { status, message, extensions } = describeFailure(error, credentials);
    return sendError(res, status, message, extensions);
  }
  if (deps.authorize) {
    const refusal = await deps.authorize(req, datasetId).catch((error: unknown) => error);
    if (refusal instanceof AuthError) {
      for (const [name, value] of Object.entries(refusal.headers)) res.setHeader(name, value);
      return sendError(res, refusal.httpStatus, refusal.message, { code: refusal.code });
    }
    if (refusal) {
      const { status, message, extensions } = describeFailure(refusal, credentials);
      return sendError(res, status, message, extensions);
    }
  }
  const signal = exportSignal(res, deps.shutdown);
  const domo = createDomoClient(deps.http, { credentials, signal, maxConcurrency: deps.maxConcurrency });
  const out = new ExportResponse(res, options.format, `${datasetId}.${options.format}`);
  try {
    await run(domo, datasetId, options, out, deps.timeZone);
    res.end();
  } catch (error) {
    if (signal.aborted && res.destroyed) return;
    const { status, message, extensions } = describeFailure(error, credentials);
    if (status >= 500) deps.logger.warn('export failed', { datasetId, code: extensions.code, message });
    noteCode(extensions.code);
    if (!out.started) return sendError(res, status, message, extensions);
    if (options.format === 'ndjson') {
      // The last line says the file is incomplete, and why.
      res.end(`${JSON.stringify({ error: { code: extensions.code, message } })}\n`);
    } else {
      // CSV has no way to say it: the connection is reset, so the download visibly fails.
      res.destroy(new Error(message));
    }
  } finally {
    deps.ops.emit({ type: 'export', format: options.format, bytes: out.bytes, rows: out.rows });
  }
}

/** Takes the export route's requests; answers false for the rest. */
export function createExportHandler(deps: ExportHttpDeps) {
  return (req: IncomingMessage, res: ServerResponse): boolean => {
    const path = (req.url ?? '/').split('?')[0]!;
    const match = EXPORT_PATH.exec(path);
    if (!match) return false;
    if (req.method !== 'GET') {
      const { code, httpStatus } = failure('method_not_allowed');
      res.setHeader('allow', 'GET');
      sendError(res, httpStatus, 'use GET to export', { code });
      req.resume();
      return true;
    }
    void handle(req, res, match[1]!, deps);
    return true;
  };
}
