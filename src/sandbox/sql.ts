/**
 * Domo's SQL, as the query endpoint takes it, turned into DuckDB SQL for one dataset:
 * - the table name is free: every table after FROM or JOIN names the dataset (CTE names excepted);
 * - backtick identifiers (MySQL style) become double-quoted ones;
 * - only one read statement (SELECT or WITH … SELECT) is taken, with no table function, no string
 *   as a table, and none of DuckDB's statement-like subqueries (TABLE, SUMMARIZE, SHOW, PIVOT, …),
 *   so a query cannot reach files, settings or other tables;
 * - comments are read as DuckDB reads them and sent as a space, so the two never disagree on them.
 * This is the first layer only: query-exec.ts then checks DuckDB's own parse tree (sql-guard.ts),
 * and DuckDB itself has file access and extensions off (lockdown.ts).
 */
import { badRequest } from './errors.ts';
import { MYSQL_FUNCTION_RENAMES } from './mysql-functions.ts';
import { identKey, type Token, tokenize } from './sql-tokens.ts';

export { tokenize };

/** Functions whose parentheses may hold FROM without naming a table. */
const FROM_INSIDE = new Set(['EXTRACT', 'TRIM', 'SUBSTRING', 'POSITION', 'OVERLAY']);
const NOT_A_TABLE = new Set(['SELECT', 'VALUES', 'UNNEST']);
/** Words that end a FROM clause at its own depth (after them, a comma no longer introduces a table). */
const CLAUSE_END = new Set([
  'WHERE',
  'GROUP',
  'HAVING',
  'ORDER',
  'LIMIT',
  'OFFSET',
  'UNION',
  'INTERSECT',
  'EXCEPT',
  'WINDOW',
  'QUALIFY',
  'SELECT',
  'RETURNING',
]);
/**
 * Words that would let a query change data or read another table without a FROM the translation
 * sees: DuckDB takes `(TABLE t)`, `(SUMMARIZE t)`, `(SHOW TABLES)`, `(PIVOT t ON …)` as subqueries and
 * `WITH … DELETE` as a statement. A column with one of these names needs backticks.
 */
const REFUSED_WORDS = new Set([
  'TABLE',
  'SUMMARIZE',
  'DESCRIBE',
  'SHOW',
  'PIVOT',
  'PIVOT_WIDER',
  'PIVOT_LONGER',
  'UNPIVOT',
  'INSERT',
  'UPDATE',
  'DELETE',
  'MERGE',
  'CREATE',
  'DROP',
  'ALTER',
  'COPY',
  'ATTACH',
  'DETACH',
  'PRAGMA',
  'INSTALL',
  'LOAD',
  'EXPORT',
  'IMPORT',
  'CALL',
  'CHECKPOINT',
  'VACUUM',
  'TRUNCATE',
]);
/** Functions that reach files, settings, the environment or the catalog. */
const REFUSED_FUNCTION =
  /^(READ_\w+|GLOB|PARQUET_\w+|SNIFF_CSV|QUERY_TABLE|QUERY|GETENV|ICEBERG_\w+|DELTA_SCAN|DUCKDB_\w+|PRAGMA_\w+|WHICH_SECRET|CURRENT_SETTING)$/;

/**
 * @param table the dataset's table, quoted (`"ds_<id>"`)
 * @param isOtherDataset whether a table name is the id of another dataset (refused, not rewritten)
 */
export function toDuckDbSql(
  sql: string,
  table: string,
  isOtherDataset: (name: string) => boolean = () => false,
): string {
  const ownKey = table.slice(1, -1).replaceAll('""', '"').toLowerCase();
  const tokens = tokenize(sql);
  const significant = tokens.filter((t) => t.kind !== 'space' && t.kind !== 'comment');
  if (significant.length === 0) throw badRequest('the SQL statement is empty');

  const semicolon = significant.findIndex((t) => t.text === ';');
  if (semicolon >= 0 && semicolon !== significant.length - 1) {
    throw badRequest('only one SQL statement may be sent');
  }
  const first = significant.find((t) => t.text !== '(')?.text.toUpperCase();
  if (first !== 'SELECT' && first !== 'WITH') throw badRequest('only SELECT statements are supported');

  const cteNames = new Set<string>();
  for (let k = 0; k < significant.length; k++) {
    const t = significant[k]!;
    const prev = significant[k - 1]?.text.toUpperCase();
    if (
      (t.kind !== 'word' && t.kind !== 'quoted') ||
      (prev !== 'WITH' && prev !== ',' && prev !== 'RECURSIVE')
    )
      continue;
    // `name AS (` or, with a column list, `name (a, b) AS (`.
    let as = k + 1;
    if (significant[as]?.text === '(') {
      // Bounded, so a text full of `, x (` costs linear time.
      while (as < significant.length && as - k < 2_000 && significant[as]!.text !== ')') as++;
      as++;
    }
    if (significant[as]?.text.toUpperCase() === 'AS' && significant[as + 1]?.text === '(') {
      cteNames.add(identKey(t));
    }
  }

  const out: string[] = [];
  const parens: string[] = [];
  // inFrom[depth]: inside a FROM clause at that parenthesis depth, where a comma names another table.
  const inFrom: boolean[] = [false];
  let lastWord = '';
  let expectTable = false;
  for (let k = 0; k < tokens.length; k++) {
    const t = tokens[k]!;
    if (t.kind === 'space' || t.kind === 'comment') {
      // A comment goes as one space: DuckDB then reads no comment at all, so nothing can hide in
      // a disagreement about where one ends.
      out.push(t.kind === 'comment' ? ' ' : t.text);
      continue;
    }
    // A string glued to a word would be a prefixed literal for DuckDB (E'…' reads backslash
    // escapes, so it could end elsewhere than this tokenizer thinks): keep them apart.
    if (t.kind === 'string' && tokens[k - 1] && tokens[k - 1]!.kind !== 'space') out.push(' ');
    const upper = t.text.toUpperCase();
    if (expectTable) {
      if (t.kind === 'string') throw badRequest('a string cannot stand for a table (no file access)');
      if (t.kind === 'word' && upper === 'LATERAL') {
        // LATERAL is followed by the table expression itself.
        out.push(t.text);
        continue;
      }
      expectTable = false;
      // `FROM (t JOIN u …)`, `FROM ((t))`: a parenthesised table, not a subquery.
      if (t.text === '(' && opensTable(tokens, k)) {
        parens.push('');
        inFrom[parens.length] = true;
        expectTable = true;
        out.push(t.text);
        lastWord = '';
        continue;
      }
      if ((t.kind === 'word' && !NOT_A_TABLE.has(upper)) || t.kind === 'quoted') {
        // Take a dotted name (schema.table) whole.
        let end = k;
        while (tokens[end + 1]?.text === '.' && ['word', 'quoted'].includes(tokens[end + 2]?.kind ?? ''))
          end += 2;
        const after = tokens.slice(end + 1).find((x) => x.kind !== 'space' && x.kind !== 'comment');
        if (after?.text === '(') throw badRequest(`table functions are not supported: ${t.text}`);
        if (end === k && cteNames.has(identKey(t))) {
          out.push(t.text);
        } else {
          refuseForeignTable(tokens.slice(k, end + 1), ownKey, isOtherDataset);
          out.push(table);
        }
        k = end;
        lastWord = '';
        continue;
      }
    }
    const depth = parens.length;
    if (t.text === '(') {
      parens.push(lastWord);
      inFrom[parens.length] = false;
    } else if (t.text === ')') {
      parens.pop();
    } else if (t.text === ',' && inFrom[depth]) {
      expectTable = true;
    }
    if (t.kind === 'word') {
      if (upper === 'FROM' || upper === 'JOIN') {
        const inside = parens[parens.length - 1];
        if (upper === 'JOIN' || !inside || !FROM_INSIDE.has(inside)) {
          expectTable = true;
          inFrom[depth] = true;
        }
      } else if (CLAUSE_END.has(upper)) {
        inFrom[depth] = false;
      } else if (REFUSED_WORDS.has(upper)) {
        throw badRequest(`${upper} is not supported in a query; quote a column of that name with backticks`);
      }
    }
    // A quoted name calls a function just as a bare one does: `"current_setting"(…)`.
    if ((t.kind === 'word' || t.kind === 'quoted') && REFUSED_FUNCTION.test(identKey(t).toUpperCase())) {
      const after = tokens.slice(k + 1).find((x) => x.kind !== 'space' && x.kind !== 'comment');
      if (after?.text === '(') throw badRequest(`function ${identKey(t)} is not available`);
    }
    lastWord = t.kind === 'word' ? upper : '';
    out.push(t.kind === 'word' ? mysqlFunction(tokens, k, upper) : t.text);
  }
  return out.join('').replace(/;\s*$/, '');
}

/** A MySQL function the sandbox implements as a macro (`TO_DAYS(` → `mysql_to_days(`), else the word. */
function mysqlFunction(tokens: Token[], k: number, upper: string): string {
  const macro = MYSQL_FUNCTION_RENAMES.get(upper);
  if (!macro) return tokens[k]!.text;
  const after = tokens.slice(k + 1, k + 50).find((x) => x.kind !== 'space' && x.kind !== 'comment');
  return after?.text === '(' ? macro : tokens[k]!.text;
}

/** Whether the `(` at `k`, where a table is expected, opens a parenthesised table (not a subquery). */
function opensTable(tokens: Token[], k: number): boolean {
  for (let j = k + 1; j < tokens.length; j++) {
    const next = tokens[j]!;
    if (next.kind === 'space' || next.kind === 'comment' || next.text === '(') continue;
    if (next.kind === 'quoted') return true;
    const upper = next.text.toUpperCase();
    return (
      next.kind === 'word' &&
      upper !== 'WITH' &&
      upper !== 'FROM' &&
      !NOT_A_TABLE.has(upper) &&
      !REFUSED_WORDS.has(upper)
    );
  }
  return false;
}

/** Names of DuckDB's catalogs and of the sandbox's own tables, in any part of a dotted name. */
const CATALOG_NAME = /^(information_schema|pg_catalog|pg_\w+|sqlite_\w+|duckdb_\w+|system|temp)$/;
const INTERNAL_TABLE = /^(ds_|_domo)/;
/** A quoted name that reads as a path or a file (DuckDB would scan a file named so, were it allowed). */
const FILE_LIKE = /[/\\:~]|\.(csv|tsv|txt|json|jsonl|ndjson|parquet|arrow|xlsx|db|duckdb|sqlite|gz|zst)$/i;

/**
 * The table name is free, but one that names a catalog, another dataset's internal table or another
 * dataset's id shows a caller reaching elsewhere: it is refused rather than silently read as this one.
 */
function refuseForeignTable(name: Token[], ownKey: string, isOtherDataset: (name: string) => boolean): void {
  const parts = name.filter((t) => t.text !== '.').map(identKey);
  const last = parts[parts.length - 1]!;
  if (parts.some((part) => FILE_LIKE.test(part))) {
    throw badRequest('a file cannot stand for a table (no file access)');
  }
  if (parts.some((part) => CATALOG_NAME.test(part.toLowerCase()))) {
    throw badRequest(`system catalogs are not available in a query: ${name.map((t) => t.text).join('')}`);
  }
  if ((INTERNAL_TABLE.test(last.toLowerCase()) && last.toLowerCase() !== ownKey) || isOtherDataset(last)) {
    throw badRequest('a query may read only the dataset it is sent to');
  }
}
