/**
 * Hostile SQL for the sandbox's query endpoint, each naming what it tries. `dir` is a temp directory
 * holding `canary.txt`; every path a statement would write to is inside it, so a test can assert
 * the directory still holds only the canary.
 */
export interface HostileCase {
  name: string;
  sql: string;
}

/** As a caller sends them: Domo's MySQL-flavoured SQL, through sql.ts and then DuckDB's parser. */
export function hostileQueries(dir: string, otherId: string): HostileCase[] {
  const canary = `${dir}/canary.txt`;
  const rt = `read_text('${canary}')`;
  return [
    // Comment terminators: whatever follows the end of a comment is code to DuckDB.
    { name: 'line comment ended by \\r', sql: `SELECT * FROM t -- c\r, ${rt}` },
    { name: 'line comment ended by \\r\\n', sql: `SELECT * FROM t -- c\r\n, ${rt}` },
    { name: 'line comment ended by \\n', sql: `SELECT * FROM t -- c\n, read_csv('${canary}')` },
    { name: 'block comment', sql: `SELECT * FROM t /* c */, ${rt}` },
    { name: 'nested block comment', sql: `SELECT * FROM t /* a /* b */ c */, ${rt}` },
    { name: 'nested comment closed once', sql: `SELECT 1 /* a /* b */ FROM t, ${rt}` },
    { name: 'statement after \\r comment', sql: `SELECT 1 FROM t --\r; COPY t TO '${dir}/r.csv'` },
    // Table functions, quoted or not, in every table position.
    { name: 'read_text', sql: `SELECT * FROM ${rt}` },
    { name: 'quoted read_text', sql: `SELECT * FROM "read_text"('${canary}')` },
    { name: 'backticked read_text', sql: `SELECT * FROM \`read_text\`('${canary}')` },
    { name: 'read_csv_auto upper case', sql: `SELECT * FROM READ_CSV_AUTO('${canary}')` },
    { name: 'read_blob in a join', sql: `SELECT * FROM t JOIN read_blob('${canary}') b ON true` },
    { name: 'lateral table function', sql: `SELECT * FROM t, LATERAL ${rt}` },
    { name: 'table function in a scalar subquery', sql: `SELECT (SELECT content FROM ${rt}) FROM t` },
    { name: 'table function after UNION', sql: `SELECT 'x' FROM t UNION ALL SELECT content FROM ${rt}` },
    { name: 'glob', sql: `SELECT * FROM glob('${dir}/*')` },
    { name: 'read_parquet', sql: `SELECT * FROM read_parquet('${dir}/x.parquet')` },
    { name: 'query()', sql: "SELECT * FROM query('SELECT * FROM _domo_catalog')" },
    { name: 'query_table()', sql: "SELECT * FROM query_table('_domo_catalog')" },
    { name: 'file path as a string table', sql: `SELECT * FROM '${canary}'` },
    { name: 'file path as a quoted table', sql: `SELECT * FROM "${canary}"` },
    { name: 'file path as a backticked table', sql: `SELECT * FROM \`${canary}\`` },
    // CTE and subquery scoping.
    {
      name: 'CTE name from another scope hiding a path',
      sql: `SELECT * FROM (WITH "${canary}" AS (SELECT 1) SELECT 1) a, "${canary}"`,
    },
    {
      name: 'CTE shadowing another dataset and reading it',
      sql: `WITH ds_${otherId} AS (SELECT * FROM ds_${otherId}) SELECT * FROM ds_${otherId}`,
    },
    {
      name: 'CTE reading the catalog under its own name',
      sql: 'WITH _domo_catalog AS (SELECT * FROM _domo_catalog) SELECT * FROM _domo_catalog',
    },
    {
      name: 'recursive CTE whose anchor reads the catalog',
      sql: 'WITH RECURSIVE _domo_catalog AS (SELECT * FROM _domo_catalog UNION ALL SELECT * FROM _domo_catalog) SELECT 1 FROM t',
    },
    { name: 'CTE forward reference', sql: 'WITH a AS (SELECT * FROM b), b AS (SELECT 1) SELECT * FROM a' },
    // Functions that reach settings, variables, sequences, the log.
    { name: 'current_setting', sql: "SELECT current_setting('enable_external_access') FROM t" },
    { name: 'quoted current_setting', sql: `SELECT "current_setting"('threads') FROM t` },
    { name: 'backticked current_setting', sql: "SELECT `current_setting`('threads') FROM t" },
    { name: 'schema-qualified current_setting', sql: "SELECT main.current_setting('threads') FROM t" },
    { name: 'getvariable', sql: "SELECT getvariable('x') FROM t" },
    { name: 'quoted getvariable (past the tokenizer)', sql: `SELECT "getvariable"('x') FROM t` },
    { name: 'backticked nextval in WHERE', sql: "SELECT 1 FROM t WHERE `nextval`('s') > 0" },
    {
      name: 'quoted table function in a subquery',
      sql: `SELECT * FROM t WHERE region IN (SELECT * FROM "glob"('${dir}/*'))`,
    },
    { name: 'nextval', sql: "SELECT nextval('s') FROM t" },
    { name: 'write_log', sql: "SELECT write_log('x') FROM t" },
    { name: 'pg_catalog macro', sql: 'SELECT pg_catalog.pg_sleep(1) FROM t' },
    { name: 'sleep_ms', sql: 'SELECT sleep_ms(100000) FROM t' },
    // Statements other than SELECT.
    { name: 'COPY TO', sql: `COPY (SELECT 1) TO '${dir}/copy.csv'` },
    { name: 'COPY after a SELECT', sql: `SELECT 1 FROM t; COPY t TO '${dir}/copy2.csv'` },
    { name: 'COPY FROM', sql: `COPY t FROM '${canary}'` },
    { name: 'ATTACH', sql: `ATTACH '${dir}/attached.db' AS x` },
    { name: 'ATTACH in parentheses', sql: `(SELECT 1 FROM t); ATTACH '${dir}/a2.db'` },
    { name: 'DETACH', sql: 'DETACH x' },
    { name: 'INSTALL', sql: 'INSTALL httpfs' },
    { name: 'LOAD', sql: 'LOAD httpfs' },
    { name: 'PRAGMA', sql: 'PRAGMA database_list' },
    { name: 'SET', sql: 'SET enable_external_access = true' },
    { name: 'SET lock', sql: 'SET lock_configuration = false' },
    { name: 'CALL', sql: 'CALL pragma_version()' },
    { name: 'EXPORT DATABASE', sql: `EXPORT DATABASE '${dir}/export'` },
    { name: 'IMPORT DATABASE', sql: `IMPORT DATABASE '${dir}'` },
    { name: 'CREATE TABLE', sql: 'CREATE TABLE x AS SELECT 1' },
    { name: 'CREATE MACRO', sql: 'CREATE MACRO m() AS 1' },
    { name: 'DROP', sql: 'DROP TABLE _domo_catalog' },
    { name: 'DELETE', sql: 'DELETE FROM t' },
    { name: 'UPDATE', sql: 'UPDATE t SET region = 1' },
    { name: 'INSERT', sql: 'INSERT INTO t VALUES (1)' },
    { name: 'DELETE after WITH', sql: 'WITH x AS (SELECT 1) DELETE FROM t' },
    { name: 'CHECKPOINT', sql: 'CHECKPOINT' },
    { name: 'VACUUM', sql: 'VACUUM' },
    { name: 'USE', sql: 'USE system' },
    { name: 'DESCRIBE', sql: 'DESCRIBE t' },
    { name: 'FROM-first', sql: `FROM ${rt}` },
    { name: 'two SELECTs', sql: 'SELECT 1 FROM t; SELECT 2 FROM t' },
    // Catalogs and other datasets' tables.
    { name: 'information_schema', sql: 'SELECT * FROM information_schema.tables' },
    { name: 'duckdb_tables()', sql: 'SELECT * FROM duckdb_tables()' },
    { name: 'duckdb_settings view', sql: 'SELECT * FROM duckdb_settings' },
    { name: 'pg_catalog', sql: 'SELECT * FROM pg_catalog.pg_class' },
    { name: 'sqlite_master', sql: 'SELECT * FROM sqlite_master' },
    { name: 'the sandbox catalog', sql: 'SELECT * FROM _domo_catalog' },
    { name: 'the catalog in a subquery', sql: 'SELECT * FROM t WHERE 1 IN (SELECT 1 FROM _domo_catalog)' },
    { name: "another dataset's table", sql: `SELECT * FROM ds_${otherId}` },
    { name: "another dataset's table quoted", sql: `SELECT * FROM "ds_${otherId}"` },
    { name: "another dataset's partition table", sql: `SELECT * FROM "ds_${otherId}__p_0123456789abcdef"` },
    { name: 'another dataset by id', sql: `SELECT * FROM \`${otherId}\`` },
    { name: 'TABLE subquery', sql: 'SELECT * FROM (TABLE _domo_catalog)' },
    { name: 'SUMMARIZE subquery', sql: 'SELECT * FROM (SUMMARIZE t)' },
    { name: 'SHOW subquery', sql: 'SELECT * FROM (SHOW TABLES)' },
    { name: 'PIVOT subquery', sql: 'SELECT * FROM (PIVOT t ON region USING count(*))' },
    // Lexical tricks.
    { name: 'dollar-quoted string', sql: `SELECT $$x$$ FROM ${rt}` },
    { name: 'E-string escape', sql: `SELECT E'\\\\'' FROM t, ${rt} --' FROM t` },
    { name: 'parameter', sql: 'SELECT * FROM t WHERE region = ?' },
    { name: 'time travel', sql: 'SELECT * FROM t AT (VERSION => 1)' },
  ];
}

/** In DuckDB's own dialect, for the parse-tree guard alone (sql.ts skipped): `ds_x` is the dataset. */
export function hostileDuckDb(dir: string, otherTable: string): HostileCase[] {
  const canary = `${dir}/canary.txt`;
  return [
    { name: 'read_text', sql: `SELECT * FROM read_text('${canary}')` },
    { name: 'string table (replacement scan)', sql: `SELECT * FROM '${canary}'` },
    { name: 'quoted path table', sql: `SELECT * FROM "${canary}"` },
    { name: 'quoted function', sql: `SELECT "current_setting"('threads')` },
    { name: 'qualified function', sql: "SELECT system.main.current_setting('threads')" },
    { name: 'catalog table', sql: 'SELECT * FROM _domo_catalog' },
    { name: 'other dataset', sql: `SELECT * FROM "${otherTable}"` },
    { name: 'CTE self-shadow', sql: `WITH "${otherTable}" AS (SELECT * FROM "${otherTable}") SELECT 1` },
    { name: 'CTE out of scope', sql: 'SELECT * FROM (WITH x AS (SELECT 1) SELECT 1) a, x' },
    { name: 'information_schema', sql: 'SELECT * FROM information_schema.tables' },
    { name: 'duckdb_tables view', sql: 'SELECT * FROM duckdb_tables' },
    { name: 'qualified own table', sql: 'SELECT * FROM memory.main.ds_x' },
    { name: 'summarize', sql: 'SELECT * FROM (SUMMARIZE ds_x)' },
    { name: 'two statements', sql: 'SELECT 1; SELECT 2' },
    { name: 'COPY', sql: `COPY (SELECT 1) TO '${dir}/guard.csv'` },
    { name: 'ATTACH', sql: `ATTACH '${dir}/guard.db'` },
    { name: 'PRAGMA', sql: 'PRAGMA version' },
    { name: 'SET', sql: 'SET threads = 1' },
    { name: '\\r comment', sql: `SELECT 1 FROM ds_x -- c\r, read_text('${canary}')` },
    { name: 'dollar string', sql: `SELECT $$a$$ || content FROM read_text('${canary}')` },
    { name: 'time travel', sql: 'SELECT * FROM ds_x AT (VERSION => 1)' },
    { name: 'table macro', sql: 'SELECT * FROM histogram(ds_x, region)' },
    { name: 'getvariable', sql: "SELECT getvariable('x')" },
  ];
}
