/**
 * DuckDB's own guards for the sandbox, whatever a query's text slips past sql.ts and sql-guard.ts:
 * - at creation: no extension is installed or loaded on demand, no community or unsigned extension;
 * - before any data work: files only inside the sandbox's private directory (upload parts, spill
 *   files), then `enable_external_access = false`;
 * - after setup: `lock_configuration = true`, so no statement can turn any of this back.
 * The function allow-list is read from DuckDB's catalogue at the same moment, so macros the sandbox
 * defines during setup (MySQL functions) are callable and nothing a query could define is.
 */
import type { DuckDBConnection } from '@duckdb/node-api';

/** Options for `DuckDBInstance.create`, set before the database is opened. */
export const ENGINE_OPTIONS: Record<string, string> = {
  autoinstall_known_extensions: 'false',
  autoload_known_extensions: 'false',
  allow_community_extensions: 'false',
  allow_unsigned_extensions: 'false',
  allow_persistent_secrets: 'false',
};

function sqlString(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/** Confines file access to `dir` (which must end with a path separator) and turns external access off. */
export async function confineFiles(conn: DuckDBConnection, dir: string, spillDir: string): Promise<void> {
  await conn.run(`SET allowed_directories = [${sqlString(dir)}]`);
  await conn.run(`SET temp_directory = ${sqlString(spillDir)}`);
  await conn.run('SET enable_external_access = false');
}

/** Locks every setting; nothing after this can change them, the sandbox included. */
export async function lockConfiguration(conn: DuckDBConnection): Promise<void> {
  await conn.run('SET lock_configuration = true');
}

/**
 * Scalar and aggregate functions that reach beyond the dataset: settings, variables, the
 * environment, sequences, the log, sessions and catalogs, SQL-in-SQL, sleeping.
 */
const DENIED_FUNCTIONS = new Set([
  'current_setting',
  'getenv',
  'getvariable',
  'nextval',
  'currval',
  'setseed',
  'write_log',
  'sleep_ms',
  'pg_sleep',
  'json_serialize_sql',
  'json_deserialize_sql',
  'json_serialize_plan',
  'json_execute_serialized_sql',
  'current_query',
  'current_query_id',
  'current_connection_id',
  'current_transaction_id',
  'txid_current',
  'current_database',
  'current_catalog',
  'current_schema',
  'current_schemas',
  'current_role',
  'current_user',
  'session_user',
  'user',
  'in_search_path',
  'get_block_size',
]);
/** Families refused by name, should a later DuckDB add scalar members to them. */
const DENIED_PATTERN =
  /^(duckdb_|pragma_|read_|glob|sniff_|parquet_|iceberg_|delta_|which_secret|load_|install_|checkpoint|force_checkpoint|query)/;

/** Whether a function name may be called by a query, given it is in the catalogue. */
export function deniedFunction(name: string): boolean {
  const lower = name.toLowerCase();
  return DENIED_FUNCTIONS.has(lower) || DENIED_PATTERN.test(lower);
}

/**
 * Names of the scalar, aggregate (window functions among them) and scalar-macro functions in the
 * `main` schema, built in or created by the sandbox, minus the denied ones. Table functions, table
 * macros, pragmas and pg_catalog's macros are never on it.
 */
export async function allowedFunctions(conn: DuckDBConnection): Promise<Set<string>> {
  const reader = await conn.runAndReadAll(
    `SELECT DISTINCT lower(function_name) FROM duckdb_functions()
     WHERE schema_name = 'main' AND function_type IN ('scalar', 'aggregate', 'macro')`,
  );
  // UNNEST in a select list is the binder's own, not a catalogue scalar (in FROM it is a table
  // function, which sql-guard.ts refuses by position).
  const names = new Set<string>(['unnest', 'unlist']);
  for (const [name] of reader.getRows()) {
    const text = String(name);
    if (!deniedFunction(text)) names.add(text);
  }
  return names;
}
