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
import type { Call } from './call.ts';
import { DomoError } from './errors.ts';
import { apiPath, type DomoRequest } from './http.ts';
import { type QueryPage, QueryPages } from './query-pages.ts';

/** Takes the next piece; a promise holds the next upstream read back until it settles. */
export type Sink<T> = (piece: T) => void | Promise<void>;

/** Rows of a SQL answer, in its column order: a page of query-pages.ts without its position. */
export type RowBatch = Pick<QueryPage, 'columns' | 'types' | 'rows'>;

/** Rows handed to the sink at a time (and the most held while the caller is slow, twice this). */
const EXPORT_PAGE_ROWS = 2_000;

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
   * A SQL answer's rows (`POST /api/query/v1/execute/:id`, either shape), handed on page by page as
   * they are parsed (query-pages.ts: the same reader as `@stream`, with its backpressure and abort).
   * Resolves with the columns and the row count once the answer ended whole.
   */
  async sqlRows(datasetId: string, sql: string, sink: Sink<RowBatch>) {
    const pages = new QueryPages(
      this.call,
      { method: 'POST', path: apiPath`/api/query/v1/execute/${datasetId}`, json: { sql }, idempotent: true },
      { maxRows: Number.POSITIVE_INFINITY, pageSize: EXPORT_PAGE_ROWS },
    );
    let columns: string[] = [];
    let rows = 0;
    try {
      for await (const page of pages) {
        if (rows > 0 && page.columns.length !== columns.length) {
          throw new DomoError({
            method: 'POST',
            path: '/api/query/v1/execute/:id',
            kind: 'upstream',
            status: 200,
            message: `a row of Domo's answer has a column the first rows did not have (${page.columns.at(-1)?.slice(0, 100)})`,
          });
        }
        columns = page.columns;
        rows += page.rows.length;
        if (page.rows.length > 0) await sink(page);
      }
    } finally {
      await pages.return();
    }
    return { columns, rows };
  }
}
