/** SQL execution: `POST /api/query/v1/execute/:id`. */
import type { Call } from './call.ts';
import { unexpectedShape } from './call.ts';
import { apiPath, type DomoRequest } from './http.ts';
import type { DomoQueryColumnsResult, DomoQueryRowObjects } from './types.ts';

/** A query answer in one shape, whichever of Domo's two shapes came back. */
export interface QueryResult {
  columns: string[];
  /** Domo's column types when the answer carried them (the real-instance shape), else null. */
  types: Array<string | null>;
  rows: unknown[][];
}

export class QueryApi {
  constructor(private readonly call: Call) {}

  /**
   * Runs SQL on one dataset. Accepts the API doc's array of row objects and the
   * `{columns, metadata, rows, numRows}` answer real instances send (DOMO-NOTES.md).
   */
  async execute(datasetId: string, sql: string): Promise<QueryResult> {
    const request: DomoRequest = {
      method: 'POST',
      path: apiPath`/api/query/v1/execute/${datasetId}`,
      json: { sql },
      idempotent: true,
    };
    const body = await this.call<DomoQueryRowObjects | DomoQueryColumnsResult>(request);
    return normalizeQueryResult(body, request);
  }
}

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
