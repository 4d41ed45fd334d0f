/**
 * Domo column types checked on bytes: hand-written checks, not regexes, strings or Date objects, as
 * they run once per typed value of every row and would dominate the splitter's cost otherwise.
 */

/** Whether bytes [from, to) hold a valid value; the range is never empty (an empty field is a null). */
export type Validator = (b: Uint8Array, from: number, to: number) => boolean;

const INT64_MAX = 9_223_372_036_854_775_807n;
const INT64_MIN = -9_223_372_036_854_775_808n;
const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const PLUS = 43;
const MINUS = 45;
function isDigit(c: number | undefined): boolean {
  return c !== undefined && c >= 48 && c <= 57;
}

/** Digits in [from, to) as a number, or -1 when one is not a digit. */
function digits(b: Uint8Array, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) {
    const c = b[i]!;
    if (c < 48 || c > 57) return -1;
    n = n * 10 + (c - 48);
  }
  return n;
}

function skipDigits(b: Uint8Array, i: number, to: number): number {
  while (i < to && isDigit(b[i])) i++;
  return i;
}

/** Two digits at i as a number, or -1 (the caller has checked the bytes exist). */
function two(b: Uint8Array, i: number): number {
  const x = b[i]! - 48;
  const y = b[i + 1]! - 48;
  return x >= 0 && x <= 9 && y >= 0 && y <= 9 ? x * 10 + y : -1;
}

function validDate(b: Uint8Array, from: number): boolean {
  if (b[from + 4] !== MINUS || b[from + 7] !== MINUS) return false;
  const hi = two(b, from);
  const lo = two(b, from + 2);
  const month = two(b, from + 5);
  const day = two(b, from + 8);
  if (hi < 0 || lo < 0 || month < 1 || month > 12 || day < 1) return false;
  if (day <= 28) return true;
  const year = hi * 100 + lo;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return day <= (month === 2 && leap ? 29 : DAYS[month - 1]!);
}

function validLong(b: Uint8Array, from: number, to: number): boolean {
  const sign = b[from] === PLUS || b[from] === MINUS ? 1 : 0;
  const length = to - from - sign;
  if (length < 1 || length > 19 || skipDigits(b, from + sign, to) !== to) return false;
  if (length < 19) return true;
  const n = BigInt(Buffer.from(b.buffer, b.byteOffset + from, to - from).toString('latin1'));
  return n <= INT64_MAX && n >= INT64_MIN;
}

/** An optional sign, digits with an optional point (one digit at least): the index after, or -1. */
function decimalEnd(b: Uint8Array, from: number, to: number): number {
  let i = b[from] === PLUS || b[from] === MINUS ? from + 1 : from;
  const intStart = i;
  i = skipDigits(b, i, to);
  let count = i - intStart;
  if (i < to && b[i] === 46) {
    const fracStart = i + 1;
    i = skipDigits(b, fracStart, to);
    count += i - fracStart;
  }
  return count > 0 ? i : -1;
}

function validDouble(b: Uint8Array, from: number, to: number): boolean {
  let i = decimalEnd(b, from, to);
  if (i === -1) return false;
  if (i === to) return true;
  if (b[i] !== 101 && b[i] !== 69) return false;
  i++;
  if (i < to && (b[i] === PLUS || b[i] === MINUS)) i++;
  const start = i;
  i = skipDigits(b, i, to);
  return i > start && i === to;
}

function validDecimal(b: Uint8Array, from: number, to: number): boolean {
  if (decimalEnd(b, from, to) !== to) return false;
  // The sandbox (and Domo's default) keeps DECIMAL(38,10): at most 28 digits before the point.
  const sign = b[from] === PLUS || b[from] === MINUS ? 1 : 0;
  let point = from + sign;
  while (point < to && b[point] !== 46) point++;
  return point - from - sign <= 28;
}

/** YYYY-MM-DD, optionally [T ]HH:MM[:SS[.fraction]], and an optional Z. */
function validDateTime(b: Uint8Array, from: number, to: number): boolean {
  const end = b[to - 1] === 90 ? to - 1 : to;
  const length = end - from;
  if ((length !== 10 && length < 16) || !validDate(b, from)) return false;
  if (length === 10) return true;
  const sep = b[from + 10];
  if ((sep !== 84 && sep !== 32) || b[from + 13] !== 58) return false;
  const hour = two(b, from + 11);
  const minute = two(b, from + 14);
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59) return false;
  if (length === 16) return true;
  if (length < 19 || b[from + 16] !== 58) return false;
  const second = two(b, from + 17);
  if (second < 0 || second > 59) return false;
  if (length === 19) return true;
  if (b[from + 19] !== 46 || length - 20 < 1 || length - 20 > 9) return false;
  return digits(b, from + 20, end) >= 0;
}

/** Whether a value parses as a Domo column type (bytes of a field; an empty field is a null). */
export const VALIDATORS: Record<string, Validator> = {
  STRING: () => true,
  LONG: validLong,
  DOUBLE: validDouble,
  DECIMAL: validDecimal,
  DATE: (b, from, to) => to - from === 10 && validDate(b, from),
  DATETIME: validDateTime,
};

export function validatorFor(type: string): Validator {
  return VALIDATORS[type.toUpperCase()] ?? VALIDATORS.STRING!;
}
