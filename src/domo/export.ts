/**
 * Exports: a whole dataset as Domo's CSV, and a SQL answer's rows, both handed on as they arrive
 * (never held whole) to a sink that may hold the next read back (backpressure to Domo's socket).
 *
 * DOMO_MAX_RESPONSE_BYTES bounds what the gateway holds, not what passes through it: an export holds
 * one chunk at a time, so a whole-dataset export is never cut by it. A SQL export still refuses one
 * row larger than it (json-stream.ts). Once the first bytes went to the sink an export is never
 * retried (a repeat would send them twice): a failure then reaches the caller as it is.
 */
import type { BodyReader } from './body.ts';
import { BodyReadError } from './body.ts';
import type { Call } from './call.ts';
import { apiPath, type DomoRequest } from './http.ts';
import { SqlAnswerReader } from './json-stream.ts';

/** Takes the next piece; a promise holds the next upstream read back until it settles. */
export type Sink<T> = (piece: T) => void | Promise<void>;

/** Rows of a SQL answer, in its column order. */
export interface RowBatch {
  columns: string[];
  /** Domo's column types when the answer carried them (the real-instance shape), else null. */
  types: Array<string | null>;
  rows: unknown[][];
}

/** Rows held while a `{columns, rows}` answer has sent rows but not yet its columns. */
const MAX_ROWS_BEFORE_COLUMNS = 50_000;

/** Hands every chunk of the body to the sink as it is. */
class PassThrough implements BodyReader<{ bytes: number }> {
  passedOn = false;
  private bytes = 0;
  constructor(private readonly sink: Sink<Uint8Array>) {}

  write(chunk: Uint8Array): boolean | Promise<boolean> {
    this.passedOn = true;
    this.bytes += chunk.byteLength;
    const wait = this.sink(chunk);
    return wait ? wait.then(() => false) : false;
  }

  end() {
    return { bytes: this.bytes };
  }
}

/** The SQL answer reader (both shapes), its rows handed on a chunk's worth at a time. */
class RowsPassThrough implements BodyReader<{ columns: string[]; rows: number }> {
  passedOn = false;
  private readonly reader: SqlAnswerReader;
  private pending: unknown[] = [];
  private columns: string[] | null = null;
  /** Rows handed on so far. */
  rows = 0;

  constructor(
    maxValueBytes: number,
    private readonly sink: Sink<RowBatch>,
  ) {
    this.reader = new SqlAnswerReader({ maxValueBytes, onRows: (rows) => this.take(rows) });
  }

  private take(rows: unknown[]): void {
    for (const row of rows) this.pending.push(row);
    if (this.pending.length > MAX_ROWS_BEFORE_COLUMNS && !this.known()) {
      throw new BodyReadError(
        `Domo's answer sent more than ${MAX_ROWS_BEFORE_COLUMNS} rows before naming its columns; it cannot be exported as it arrives`,
      );
    }
  }

  /** The columns, once known: the answer's own, or the keys of the first row object. */
  known(): string[] | null {
    if (this.columns) return this.columns;
    if (this.reader.answerShape === 'columns') this.columns = this.reader.columnNames;
    else if (this.pending.length) this.columns = Object.keys(this.pending[0] as object);
    return this.columns;
  }

  private flush(): void | Promise<void> {
    const columns = this.known();
    if (!columns || this.pending.length === 0) return;
    const held = this.pending;
    this.pending = [];
    let rows: unknown[][];
    if (this.reader.answerShape === 'columns') rows = held as unknown[][];
    else {
      const names = new Set(columns);
      rows = held.map((value) => {
        const row = value as Record<string, unknown>;
        for (const key in row) {
          if (!names.has(key))
            throw new BodyReadError(
              `a row of Domo's answer has a column the first row did not have (${key.slice(0, 100)})`,
            );
        }
        return columns.map((c) => row[c] ?? null);
      });
    }
    this.rows += rows.length;
    this.passedOn = true;
    return this.sink({ columns, types: this.reader.columnTypes(), rows });
  }

  write(chunk: Uint8Array): boolean | Promise<boolean> {
    this.reader.write(chunk);
    const wait = this.flush();
    return wait ? wait.then(() => false) : false;
  }

  /** The body ended: checks it was whole (a cut answer is an error), hands on the rest. */
  end() {
    this.reader.end();
    return { columns: this.known() ?? [], rows: this.rows };
  }

  /** After end(): the rows still held (an answer whose columns came last), for the caller to send. */
  rest(): void | Promise<void> {
    return this.flush();
  }
}

export class ExportApi {
  constructor(private readonly call: Call) {}

  /**
   * The whole dataset as CSV: `GET /api/data/v2/datasources/:id/dataversions/latest?includeHeader=true`
   * with `Accept: text/csv` (DOMO-NOTES.md "Export"; nulls arrive as `\N`, UTF-8). Resolves once the
   * body ended whole; a body cut by a broken connection rejects (a `connection` DomoError).
   */
  async csv(datasetId: string, sink: Sink<Uint8Array>, options: { includeHeader?: boolean } = {}) {
    const request: DomoRequest = {
      method: 'GET',
      path: apiPath`/api/data/v2/datasources/${datasetId}/dataversions/latest`,
      query: { includeHeader: options.includeHeader ?? true },
      accept: 'text/csv',
      idempotent: true,
      read: () => new PassThrough(sink),
    };
    return this.call<{ bytes: number }>(request);
  }

  /**
   * A SQL answer's rows (`POST /api/query/v1/execute/:id`, either shape), handed on as they are
   * parsed. Resolves with the columns and the row count once the answer ended whole.
   */
  async sqlRows(datasetId: string, sql: string, sink: Sink<RowBatch>) {
    let reader: RowsPassThrough | undefined;
    const request: DomoRequest = {
      method: 'POST',
      path: apiPath`/api/query/v1/execute/${datasetId}`,
      json: { sql },
      idempotent: true,
      read: (maxValueBytes) => {
        reader = new RowsPassThrough(maxValueBytes, sink);
        return reader;
      },
    };
    await this.call(request);
    await reader?.rest();
    return { columns: reader?.known() ?? [], rows: reader?.rows ?? 0 };
  }
}
