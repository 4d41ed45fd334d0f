/**
 * The sandbox's state: one embedded DuckDB holding a table per dataset, plus a catalog of JSON
 * documents (dataset metadata, schemas, and whatever later domains keep: streams, cards, …).
 * The catalog lives in DuckDB too, so `SANDBOX_DB=path` keeps everything across restarts; reads are
 * served from an in-memory copy loaded at open.
 */
import { mkdir, mkdtemp, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import { type DuckDBConnection, DuckDBInstance, type DuckDBValue } from '@duckdb/node-api';
import type { DomoColumnType, DomoDataSource, DomoSchemaColumn } from '../domo/types.ts';
import { notFound } from './errors.ts';
import { allowedFunctions, confineFiles, ENGINE_OPTIONS, lockConfiguration } from './lockdown.ts';
import { GuardedQueries, type QueryOptions } from './query-exec.ts';

export type CatalogKind = string;

export interface DatasetSchema {
  columns: DomoSchemaColumn[];
}

const DUCK_TYPES: Record<DomoColumnType, string> = {
  STRING: 'VARCHAR',
  LONG: 'BIGINT',
  DOUBLE: 'DOUBLE',
  DECIMAL: 'DECIMAL(38,10)',
  DATE: 'DATE',
  DATETIME: 'TIMESTAMP',
};

export function duckType(type: string): string {
  const duck = DUCK_TYPES[type as DomoColumnType];
  if (!duck) throw new Error(`unknown Domo column type ${type}`);
  return duck;
}

/** Domo's type for a DuckDB result column. */
export function domoTypeOf(duckType: string): DomoColumnType {
  const t = duckType.toUpperCase();
  if (/^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT)$/.test(t))
    return 'LONG';
  if (t === 'DOUBLE' || t === 'FLOAT' || t === 'REAL') return 'DOUBLE';
  if (t.startsWith('DECIMAL')) return 'DECIMAL';
  if (t === 'DATE') return 'DATE';
  if (t.startsWith('TIMESTAMP')) return 'DATETIME';
  return 'STRING';
}

export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

export function tableName(datasetId: string): string {
  return quoteIdent(`ds_${datasetId}`);
}

export class SandboxStore {
  private readonly catalog = new Map<CatalogKind, Map<string, unknown>>();
  private writeQueue: Promise<unknown> = Promise.resolve();
  private functions: ReadonlySet<string> = new Set();
  private readonly queries: GuardedQueries;

  private constructor(
    readonly db: DuckDBInstance,
    private readonly conn: DuckDBConnection,
    readonly persistent: boolean,
    /** The only directory DuckDB may read or write (upload parts, spill files); removed at close. */
    readonly fileRoot: string,
  ) {
    this.queries = new GuardedQueries(
      db,
      () => this.functions,
      () => this.readFunctions(),
    );
  }

  /**
   * Opens the database with extensions off and file access confined to a private temp directory
   * (lockdown.ts). `lockDown()` must follow once setup is done.
   */
  static async open(path: string | null): Promise<SandboxStore> {
    const fileRoot = await realpath(await mkdtemp(join(tmpdir(), 'domo-sandbox-')));
    const spill = join(fileRoot, 'spill');
    await mkdir(spill);
    const db = await DuckDBInstance.create(path ?? ':memory:', ENGINE_OPTIONS);
    const conn = await db.connect();
    await confineFiles(conn, fileRoot + sep, spill);
    await conn.run(
      'CREATE TABLE IF NOT EXISTS _domo_catalog (kind VARCHAR, id VARCHAR, doc VARCHAR, PRIMARY KEY (kind, id))',
    );
    const store = new SandboxStore(db, conn, path !== null, fileRoot);
    const rows = (await conn.runAndReadAll('SELECT kind, id, doc FROM _domo_catalog')).getRows();
    for (const [kind, id, doc] of rows) store.bucket(String(kind)).set(String(id), JSON.parse(String(doc)));
    return store;
  }

  /**
   * Ends setup: reads the function allow-list (built-ins and the macros defined so far) and locks
   * DuckDB's configuration. Callers' queries are refused until then.
   */
  async lockDown(): Promise<void> {
    await this.readFunctions();
    await this.serial(() => lockConfiguration(this.conn));
  }

  private async readFunctions(): Promise<void> {
    this.functions = await this.serial(() => allowedFunctions(this.conn));
  }

  /** Runs a caller's SQL, checked and under a deadline, as a stream of chunks (query-exec.ts). */
  query(sql: string, options: QueryOptions) {
    if (this.functions.size === 0) throw new Error('the sandbox store is not locked down yet');
    return this.queries.open(sql, options);
  }

  /** Callers' queries running now. */
  get runningQueries(): number {
    return this.queries.size;
  }

  /** Interrupts running queries, waits for the writes in progress, and closes the database. */
  async close(): Promise<void> {
    await this.queries.close();
    await this.writeQueue.catch(() => undefined);
    this.conn.closeSync();
    this.db.closeSync();
    await rm(this.fileRoot, { recursive: true, force: true });
  }

  /** A connection of its own, for work that runs beside the shared one (long queries, uploads). */
  connect(): Promise<DuckDBConnection> {
    return this.db.connect();
  }

  /** Runs SQL on the shared connection, one statement at a time. */
  async run(sql: string, params?: DuckDBValue[]) {
    return this.serial(() => this.conn.runAndReadAll(sql, params));
  }

  /** Serialises catalog and table writes so concurrent requests see each other's changes in order. */
  serial<T>(work: () => Promise<T>): Promise<T> {
    const next = this.writeQueue.then(work, work);
    this.writeQueue = next.catch(() => undefined);
    return next;
  }

  private bucket(kind: CatalogKind): Map<string, unknown> {
    let bucket = this.catalog.get(kind);
    if (!bucket) {
      bucket = new Map();
      this.catalog.set(kind, bucket);
    }
    return bucket;
  }

  getDoc<T>(kind: CatalogKind, id: string): T | undefined {
    return this.bucket(kind).get(id) as T | undefined;
  }

  listDocs<T>(kind: CatalogKind): T[] {
    return [...this.bucket(kind).values()] as T[];
  }

  async putDoc<T>(kind: CatalogKind, id: string, doc: T): Promise<T> {
    this.bucket(kind).set(id, doc);
    await this.run('INSERT OR REPLACE INTO _domo_catalog VALUES (?, ?, ?)', [kind, id, JSON.stringify(doc)]);
    return doc;
  }

  async deleteDoc(kind: CatalogKind, id: string): Promise<void> {
    this.bucket(kind).delete(id);
    await this.run('DELETE FROM _domo_catalog WHERE kind = ? AND id = ?', [kind, id]);
  }

  // --- datasets -------------------------------------------------------------------------------

  dataset(id: string): DomoDataSource {
    const dataset = this.getDoc<DomoDataSource>('dataset', id);
    if (!dataset) throw notFound(`DataSource ${id} not found`);
    return dataset;
  }

  hasDataset(id: string): boolean {
    return this.getDoc('dataset', id) !== undefined;
  }

  schema(id: string): DatasetSchema {
    return this.getDoc<DatasetSchema>('schema', id) ?? { columns: [] };
  }

  /** Creates the dataset's table and catalog entries. */
  async createDataset(dataset: DomoDataSource, columns: DomoSchemaColumn[]): Promise<DomoDataSource> {
    const ddl = columns.map((c) => `${quoteIdent(c.name)} ${duckType(c.type)}`).join(', ');
    await this.run(`CREATE OR REPLACE TABLE ${tableName(dataset.id)} (${ddl})`);
    await this.putDoc<DatasetSchema>('schema', dataset.id, { columns: normalizeColumns(columns) });
    return this.putDoc('dataset', dataset.id, { ...dataset, columnCount: columns.length, rowCount: 0 });
  }

  /** Re-reads the row count from the table into the dataset's metadata, and touches it. */
  async refreshCounts(id: string, now = Date.now()): Promise<DomoDataSource> {
    const dataset = this.dataset(id);
    const count = (await this.run(`SELECT count(*) FROM ${tableName(id)}`)).getRows()[0]?.[0];
    return this.putDoc('dataset', id, {
      ...dataset,
      rowCount: Number(count ?? 0),
      columnCount: this.schema(id).columns.length,
      lastTouched: now,
      lastUpdated: now,
    });
  }
}

export function normalizeColumns(columns: DomoSchemaColumn[]): DomoSchemaColumn[] {
  return columns.map((c, order) => ({
    name: c.name,
    id: c.id ?? c.name,
    type: c.type,
    visible: c.visible ?? true,
    order: c.order ?? order,
    ...(c.metadata ? { metadata: c.metadata } : {}),
  }));
}
