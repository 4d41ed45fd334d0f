/**
 * The only places SQL text is made from data: identifiers and literals in Domo's MySQL dialect.
 * Identifiers come from a dataset's schema, never from a caller; literals are escaped so any string
 * (quotes, backslashes, NUL, newlines, SQL keywords) is read back as the same string.
 */

/** A column name in backticks; a backtick inside is doubled, as MySQL reads it. */
export function ident(name: string): string {
  return `\`${name.replaceAll('`', '``')}\``;
}

/**
 * A single-quoted string literal. MySQL reads backslash escapes in literals (unless the server runs
 * NO_BACKSLASH_ESCAPES), so a backslash is doubled; a quote is doubled, which every mode reads; NUL
 * is `\0` (mysql_real_escape_string's form: a raw NUL ends the statement in some parsers, DuckDB's
 * among them). Everything else, newlines and Unicode quotes included, is plain text inside quotes.
 */
export function stringLiteral(value: string): string {
  let out = "'";
  for (const ch of value) {
    if (ch === "'") out += "''";
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\0') out += '\\0';
    else out += ch;
  }
  return `${out}'`;
}

/** A numeric literal from a finite number (validated before it gets here). */
export function numberLiteral(value: number): string {
  if (!Number.isFinite(value)) throw new Error(`not a finite number: ${value}`);
  return String(value);
}

/** The escape character of every LIKE pattern the compiler writes (not `\`, whose reading differs). */
export const LIKE_ESCAPE = '!';

/** A LIKE pattern matching `text` literally, with `%` where `before`/`after` ask for any run. */
export function likePattern(text: string, before: boolean, after: boolean): string {
  const escaped = text.replace(/[!%_]/g, (c) => `${LIKE_ESCAPE}${c}`);
  return stringLiteral(`${before ? '%' : ''}${escaped}${after ? '%' : ''}`);
}
