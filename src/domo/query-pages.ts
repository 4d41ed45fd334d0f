/**
 * A SQL answer as pages of rows, read from Domo as the consumer takes them: the streamed reader of
 * json-stream.ts hands its rows on page by page, and while `readAhead` pages wait for the consumer
 * the body is not read (Domo's answer waits in the socket: backpressure end to end). Memory is the
 * waiting pages and one chunk, whatever the answer's size. return(), or the caller's signal, aborts
 * the upstream request and discards its connection.
 */
import { BodyReadError, type BodyReader } from './body.ts';
import type { Call } from './call.ts';
import type { DomoRequest } from './http.ts';
import { SqlAnswerReader } from './json-stream.ts';

/** One page of a streamed answer. */
export interface QueryPage {
  /** Rows before this page. */
  offset: number;
  /** Column names, in the order of each row's values. */
  columns: string[];
  /** Domo's column types when the answer carried them (the real-instance shape), else null. */
  types: Array<string | null>;
  rows: unknown[][];
  /** The last page, and Domo had more rows than `maxRows`: the rest was never read. */
  truncated: boolean;
}

export interface PagesOptions {
  /** Rows to read in all; one more is read to know the answer was cut, then reading stops. */
  maxRows: number;
  /** Rows per page (the last page may hold fewer). */
  pageSize: number;
  /** Pages read ahead of the consumer (default 2). */
  readAhead?: number;
  /** The caller went away: stop as return() does. */
  signal?: AbortSignal;
}

type Page = IteratorResult<QueryPage, undefined>;

/** Rows held while a `{columns, rows}` answer has sent rows but not yet its columns. */
const MAX_ROWS_BEFORE_COLUMNS = 50_000;

/** The pages of `request`'s answer (a POST of the SQL endpoint), read only as they are asked for. */
export class QueryPages implements AsyncIterableIterator<QueryPage> {
  private readonly queue: QueryPage[] = [];
  private readonly cancel = new AbortController();
  private readonly readAhead: number;
  private started = false;
  private finished = false;
  private failure: unknown;
  /** Wakes whoever waits for a change: the consumer for a page, the reader for room. */
  private wake: (() => void) | undefined;

  constructor(
    private readonly call: Call,
    private readonly request: Omit<DomoRequest, 'read' | 'signal'>,
    private readonly options: PagesOptions,
  ) {
    this.readAhead = Math.max(1, options.readAhead ?? 2);
    options.signal?.addEventListener('abort', () => void this.return(), { once: true });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  async next(): Promise<Page> {
    if (!this.started) this.start();
    for (;;) {
      const page = this.queue.shift();
      if (page) {
        this.notify();
        return { value: page, done: false };
      }
      if (this.failure !== undefined) {
        const failure = this.failure;
        this.failure = undefined;
        this.finished = true;
        throw failure;
      }
      if (this.finished) return { value: undefined, done: true };
      await this.changed();
    }
  }

  /** The consumer is done (finished, gone, or failed elsewhere): the upstream request is aborted. */
  async return(): Promise<Page> {
    if (!this.finished) {
      this.finished = true;
      this.queue.length = 0;
      this.failure = undefined;
      this.cancel.abort(new Error('the stream was closed by its consumer'));
      this.notify();
    }
    return { value: undefined, done: true };
  }

  /** Called by the reader (below) for each full page, and the last. */
  push(page: QueryPage): void {
    this.queue.push(page);
    this.notify();
  }

  /** Resolves once the consumer made room; rejects once it is gone. */
  async room(): Promise<void> {
    while (this.queue.length >= this.readAhead) {
      if (this.cancel.signal.aborted) throw new BodyReadError('the stream was closed by its consumer');
      await this.changed();
    }
    if (this.cancel.signal.aborted) throw new BodyReadError('the stream was closed by its consumer');
  }

  private start(): void {
    this.started = true;
    if (this.finished) return;
    const request: DomoRequest = {
      ...this.request,
      signal: this.cancel.signal,
      read: (maxValueBytes) => new PageReader(this, this.options, maxValueBytes),
    };
    this.call<void>(request).then(
      () => {
        this.finished = true;
        this.notify();
      },
      (error: unknown) => {
        // After return() the failure is the abort itself: nobody is left to tell.
        if (!this.cancel.signal.aborted) this.failure = error;
        else this.finished = true;
        this.notify();
      },
    );
  }

  private changed(): Promise<void> {
    return new Promise((resolve) => {
      const previous = this.wake;
      this.wake = () => {
        previous?.();
        resolve();
      };
    });
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}

/** Reads one attempt's body into pages of QueryPages: a fresh one per attempt. */
class PageReader implements BodyReader<void> {
  private readonly sql: SqlAnswerReader;
  private buffer: unknown[][] = [];
  private offset = 0;
  /** Columns of the doc's shape (objects), in order of first appearance. */
  private readonly names: string[] = [];
  private readonly index = new Map<string, number>();

  /** A page went to the consumer: a failure now is not retried (it would repeat those rows). */
  get passedOn(): boolean {
    return this.offset > 0;
  }

  constructor(
    private readonly pages: QueryPages,
    private readonly options: PagesOptions,
    maxValueBytes: number,
  ) {
    this.sql = new SqlAnswerReader({ maxRows: options.maxRows, maxValueBytes });
  }

  write(chunk: Uint8Array): boolean | Promise<boolean> {
    const enough = this.sql.write(chunk);
    this.collect();
    // A page goes once a row after it is known, so the last page is the one that says `truncated`.
    let pushed = false;
    if (!this.columnsKnown()) return enough;
    while (this.buffer.length > this.options.pageSize) {
      this.emit(this.buffer.slice(0, this.options.pageSize), false);
      this.buffer = this.buffer.slice(this.options.pageSize);
      pushed = true;
    }
    if (enough || !pushed) return enough;
    return this.pages.room().then(() => enough);
  }

  end(): void {
    this.sql.end();
    this.collect();
    const { pageSize } = this.options;
    while (this.buffer.length > pageSize) {
      this.emit(this.buffer.slice(0, pageSize), false);
      this.buffer = this.buffer.slice(pageSize);
    }
    // The last page, empty when the answer has no rows at all (it still says the columns).
    if (this.buffer.length > 0 || this.offset === 0) this.emit(this.buffer, this.sql.truncated);
    this.buffer = [];
  }

  private collect(): void {
    for (const row of this.sql.takeRows()) {
      if (Array.isArray(row)) this.buffer.push(row);
      else this.buffer.push(this.arrayOf(row as Record<string, unknown>));
    }
  }

  /**
   * False while a `{columns, rows}` answer has sent rows but not yet its columns (Domo sends them
   * first; another server may not): those rows wait, up to MAX_ROWS_BEFORE_COLUMNS.
   */
  private columnsKnown(): boolean {
    if (this.sql.answerShape !== 'columns' || this.sql.header()) return true;
    if (this.buffer.length > MAX_ROWS_BEFORE_COLUMNS) {
      throw new BodyReadError(
        `Domo's answer sent more than ${MAX_ROWS_BEFORE_COLUMNS} rows before naming its columns; it cannot be read as it arrives`,
      );
    }
    return false;
  }

  /** A row of the doc's shape in column order; a key first seen here adds a column. */
  private arrayOf(row: Record<string, unknown>): unknown[] {
    for (const key of Object.keys(row)) {
      if (!this.index.has(key)) {
        this.index.set(key, this.names.length);
        this.names.push(key);
      }
    }
    return this.names.map((name) => row[name] ?? null);
  }

  private emit(rows: unknown[][], truncated: boolean): void {
    const header = this.sql.header();
    const columns = header ? header.columns : [...this.names];
    const types = header ? header.types : columns.map(() => null);
    this.pages.push({ offset: this.offset, columns, types, rows, truncated });
    this.offset += rows.length;
  }
}
