/**
 * Domo's SQL, as the query endpoint takes it, turned into DuckDB SQL for one dataset:
 * - the table name is free: every table after FROM or JOIN names the dataset (CTE names excepted);
 * - backtick identifiers (MySQL style) become double-quoted ones;
 * - only one read statement (SELECT or WITH … SELECT) is taken, with no table function, no string
 *   as a table, and none of DuckDB's statement-like subqueries (TABLE, SUMMARIZE, SHOW, PIVOT, …),
 *   so a query cannot reach files, settings or other tables.
 */
import { badRequest } from './errors.ts';
import { duckDbStringLiteral, mysqlEscape } from './mysql-functions.ts';

type TokenKind = 'space' | 'comment' | 'string' | 'quoted' | 'word' | 'symbol';
interface Token {
  kind: TokenKind;
  text: string;
}

export function tokenize(sql: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < sql.length) {
    const c = sql[i]!;
    const start = i;
    if (/\s/.test(c)) {
      while (i < sql.length && /\s/.test(sql[i]!)) i++;
      tokens.push({ kind: 'space', text: sql.slice(start, i) });
    } else if (c === '-' && sql[i + 1] === '-') {
      while (i < sql.length && sql[i] !== '\n') i++;
      tokens.push({ kind: 'comment', text: sql.slice(start, i) });
    } else if (c === '/' && sql[i + 1] === '*') {
      const end = sql.indexOf('*/', i + 2);
      if (end < 0) throw badRequest('unterminated comment in SQL');
      i = end + 2;
      tokens.push({ kind: 'comment', text: sql.slice(start, i) });
    } else if (c === "'") {
      i++;
      let value = '';
      for (;;) {
        if (i >= sql.length) throw badRequest('unterminated string literal in SQL');
        const ch = sql[i]!;
        if (ch === '\\' && i + 1 < sql.length) {
          // MySQL backslash escapes, which DuckDB does not read.
          value += mysqlEscape(sql[i + 1]!);
          i += 2;
        } else if (ch === "'" && sql[i + 1] === "'") {
          value += "'";
          i += 2;
        } else if (ch === "'") {
          i++;
          break;
        } else {
          value += ch;
          i++;
        }
      }
      tokens.push({ kind: 'string', text: duckDbStringLiteral(value) });
    } else if (c === '`' || c === '"') {
      i++;
      let name = '';
      for (;;) {
        if (i >= sql.length) throw badRequest('unterminated quoted identifier in SQL');
        const ch = sql[i]!;
        if (ch === c && sql[i + 1] === c) {
          name += c;
          i += 2;
        } else if (ch === c) {
          i++;
          break;
        } else {
          name += ch;
          i++;
        }
      }
      tokens.push({ kind: 'quoted', text: `"${name.replaceAll('"', '""')}"` });
    } else if (/[A-Za-z_0-9$]/.test(c)) {
      while (i < sql.length && /[A-Za-z_0-9$]/.test(sql[i]!)) i++;
      tokens.push({ kind: 'word', text: sql.slice(start, i) });
    } else {
      i++;
      tokens.push({ kind: 'symbol', text: c });
    }
  }
  return tokens;
}

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

export function toDuckDbSql(sql: string, table: string): string {
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
    const next = significant[k + 1];
    if (
      (t.kind === 'word' || t.kind === 'quoted') &&
      next?.text.toUpperCase() === 'AS' &&
      significant[k + 2]?.text === '('
    ) {
      const prev = significant[k - 1]?.text.toUpperCase();
      if (prev === 'WITH' || prev === ',' || prev === 'RECURSIVE') cteNames.add(identKey(t));
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
      out.push(t.text);
      continue;
    }
    const upper = t.text.toUpperCase();
    if (expectTable) {
      if (t.kind === 'string') throw badRequest('a string cannot stand for a table (no file access)');
      if (t.kind === 'word' && upper === 'LATERAL') {
        // LATERAL is followed by the table expression itself.
        out.push(t.text);
        continue;
      }
      expectTable = false;
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
      if (REFUSED_FUNCTION.test(upper)) {
        const after = tokens.slice(k + 1).find((x) => x.kind !== 'space' && x.kind !== 'comment');
        if (after?.text === '(') throw badRequest(`function ${t.text} is not available`);
      }
    }
    lastWord = t.kind === 'word' ? upper : '';
    out.push(t.text);
  }
  return out.join('').replace(/;\s*$/, '');
}

function identKey(t: Token): string {
  return t.kind === 'quoted' ? t.text.slice(1, -1).replaceAll('""', '"') : t.text.toLowerCase();
}
