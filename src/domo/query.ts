/** SQL execution: `POST /api/query/v1/execute/:id`. */
import type { Call } from './call.ts';
import { unexpectedShape } from './call.ts';
import { apiPath, type DomoRequest } from './http.ts';
import { SqlAnswerReader } from './json-stream.ts';
import { type PagesOptions, QueryPages } from './query-pages.ts';
import type { DomoQueryColumnsResult, DomoQueryRowObjects } from './types.ts';

/** A query answer in one shape, whichever of Domo's two shapes came back. */
export interface QueryResult {
  columns: string[];
  /** Domo's column types when the answer carried them (the real-instance shape), else null. */
  types: Array<string | null>;
  rows: unknown[][];
}

/** A query answer as execute() returns it: at most `maxRows` rows. */
export interface QueryAnswer extends QueryResult {
  /** Domo had more rows than `maxRows`; the rest were never read. */
  truncated: boolean;
}

export interface ExecuteOptions {
  /**
   * Rows to keep (default: all). One more is read to know the answer was cut; then the upstream
   * response is aborted, so a huge answer costs only the rows kept.
   */
  maxRows?: number;
}

export class QueryApi {
  constructor(private readonly call: Call) {}

  /**
   * Runs SQL on one dataset. Accepts the API doc's array of row objects and the
   * `{columns, metadata, rows, numRows}` answer real instances send (DOMO-NOTES.md), read as it
   * arrives (json-stream.ts): memory grows with the rows kept, not the answer's size.
   */
  async execute(datasetId: string, sql: string, options: ExecuteOptions = {}): Promise<QueryAnswer> {
    const request: DomoRequest = {
      method: 'POST',
      path: apiPath`/api/query/v1/execute/${datasetId}`,
      json: { sql },
      idempotent: true,
      read: (maxValueBytes) => new SqlAnswerReader({ maxRows: options.maxRows, maxValueBytes }),
    };
    return this.call<QueryAnswer>(request);
  }

  /**
   * The same query's answer in pages of rows, read from Domo only as the pages are taken
   * (query-pages.ts): memory holds a few pages, whatever the answer's size. One upstream call,
   * retried only before its first page; return() aborts it.
   */
  pages(datasetId: string, sql: string, options: PagesOptions): QueryPages {
    return new QueryPages(
      this.call,
      { method: 'POST', path: apiPath`/api/query/v1/execute/${datasetId}`, json: { sql }, idempotent: true },
      options,
    );
  }
}

/** Reads a whole, already parsed answer; the streamed path (json-stream.ts) reads the same shapes. */
export function normalizeQueryResult(
  body: unknown,
  request: Pick<DomoRequest, 'method' | 'path'> = { method: 'POST', path: '/api/query/v1/execute' },
): QueryResult {
  if (Array.isArray(body)) {
    const columns: string[] = [];
    const seen = new Set<string>();
    for (const row of body) {
      if (!row || typeof row !== 'object' || Array.isArray(row))
        throw unexpectedShape(request, 'a row is not an object');
      for (const key of Object.keys(row)) {
        if (!seen.has(key)) {
          seen.add(key);
          columns.push(key);
        }
      }
    }
    const rows = (body as DomoQueryRowObjects).map((row) => columns.map((column) => row[column] ?? null));
    return { columns, types: columns.map(() => null), rows };
  }
  if (body && typeof body === 'object') {
    const result = body as Partial<DomoQueryColumnsResult>;
    if (Array.isArray(result.columns) && Array.isArray(result.rows)) {
      const types = result.columns.map((_, i) => {
        const type = result.metadata?.[i]?.type;
        return typeof type === 'string' ? type : null;
      });
      return { columns: result.columns.map(String), types, rows: result.rows };
    }
  }
  throw unexpectedShape(request, 'neither a list of rows nor {columns, rows}');
}
