/**
 * What the sandbox adds to DuckDB so Domo's MySQL-flavoured SQL means the same there:
 * - macros for MySQL functions DuckDB lacks (defined once at setup, `defineMysqlFunctions`), which the
 *   row compiler (src/rows) emits or which hand-written Domo SQL commonly uses;
 * - MySQL's reading of string literals (backslash escapes, NUL), for the SQL translator (sql.ts).
 * DuckDB already has, with MySQL's meaning for the arguments the compiler passes: LOWER, YEAR, MONTH,
 * QUARTER, MOD, IFNULL, COUNT(DISTINCT), LIKE … ESCAPE. It has DAYOFWEEK, WEEKDAY and DATEDIFF with
 * other meanings, which a macro cannot replace, and DATE_FORMAT only with a constant strftime
 * format (a macro cannot translate MySQL's specifiers into one): the compiler emits none of them.
 */

/** TO_DAYS(d): days since year 0, as MySQL counts them (MySQL's docs: TO_DAYS('1995-05-01') = 728779). */
const TO_DAYS = "CAST(CAST(d AS DATE) - DATE '1995-05-01' AS BIGINT) + 728779";

/**
 * The macros, by name, with their SQL, and the MySQL function each stands for. They carry a `mysql_`
 * prefix and the SQL translator (sql.ts) renames the MySQL call to them: DuckDB has functions of
 * the same names (`to_days(1)` is what its parser makes of `INTERVAL 1 DAY`), which a macro named
 * `to_days` would replace for every query.
 */
export const MYSQL_MACROS: ReadonlyArray<{
  mysql: string;
  name: string;
  params: string;
  body: string;
  doc: string;
}> = [
  {
    mysql: 'TO_DAYS',
    name: 'mysql_to_days',
    params: 'd',
    body: TO_DAYS,
    doc: 'TO_DAYS(date): day number since year 0.',
  },
  {
    mysql: 'FROM_DAYS',
    name: 'mysql_from_days',
    params: 'n',
    body: "DATE '1995-05-01' + CAST(n - 728779 AS INTEGER)",
    doc: 'FROM_DAYS(n): the date of a day number.',
  },
];

export const MYSQL_MACRO_NAMES: readonly string[] = MYSQL_MACROS.map((m) => m.name);

/** MySQL function name (upper case) → the sandbox macro that implements it. */
export const MYSQL_FUNCTION_RENAMES: ReadonlyMap<string, string> = new Map(
  MYSQL_MACROS.map((m) => [m.mysql, m.name]),
);

/** Runs the statements that define the macros (`CREATE OR REPLACE`: a persistent store keeps them). */
export async function defineMysqlFunctions(run: (sql: string) => Promise<unknown>): Promise<void> {
  for (const m of MYSQL_MACROS) await run(`CREATE OR REPLACE MACRO ${m.name}(${m.params}) AS ${m.body}`);
}

/**
 * The character a MySQL backslash escape in a string literal stands for (the character after the
 * backslash given). MySQL's table: \0 NUL, \b backspace, \n, \r, \t, \Z (Ctrl-Z); \% and \_ keep
 * their backslash (they matter only to LIKE); any other character stands for itself (\\ \' \").
 */
export function mysqlEscape(next: string): string {
  switch (next) {
    case '0':
      return '\0';
    case 'b':
      return '\b';
    case 'n':
      return '\n';
    case 'r':
      return '\r';
    case 't':
      return '\t';
    case 'Z':
      return '\x1a';
    case '%':
    case '_':
      return `\\${next}`;
    default:
      return next;
  }
}

/**
 * A DuckDB string literal for any string. DuckDB's parser ends a statement at a raw NUL, so NUL
 * characters are spliced in with chr(0).
 */
export function duckDbStringLiteral(value: string): string {
  const quote = (s: string) => `'${s.replaceAll("'", "''")}'`;
  if (!value.includes('\0')) return quote(value);
  return `(${value.split('\0').map(quote).join(' || chr(0) || ')})`;
}
