/** The hand tokenizer behind sql.ts: MySQL-flavoured SQL read as DuckDB's lexer would end each token. */
import { badRequest } from './errors.ts';
import { duckDbStringLiteral, mysqlEscape } from './mysql-functions.ts';

export type TokenKind = 'space' | 'comment' | 'string' | 'quoted' | 'word' | 'symbol';
export interface Token {
  kind: TokenKind;
  text: string;
}

/** The characters DuckDB's lexer takes as white space (not every Unicode space, as \s would). */
const SPACE = /[ \t\n\r\f\v]/;

/** The end of a block comment opening at `at`, nested ones included, as DuckDB (PostgreSQL) reads them. */
function blockCommentEnd(sql: string, at: number): number {
  let depth = 0;
  let i = at;
  while (i < sql.length) {
    if (sql[i] === '/' && sql[i + 1] === '*') {
      depth++;
      i += 2;
    } else if (sql[i] === '*' && sql[i + 1] === '/') {
      depth--;
      i += 2;
      if (depth === 0) return i;
    } else {
      i++;
    }
  }
  throw badRequest('unterminated comment in SQL');
}

export function tokenize(sql: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < sql.length) {
    const c = sql[i]!;
    const start = i;
    if (SPACE.test(c)) {
      while (i < sql.length && SPACE.test(sql[i]!)) i++;
      tokens.push({ kind: 'space', text: sql.slice(start, i) });
    } else if (c === '-' && sql[i + 1] === '-') {
      // DuckDB ends a line comment at \r as well as \n.
      while (i < sql.length && sql[i] !== '\n' && sql[i] !== '\r') i++;
      tokens.push({ kind: 'comment', text: sql.slice(start, i) });
    } else if (c === '/' && sql[i + 1] === '*') {
      i = blockCommentEnd(sql, i);
      tokens.push({ kind: 'comment', text: sql.slice(start, i) });
    } else if (c === '$') {
      // Dollar-quoted strings ($$…$$, $tag$…$tag$) and $1 parameters: DuckDB would read a string
      // where this tokenizer sees code.
      throw badRequest('$ is not supported in SQL outside strings and quoted names');
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
    } else if (/[A-Za-z_0-9]/.test(c)) {
      while (i < sql.length && /[A-Za-z_0-9]/.test(sql[i]!)) i++;
      tokens.push({ kind: 'word', text: sql.slice(start, i) });
    } else {
      i++;
      tokens.push({ kind: 'symbol', text: c });
    }
  }
  return tokens;
}

/** A name as DuckDB compares it: quoted names exactly, bare ones case-insensitively. */
export function identKey(t: Token): string {
  return t.kind === 'quoted' ? t.text.slice(1, -1).replaceAll('""', '"') : t.text.toLowerCase();
}
