/**
 * Values checked against their column's type before they reach SQL, and values read back typed.
 * Types are Domo's: STRING, LONG, DOUBLE, DECIMAL, DATE, DATETIME.
 */
import { RowsInputError } from './errors.ts';
import { numberLiteral, stringLiteral } from './sql.ts';

export type ColumnType = 'STRING' | 'LONG' | 'DOUBLE' | 'DECIMAL' | 'DATE' | 'DATETIME';
export const COLUMN_TYPES: readonly ColumnType[] = [
  'STRING',
  'LONG',
  'DOUBLE',
  'DECIMAL',
  'DATE',
  'DATETIME',
];

export interface RowColumn {
  name: string;
  type: ColumnType;
}

export const isNumeric = (t: ColumnType) => t === 'LONG' || t === 'DOUBLE' || t === 'DECIMAL';
export const isTemporal = (t: ColumnType) => t === 'DATE' || t === 'DATETIME';

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATETIME =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})?$/i;

function validDate(y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1) return false;
  const days = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return d <= days;
}

/** `YYYY-MM-DD` from a caller's value, or a refusal naming the path. */
export function parseDate(value: unknown, path: string): string {
  const m = typeof value === 'string' ? DATE.exec(value) : null;
  if (!m || !validDate(Number(m[1]), Number(m[2]), Number(m[3])))
    throw new RowsInputError(`expected a date as YYYY-MM-DD, got ${describe(value)}`, path);
  return value as string;
}

/**
 * A DATETIME value as the UTC text Domo compares with (`YYYY-MM-DD HH:MM:SS[.fff]`): ISO-8601 with
 * a zone is converted to UTC; without one it is taken as UTC, as Domo stores DATETIME.
 */
export function parseDateTime(value: unknown, path: string): string {
  const m = typeof value === 'string' ? DATETIME.exec(value) : null;
  const bad = () =>
    new RowsInputError(
      `expected a date-time as ISO-8601 (2024-05-01T13:45:00Z), got ${describe(value)}`,
      path,
    );
  if (!m) throw bad();
  const [y, mo, d, h, mi, s] = [m[1], m[2], m[3], m[4], m[5], m[6] ?? '0'].map(Number) as number[];
  if (!validDate(y!, mo!, d!) || h! > 23 || mi! > 59 || s! > 59) throw bad();
  const ms = Number(((m[7] ?? '') + '000').slice(0, 3));
  let epoch = Date.UTC(y!, mo! - 1, d!, h, mi, s, ms);
  const zone = m[8];
  if (zone && zone.toUpperCase() !== 'Z') {
    const sign = zone[0] === '-' ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    const hours = Number(digits.slice(0, 2));
    const minutes = Number(digits.slice(2));
    if (hours > 23 || minutes > 59) throw bad();
    epoch -= sign * (hours * 60 + minutes) * 60_000;
  }
  return utcText(epoch);
}

/** Epoch milliseconds as `YYYY-MM-DD HH:MM:SS`, with `.fff` only when there are milliseconds. */
export function utcText(epochMs: number): string {
  const iso = new Date(epochMs).toISOString();
  const base = `${iso.slice(0, 10)} ${iso.slice(11, 19)}`;
  return iso.slice(20, 23) === '000' ? base : `${base}.${iso.slice(20, 23)}`;
}

function describe(value: unknown): string {
  if (typeof value === 'string') return `"${value.length > 40 ? `${value.slice(0, 40)}…` : value}"`;
  if (typeof value === 'number') return String(value);
  if (value === null) return 'null';
  return Array.isArray(value) ? 'a list' : typeof value;
}

/** The SQL literal of one value for a column of `type`, after checking it fits. */
export function literalFor(type: ColumnType, value: unknown, path: string, column: string): string {
  const expect = (what: string) =>
    new RowsInputError(`column \`${column}\` is ${type}: expected ${what}, got ${describe(value)}`, path);
  switch (type) {
    case 'STRING':
      if (typeof value !== 'string') throw expect('a string');
      return stringLiteral(value);
    case 'LONG':
      if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw expect('a whole number');
      return numberLiteral(value);
    case 'DOUBLE':
    case 'DECIMAL':
      if (typeof value !== 'number' || !Number.isFinite(value)) throw expect('a finite number');
      return numberLiteral(value);
    case 'DATE':
      return stringLiteral(parseDate(value, path));
    case 'DATETIME':
      return stringLiteral(parseDateTime(value, path));
  }
}

/**
 * A value read back from Domo, typed as its column says: numbers as numbers (a LONG beyond 2^53
 * stays the exact text Domo sent), DATE as `YYYY-MM-DD`, DATETIME as ISO-8601 UTC (`…T08:00:00.000Z`).
 */
export function outputValue(type: ColumnType, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  switch (type) {
    case 'LONG': {
      if (typeof value === 'number') return value;
      const n = Number(value);
      return Number.isSafeInteger(n) ? n : String(value);
    }
    case 'DOUBLE':
    case 'DECIMAL':
      return typeof value === 'number' ? value : Number(value);
    case 'DATE':
      return typeof value === 'string' ? value.slice(0, 10) : value;
    case 'DATETIME':
      return typeof value === 'string'
        ? isoDateTime(value)
        : typeof value === 'number'
          ? new Date(value).toISOString()
          : value;
    default:
      return typeof value === 'string' ? value : String(value);
  }
}

/** ISO-8601 UTC with milliseconds, as the DateTime scalar of the schema writes it. */
function isoDateTime(text: string): string {
  const m = DATETIME.exec(text);
  if (!m) return text;
  const t = text.replace(' ', 'T');
  const date = new Date(m[8] ? t : `${t}Z`);
  return Number.isNaN(date.getTime()) ? text : date.toISOString();
}
