/**
 * A streaming CSV → parts splitter (RFC 4180 quoting): bytes in, parts of about `partSizeBytes` out,
 * cut on row boundaries only, without the header row, every row checked against the columns it
 * must match. Pure and synchronous, so a part upload pipeline (uploads.ts) and unit tests drive it
 * alike. Memory stays bounded by one part plus one row, whatever the file's size.
 */
import { isUtf8 } from 'node:buffer';

/** A column a CSV field must parse as. */
export interface CsvColumn {
  name: string;
  type: string;
}

/** Bad input, located: 1-based physical line of the file (the header is line 1) and column. */
export class CsvInputError extends Error {
  override name = 'CsvInputError';
  constructor(
    message: string,
    readonly line: number,
    readonly column?: string,
  ) {
    super(message);
  }
}

export interface CsvSplitterOptions {
  partSizeBytes: number;
  /** The first row names the columns and is not sent. */
  hasHeader: boolean;
  /**
   * The columns rows must match, decided from the header (or null without one) and the number of
   * fields in the first row; throws a CsvInputError when the header does not fit.
   */
  resolveColumns: (header: string[] | null, firstRowFields: number) => CsvColumn[];
}

const QUOTE = 34;
const COMMA = 44;
const LF = 10;
const CR = 13;

/** Whether bytes [from, to) hold a valid value; the range is never empty (an empty field is a null). */
type Validator = (b: Uint8Array, from: number, to: number) => boolean;

const INT64_MAX = 9_223_372_036_854_775_807n;
const INT64_MIN = -9_223_372_036_854_775_808n;
const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const PLUS = 43;
const MINUS = 45;

// Hand-written checks on bytes, not regexes, strings or Date objects: they run once per typed value
// of every row and would dominate the splitter's cost otherwise.

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

function validDate(b: Uint8Array, from: number): boolean {
  if (b[from + 4] !== MINUS || b[from + 7] !== MINUS) return false;
  const year = digits(b, from, from + 4);
  const month = digits(b, from + 5, from + 7);
  const day = digits(b, from + 8, from + 10);
  if (year < 0 || month < 1 || month > 12 || day < 1) return false;
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
  const hour = digits(b, from + 11, from + 13);
  const minute = digits(b, from + 14, from + 16);
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59) return false;
  if (length === 16) return true;
  if (length < 19 || b[from + 16] !== 58) return false;
  const second = digits(b, from + 17, from + 19);
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

function validatorFor(type: string): Validator {
  return VALIDATORS[type.toUpperCase()] ?? VALIDATORS.STRING!;
}

function shown(value: string): string {
  return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
}

function countLF(buf: Buffer, from: number, to: number): number {
  let count = 0;
  for (let i = buf.indexOf(LF, from); i !== -1 && i < to; i = buf.indexOf(LF, i + 1)) count++;
  return count;
}

const NEWLINE = Buffer.from('\n');
/** Longest row the splitter holds while looking for its end (an unterminated quote, usually). */
const MAX_ROW_BYTES = 64 * 1024 * 1024;

/**
 * Works on bytes: rows are found with native `indexOf`, values of typed columns are read in place,
 * parts are concatenated from slices of the input (no decode and re-encode), and UTF-8 is checked
 * natively (`isUtf8`) once per part. Line ends LF or CRLF; a row ends at a line end outside quotes.
 */
export class CsvPartSplitter {
  /** Data rows seen so far (the header excluded). */
  rows = 0;
  /** Bytes written in. */
  bytes = 0;
  /** Parts emitted so far. */
  parts = 0;

  /** Bytes of an unfinished row carried to the next write. */
  private carry: Buffer = Buffer.alloc(0);
  /** Where the search for the carried row's end resumes, and whether it is inside quotes there. */
  private carryScan = 0;
  private carryInQuotes = false;
  /** 1-based line where the next row starts. */
  private line = 1;
  private first = true;
  private pieces: Buffer[] = [];
  private pieceBytes = 0;
  /** Line of the first row in the part being built (to locate invalid UTF-8). */
  private partLine = 1;
  private header: string[] | null | undefined;
  private columns: CsvColumn[] | undefined;
  private validators: Validator[] = [];
  private isString: boolean[] = [];
  private ended = false;
  private quoteBuf: Buffer | undefined;
  private quoteFrom = 0;
  private quoteAt = -1;

  constructor(private readonly options: CsvSplitterOptions) {
    if (!(options.partSizeBytes > 0)) throw new RangeError('partSizeBytes must be positive');
    if (!options.hasHeader) this.header = null;
  }

  /** The columns rows were checked against (known after the first row). */
  get resolvedColumns(): CsvColumn[] | undefined {
    return this.columns;
  }

  /** Feeds bytes; returns the parts completed by them (CSV without a header, rows ending in \n). */
  write(chunk: Uint8Array): Buffer[] {
    if (this.ended) throw new Error('write after end');
    this.bytes += chunk.length;
    let data = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
    if (this.carry.length) data = Buffer.concat([this.carry, data]);
    if (this.first && data.length >= 3) {
      this.first = false;
      if (data[0] === 0xef && data[1] === 0xbb && data[2] === 0xbf) data = data.subarray(3);
    } else if (this.first && data.length < 3) {
      this.carry = Buffer.from(data);
      return [];
    }
    const out: Buffer[] = [];
    this.parse(data, out);
    return out;
  }

  /** Ends the input: the final row (with or without a newline) and the last part. */
  end(): Buffer[] {
    if (this.ended) return [];
    this.ended = true;
    const out: Buffer[] = [];
    let data = this.carry;
    if (this.first) {
      this.first = false;
      if (data[0] === 0xef && data[1] === 0xbb && data[2] === 0xbf) data = data.subarray(3);
    }
    this.carry = Buffer.alloc(0);
    if (data.length > 0) {
      if (this.carryInQuotes || this.findRowEnd(data, 0, 0, false).inQuotes) {
        throw new CsvInputError(`unterminated quoted field starting on line ${this.line}`, this.line);
      }
      // The last row had no line end: give it one.
      let end = data.length;
      if (data[end - 1] === CR) end--;
      if (this.row(data, 0, end)) {
        this.pieces.push(data.subarray(0, end), NEWLINE);
        this.pieceBytes += end + 1;
      }
    }
    this.flush(out);
    if (this.rows === 0) {
      throw new CsvInputError(
        this.header ? 'the file has a header but no data rows' : 'the file is empty',
        this.line,
      );
    }
    return out;
  }

  /**
   * From `scan` in the row starting at `start`: the index of the LF ending the row, or -1 when the
   * data ends first (with the quote state there). Checks quotes open a field and close one.
   */
  private findRowEnd(
    buf: Buffer,
    start: number,
    scan: number,
    inQuotes: boolean,
  ): { end: number; inQuotes: boolean; scan: number } {
    let i = scan;
    for (;;) {
      if (inQuotes) {
        const q = buf.indexOf(QUOTE, i);
        if (q === -1) return { end: -1, inQuotes: true, scan: buf.length };
        if (q + 1 >= buf.length) return { end: -1, inQuotes: true, scan: q };
        if (buf[q + 1] === QUOTE) {
          i = q + 2;
          continue;
        }
        const next = buf[q + 1];
        if (next !== COMMA && next !== LF && next !== CR) {
          throw this.lineError(buf, start, q, 'unexpected text after a closing quote');
        }
        inQuotes = false;
        i = q + 1;
        continue;
      }
      const nl = buf.indexOf(LF, i);
      const q = this.nextQuote(buf, i);
      if (q !== -1 && (nl === -1 || q < nl)) {
        if (q !== start && buf[q - 1] !== COMMA) {
          throw this.lineError(
            buf,
            start,
            q,
            'a quote inside an unquoted field (quote the whole field and double the quote)',
          );
        }
        inQuotes = true;
        i = q + 1;
        continue;
      }
      return { end: nl, inQuotes: false, scan: nl === -1 ? buf.length : nl };
    }
  }

  /**
   * The first quote at or after `i`, cached per buffer: without the cache a file with few quotes
   * would be scanned to its next quote once per row.
   */
  private nextQuote(buf: Buffer, i: number): number {
    if (this.quoteBuf === buf && i >= this.quoteFrom && (this.quoteAt === -1 || this.quoteAt >= i)) {
      return this.quoteAt;
    }
    this.quoteBuf = buf;
    this.quoteFrom = i;
    this.quoteAt = buf.indexOf(QUOTE, i);
    return this.quoteAt;
  }

  private lineError(buf: Buffer, start: number, at: number, message: string): CsvInputError {
    const line = this.line + countLF(buf, start, at);
    return new CsvInputError(`line ${line}: ${message}`, line);
  }

  private parse(buf: Buffer, out: Buffer[]): void {
    const n = buf.length;
    let pos = 0;
    let segStart = 0;
    let scan = this.carryScan;
    let inQuotes = this.carryInQuotes;
    while (pos < n) {
      const found = this.findRowEnd(buf, pos, scan, inQuotes);
      if (found.end === -1) {
        if (n - pos > MAX_ROW_BYTES) {
          throw new CsvInputError(
            `line ${this.line}: a row longer than ${MAX_ROW_BYTES / 1024 / 1024} MB (an unterminated quote?)`,
            this.line,
          );
        }
        scan = found.scan;
        inQuotes = found.inQuotes;
        break;
      }
      const nl = found.end;
      const end = nl > pos && buf[nl - 1] === CR ? nl - 1 : nl;
      const lines = 1 + this.quotedLines(buf, pos, nl);
      if (end === pos || !this.row(buf, pos, end)) {
        // A blank line or the header: not written.
        if (pos > segStart) this.pushPiece(buf.subarray(segStart, pos));
        segStart = nl + 1;
        if (this.rows === 0) this.partLine = this.line + lines;
      } else if (this.pieceBytes + (nl + 1 - segStart) >= this.options.partSizeBytes) {
        this.pushPiece(buf.subarray(segStart, nl + 1));
        segStart = nl + 1;
        this.flush(out);
        this.partLine = this.line + lines;
      }
      this.line += lines;
      pos = nl + 1;
      scan = pos;
      inQuotes = false;
    }
    if (pos > segStart) this.pushPiece(buf.subarray(segStart, pos));
    this.carry = pos < n ? Buffer.from(buf.subarray(pos)) : Buffer.alloc(0);
    this.carryScan = pos < n ? scan - pos : 0;
    this.carryInQuotes = pos < n ? inQuotes : false;
  }

  /** Newlines inside quoted fields of a row (only rows with quotes can have them). */
  private quotedLines(buf: Buffer, start: number, nl: number): number {
    const q = this.nextQuote(buf, start);
    return q === -1 || q > nl ? 0 : countLF(buf, start, nl);
  }

  private pushPiece(piece: Buffer): void {
    this.pieces.push(piece);
    this.pieceBytes += piece.length;
  }

  /** Checks a row (the header the first time); answers whether it is a data row to write. */
  private row(buf: Buffer, start: number, end: number): boolean {
    const q = this.nextQuote(buf, start);
    const hasQuote = q !== -1 && q < end;
    if (this.header === undefined) {
      const header = buf.subarray(start, end);
      if (!isUtf8(header)) throw new CsvInputError('invalid UTF-8 on line 1', 1);
      this.header = splitFields(header.toString('utf8'));
      return false;
    }
    if (!this.columns) {
      const count = hasQuote
        ? splitFields(buf.toString('utf8', start, end)).length
        : countFields(buf, start, end);
      this.columns = this.options.resolveColumns(this.header, count);
      this.validators = this.columns.map((c) => validatorFor(c.type));
      this.isString = this.columns.map((c) => c.type.toUpperCase() === 'STRING');
    }
    try {
      if (hasQuote) this.checkFields(splitFields(buf.toString('utf8', start, end)));
      else this.checkInPlace(buf, start, end);
    } catch (error) {
      // Bad bytes explain a bad row better than what they look like.
      if (!isUtf8(buf.subarray(start, end)))
        throw new CsvInputError(`invalid UTF-8 on line ${this.line}`, this.line);
      throw error;
    }
    this.rows++;
    return true;
  }

  /** A row without quotes: fields found with indexOf, only typed ones read. */
  private checkInPlace(buf: Buffer, start: number, end: number): void {
    const columns = this.columns!;
    const width = columns.length;
    let from = start;
    let k = 0;
    for (;;) {
      let comma = buf.indexOf(COMMA, from);
      if (comma === -1 || comma > end) comma = end;
      if (k < width && comma > from && !this.isString[k]) {
        if (!this.validators[k]!(buf, from, comma))
          throw this.valueError(k, buf.toString('utf8', from, comma));
      }
      k++;
      if (comma === end) break;
      from = comma + 1;
    }
    if (k !== width) throw this.fieldCountError(k);
  }

  private checkFields(fields: string[]): void {
    if (fields.length !== this.columns!.length) throw this.fieldCountError(fields.length);
    for (let k = 0; k < fields.length; k++) {
      const value = fields[k]!;
      if (value === '' || this.isString[k]) continue;
      const bytes = Buffer.from(value, 'utf8');
      if (!this.validators[k]!(bytes, 0, bytes.length)) throw this.valueError(k, value);
    }
  }

  private valueError(k: number, value: string): CsvInputError {
    const column = this.columns![k]!;
    return new CsvInputError(
      `line ${this.line}, column "${column.name}": ${shown(value)} is not a valid ${column.type}`,
      this.line,
      column.name,
    );
  }

  private fieldCountError(found: number): CsvInputError {
    const columns = this.columns!;
    return new CsvInputError(
      `line ${this.line}: expected ${columns.length} fields (${columns.map((c) => c.name).join(', ')}), found ${found}`,
      this.line,
    );
  }

  private flush(out: Buffer[]): void {
    if (this.pieces.length === 0) return;
    const part =
      this.pieces.length === 1 ? Buffer.from(this.pieces[0]!) : Buffer.concat(this.pieces, this.pieceBytes);
    this.pieces = [];
    this.pieceBytes = 0;
    if (!isUtf8(part)) throw this.invalidUtf8(part);
    out.push(part);
    this.parts++;
  }

  /** Locates the first row of a part that is not UTF-8 (an error path only). */
  private invalidUtf8(part: Buffer): CsvInputError {
    let line = this.partLine;
    let start = 0;
    while (start < part.length) {
      let nl = part.indexOf(LF, start);
      if (nl === -1) nl = part.length;
      if (!isUtf8(part.subarray(start, nl))) break;
      line++;
      start = nl + 1;
    }
    return new CsvInputError(`invalid UTF-8 on line ${line}`, line);
  }
}

function countFields(buf: Buffer, start: number, end: number): number {
  let count = 1;
  for (let i = buf.indexOf(COMMA, start); i !== -1 && i < end; i = buf.indexOf(COMMA, i + 1)) count++;
  return count;
}

/** The fields of one row (RFC 4180 quoting; the row is known to be well-formed). */
export function splitFields(row: string): string[] {
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    if (row.charCodeAt(i) === QUOTE) {
      let value = '';
      let from = i + 1;
      for (;;) {
        const q = row.indexOf('"', from);
        if (q === -1) {
          value += row.slice(from);
          i = row.length;
          break;
        }
        value += row.slice(from, q);
        if (row.charCodeAt(q + 1) === QUOTE) {
          value += '"';
          from = q + 2;
          continue;
        }
        i = q + 1;
        break;
      }
      fields.push(value);
    } else {
      let comma = row.indexOf(',', i);
      if (comma === -1) comma = row.length;
      fields.push(row.slice(i, comma));
      i = comma;
    }
    if (i >= row.length) break;
    i++; // the comma
    if (i === row.length) {
      fields.push('');
      break;
    }
  }
  return fields;
}

/** Quotes a value for CSV when it needs it; null and undefined become an empty field. */
export function csvField(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text =
    typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}
