/**
 * Runs a caller's SQL on a connection of its own, after DuckDB's parser has vouched for it
 * (sql-guard.ts), under a deadline; the engine is interrupted when the deadline passes, when the
 * caller goes away, or when the sandbox closes, so no query outlives its reason to run.
 */
import {
  type DuckDBConnection,
  type DuckDBDataChunk,
  type DuckDBInstance,
  type DuckDBPreparedStatement,
  type DuckDBType,
  StatementType,
} from '@duckdb/node-api';
import { badRequest, SandboxError } from './errors.ts';
import { checkSerializedQuery, UnlistedFunctionError, wrapsStatement } from './sql-guard.ts';

export interface QueryOptions {
  /** The dataset's table, unquoted (`ds_<id>`): the only table the query may read. */
  table: string;
  /** Milliseconds before the engine is interrupted. */
  timeoutMs: number;
  /** Aborted when the caller disconnects. */
  signal?: AbortSignal;
  /**
   * A select list to run over the statement's answer instead of the answer itself (its columns read
   * as c0, c1, … in order), or null to run the statement as it is. The wrapped statement runs only
   * when DuckDB parses it as exactly the checked statement inside (`wrapsStatement`) and it passes
   * the guard whole; otherwise the statement runs unwrapped.
   */
  project?: (names: string[], types: DuckDBType[]) => string | null;
}

/**
 * A query's answer read chunk by chunk (about 2,048 rows each) while DuckDB produces it, so no
 * whole result is held. The deadline, the disconnect interrupt and close() stay armed until
 * `close()`, which the reader must call (in a finally) once it has read enough.
 */
export interface QueryStream {
  /** The statement's own columns, projected or not. */
  readonly columnNames: string[];
  readonly columnTypes: DuckDBType[];
  /** Whether the chunks hold the `project` select list's columns rather than the statement's. */
  readonly projected: boolean;
  /** The next chunk, or null at the end; a stopped or failed query rejects with its SandboxError. */
  next(): Promise<DuckDBDataChunk | null>;
  close(): void;
}

type StopReason = 'timeout' | 'disconnected' | 'shutdown';

interface Running {
  stop(reason: StopReason): void;
  /** Settles once the query has closed its connection. */
  done: Promise<void>;
}

/** How often a stop is repeated until the query settles (an interrupt between two steps is lost). */
const REPEAT_INTERRUPT_MS = 50;

export class GuardedQueries {
  private readonly running = new Set<Running>();
  private closing = false;

  constructor(
    private readonly db: DuckDBInstance,
    private readonly functions: () => ReadonlySet<string>,
    /** Re-reads the allow-list (a macro the sandbox defined after lockDown, say). */
    private readonly refreshFunctions: () => Promise<void>,
  ) {}

  async open(sql: string, options: QueryOptions): Promise<QueryStream> {
    if (this.closing) throw new SandboxError(503, 'the sandbox is shutting down');
    let conn: DuckDBConnection | undefined;
    let prepared: DuckDBPreparedStatement | undefined;
    let projection: DuckDBPreparedStatement | undefined;
    let reason: StopReason | undefined;
    let repeat: NodeJS.Timeout | undefined;
    const stop = (why: StopReason) => {
      if (reason) return;
      reason = why;
      conn?.interrupt();
      repeat = setInterval(() => conn?.interrupt(), REPEAT_INTERRUPT_MS);
    };
    const check = () => {
      if (reason) throw stopped(reason, options.timeoutMs);
    };
    const failed = (error: unknown): SandboxError => {
      check();
      if (error instanceof SandboxError) return error;
      return badRequest(`SQL error: ${(error as Error).message}`);
    };
    let released!: () => void;
    const entry: Running = { stop, done: new Promise<void>((resolve) => (released = resolve)) };
    // Registered before the first await, so close() never misses a query that is starting.
    this.running.add(entry);
    const deadline = setTimeout(() => stop('timeout'), options.timeoutMs);
    const onAbort = () => stop('disconnected');
    options.signal?.addEventListener('abort', onAbort, { once: true });
    if (options.signal?.aborted) stop('disconnected');
    let closed = false;
    const close = () => {
      if (closed) return;
      closed = true;
      clearTimeout(deadline);
      clearInterval(repeat);
      options.signal?.removeEventListener('abort', onAbort);
      this.running.delete(entry);
      // The statement lives as long as its streaming result does.
      projection?.destroySync();
      prepared?.destroySync();
      conn?.closeSync();
      released();
    };
    try {
      conn = await this.db.connect();
      check();
      const checked = await conn.runAndReadAll('SELECT json_serialize_sql(CAST($1 AS VARCHAR))', [sql]);
      const tree = String(checked.getRows()[0]?.[0]);
      const rules = () => ({ table: options.table, functions: this.functions() });
      const guard = () => checkSerializedQuery(tree, rules());
      try {
        guard();
      } catch (error) {
        // Only the sandbox can define functions (a query cannot), so a name missing from the list
        // may be one it defined since: read the catalogue again, once, and check again.
        if (!(error instanceof UnlistedFunctionError)) throw error;
        await this.refreshFunctions();
        guard();
      }
      check();
      prepared = await conn.prepare(sql);
      if (prepared.statementType !== StatementType.SELECT || prepared.parameterCount !== 0) {
        throw badRequest('only SELECT statements are supported');
      }
      check();
      const names = Array.from({ length: prepared.columnCount }, (_, i) => prepared!.columnName(i));
      const types = Array.from({ length: prepared.columnCount }, (_, i) => prepared!.columnType(i));
      const list = options.project?.(names, types);
      if (list) projection = await wrap(conn, sql, tree, list, names.length, rules());
      check();
      // The very statement the guard vouched for (alone or inside the projection), as DuckDB's
      // streaming result.
      const result = await (projection ?? prepared).stream();
      check();
      return {
        columnNames: names,
        columnTypes: types,
        projected: projection !== undefined,
        next: async () => {
          try {
            check();
            const chunk = await result.fetchChunk();
            check();
            return chunk && chunk.rowCount > 0 ? chunk : null;
          } catch (error) {
            throw failed(error);
          }
        },
        close,
      };
    } catch (error) {
      close();
      throw failed(error);
    }
  }

  /** Queries running now (tests wait on it to see an interrupt land). */
  get size(): number {
    return this.running.size;
  }

  /** Interrupts every running query and waits until each has let go of its connection. */
  async close(): Promise<void> {
    this.closing = true;
    const all = [...this.running];
    for (const query of all) query.stop('shutdown');
    await Promise.all(all.map((query) => query.done));
  }
}

/**
 * `SELECT list FROM (sql) AS _q(c0, …)` prepared, when DuckDB reads the checked statement inside it
 * unchanged and the whole passes the guard; undefined otherwise (the caller runs `sql` alone).
 */
async function wrap(
  conn: DuckDBConnection,
  sql: string,
  tree: string,
  list: string,
  columns: number,
  rules: Parameters<typeof checkSerializedQuery>[1],
): Promise<DuckDBPreparedStatement | undefined> {
  const aliases = Array.from({ length: columns }, (_, i) => `c${i}`).join(', ');
  // A trailing semicolon ends a statement but cannot end a subquery; line breaks end a comment.
  const wrapped = `SELECT ${list} FROM (\n${sql.replace(/[\s;]+$/, '')}\n) AS _q(${aliases})`;
  let prepared: DuckDBPreparedStatement | undefined;
  try {
    const serialized = await conn.runAndReadAll('SELECT json_serialize_sql(CAST($1 AS VARCHAR))', [wrapped]);
    const outer = String(serialized.getRows()[0]?.[0]);
    if (!wrapsStatement(outer, tree)) return undefined;
    checkSerializedQuery(outer, rules);
    prepared = await conn.prepare(wrapped);
    if (prepared.statementType !== StatementType.SELECT || prepared.parameterCount !== 0) throw new Error();
    return prepared;
  } catch {
    prepared?.destroySync();
    return undefined;
  }
}

function stopped(reason: StopReason, timeoutMs: number): SandboxError {
  if (reason === 'timeout') {
    return new SandboxError(408, `the query ran longer than ${timeoutMs} ms and was cancelled`);
  }
  if (reason === 'shutdown')
    return new SandboxError(503, 'the sandbox is shutting down; the query was cancelled');
  return badRequest('the query was cancelled: the client disconnected');
}
