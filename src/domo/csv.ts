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

function validatorFor(type: string): Validator {
  return VALIDATORS[type.toUpperCase()] ?? VALIDATORS.STRING!;
}

function shown(value: string): string {
  return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
}

/** A part: whole rows, in order, as slices of the input (not copied); send them one after another. */
export interface CsvPart {
  chunks: Buffer[];
  byteLength: number;
}

/** The part's bytes in one buffer (tests and callers that want one; the upload path sends chunks). */
export function partBytes(part: CsvPart): Buffer {
  return part.chunks.length === 1 ? part.chunks[0]! : Buffer.concat(part.chunks, part.byteLength);
}

/**
 * From `from`, the index of the LF ending a row whose quote state there is `inQuotes`, or -1 with
 * the state at the end of `buf`. Inside quotes iff an odd number of quotes were seen (an escaped
 * quote is two), so the state is one bit. Used only on rows split across writes.
 */
export function findRowEnd(
  buf: Uint8Array,
  from: number,
  inQuotes: boolean,
): { end: number; inQuotes: boolean } {
  for (let i = from; i < buf.length; i++) {
    const c = buf[i];
    if (c === QUOTE) inQuotes = !inQuotes;
    else if (c === LF && !inQuotes) return { end: i, inQuotes };
  }
  return { end: -1, inQuotes };
}

/** Longest row the splitter holds while looking for its end (an unterminated quote, usually). */
const MAX_ROW_BYTES = 64 * 1024 * 1024;
const INCOMPLETE = -1;

/**
 * One pass over the bytes of each row (a plain loop: per-field native `indexOf` calls and per-row
 * objects cost more than they save on short fields): fields and quotes are found, typed values are
 * checked in place (quoted ones too, between their quotes: a value holding a quote is never a valid
 * number or date), and no string is made unless there is an error to report. Parts are lists of
 * slices of the input rows (no copy; only a row split across two writes is copied, once), and UTF-8
 * is checked natively (`isUtf8`) once per slice. Line ends LF or CRLF; a row ends at a line end
 * outside quotes. The input chunks are kept, not copied: callers must not reuse them.
 */
export class CsvPartSplitter {
  /** Data rows seen so far (the header excluded). */
  rows = 0;
  /** Bytes written in. */
  bytes = 0;
  /** Parts emitted so far. */
  parts = 0;

  /** Bytes of an unfinished row carried to the next write, and the quote state at their end. */
  private carry: Buffer[] = [];
  private carryBytes = 0;
  private carryInQuotes = false;
  /** The first bytes, until there are three to look for a BOM in. */
  private head: Buffer | undefined;
  private first = true;
  /** 1-based line where the next row starts. */
  private line = 1;
  private pieces: Buffer[] = [];
  private pieceBytes = 0;
  /** Line of the first row in the part being built (to locate invalid UTF-8). */
  private partLine = 1;
  private header: string[] | null | undefined;
  private columns: CsvColumn[] | undefined;
  /** Per column, its check, or null when any value goes (STRING). */
  private validators: Array<Validator | null> = [];
  /** Fields a row must have; -1 until the columns are known (no checks then). */
  private width = -1;
  private ended = false;
  /** Set by scanRow: the lines the row took, its field count, and whether it was blank. */
  private rowLines = 1;
  private rowFields = 0;
  private rowBlank = false;
  /** Set by firstRows: the row was the header. */
  private rowIsHeader = false;
  private quoteBuf: Buffer | undefined;
  private quoteFrom = 0;
  private quoteAt = -1;
  private commaBuf: Buffer | undefined;
  /** The first comma at or after commaFrom in commaBuf (-1: none), as for quotes. */
  private commaFrom = 0;
  private commaAt = -1;

  constructor(private readonly options: CsvSplitterOptions) {
    if (!(options.partSizeBytes > 0)) throw new RangeError('partSizeBytes must be positive');
    if (!options.hasHeader) this.header = null;
  }

  /** The columns rows were checked against (known after the first row). */
  get resolvedColumns(): CsvColumn[] | undefined {
    return this.columns;
  }

  /** Feeds bytes; returns the parts completed by them (CSV without a header, rows ending in \n). */
  write(chunk: Uint8Array): CsvPart[] {
    if (this.ended) throw new Error('write after end');
    this.bytes += chunk.length;
    let data = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
    if (this.first) {
      if (this.head) data = Buffer.concat([this.head, data]);
      if (data.length < 3) {
        this.head = Buffer.from(data);
        return [];
      }
      this.first = false;
      this.head = undefined;
      if (data[0] === 0xef && data[1] === 0xbb && data[2] === 0xbf) data = data.subarray(3);
    }
    const out: CsvPart[] = [];
    let pos = 0;
    if (this.carryBytes > 0) {
      // The row begun in an earlier write: find its end here, join it (the only copy), check it.
      const found = findRowEnd(data, 0, this.carryInQuotes);
      if (found.end === -1) {
        this.keep(data, found.inQuotes);
        return out;
      }
      this.carry.push(data.subarray(0, found.end + 1));
      const row = Buffer.concat(this.carry, this.carryBytes + found.end + 1);
      this.carry = [];
      this.carryBytes = 0;
      this.carryInQuotes = false;
      this.parse(row, 0, out);
      pos = found.end + 1;
    }
    this.parse(data, pos, out);
    return out;
  }

  /** Ends the input: the final row (with or without a newline) and the last part. */
  end(): CsvPart[] {
    if (this.ended) return [];
    this.ended = true;
    const out: CsvPart[] = [];
    if (this.first) {
      // Fewer than three bytes in all: no room for a BOM and a row, but they may hold a row.
      this.first = false;
      let head = this.head ?? Buffer.alloc(0);
      this.head = undefined;
      if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) head = head.subarray(3);
      this.parse(head, 0, out);
    }
    const data = this.carry.length === 1 ? this.carry[0]! : Buffer.concat(this.carry, this.carryBytes);
    this.carry = [];
    this.carryBytes = 0;
    if (data.length > 0) {
      // A carried row has no line end outside quotes: what is left is the last row, or an open quote.
      if (this.carryInQuotes) {
        throw new CsvInputError(`unterminated quoted field starting on line ${this.line}`, this.line);
      }
      // The last row had no line end: give it one.
      let end = data.length;
      if (data[end - 1] === CR) end--;
      const row = Buffer.allocUnsafe(end + 1);
      data.copy(row, 0, 0, end);
      row[end] = LF;
      this.parse(row, 0, out);
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

  /** Keeps the unfinished row's bytes (copied: they may be a slice of a much larger buffer). */
  private keep(bytes: Buffer, inQuotes: boolean): void {
    if (this.carryBytes + bytes.length > MAX_ROW_BYTES) {
      throw new CsvInputError(
        `line ${this.line}: a row longer than ${MAX_ROW_BYTES / 1024 / 1024} MB (an unterminated quote?)`,
        this.line,
      );
    }
    this.carry.push(Buffer.from(bytes));
    this.carryBytes += bytes.length;
    this.carryInQuotes = inQuotes;
  }

  private parse(buf: Buffer, from: number, out: CsvPart[]): void {
    const n = buf.length;
    const partSize = this.options.partSizeBytes;
    let pos = from;
    let segStart = from;
    while (pos < n) {
      const nl = this.width === -1 ? this.firstRows(buf, pos) : this.scanRow(buf, pos);
      if (nl === INCOMPLETE) break;
      const lines = this.rowLines;
      if (this.rowBlank || this.rowIsHeader) {
        // A blank line or the header: not written.
        this.rowIsHeader = false;
        if (pos > segStart) this.pushPiece(buf.subarray(segStart, pos));
        segStart = nl + 1;
        if (this.rows === 0) this.partLine = this.line + lines;
        this.line += lines;
        pos = nl + 1;
        continue;
      }
      this.rows++;
      if (this.pieceBytes + (nl + 1 - segStart) >= partSize) {
        this.pushPiece(buf.subarray(segStart, nl + 1));
        segStart = nl + 1;
        this.flush(out);
        this.partLine = this.line + lines;
      }
      this.line += lines;
      pos = nl + 1;
    }
    if (pos > segStart) this.pushPiece(buf.subarray(segStart, pos));
    if (pos < n) {
      const rest = buf.subarray(pos);
      this.keep(rest, findRowEnd(rest, 0, false).inQuotes);
    }
  }

  /** The header and the first data row: decoded to resolve the columns, then checked like the rest. */
  private firstRows(buf: Buffer, start: number): number {
    const nl = this.scanRow(buf, start);
    if (nl === INCOMPLETE || this.rowBlank) return nl;
    const end = nl > start && buf[nl - 1] === CR ? nl - 1 : nl;
    if (this.header === undefined) {
      const header = buf.subarray(start, end);
      if (!isUtf8(header)) throw new CsvInputError('invalid UTF-8 on line 1', 1);
      this.header = splitFields(header.toString('utf8'));
      this.rowIsHeader = true;
      return nl;
    }
    this.columns = this.options.resolveColumns(this.header, this.rowFields);
    this.validators = this.columns.map((c) => {
      const type = c.type.toUpperCase();
      return type === 'STRING' ? null : validatorFor(type);
    });
    this.width = this.columns.length;
    return this.scanRow(buf, start);
  }

  /**
   * Checks the row starting at `start` and answers the index of the LF ending it, or INCOMPLETE
   * when `buf` ends first. Sets rowLines, rowFields and rowBlank.
   */
  private scanRow(buf: Buffer, start: number): number {
    // Most rows hold no quote: their end is found natively, and their fields by commas alone.
    const nl = buf.indexOf(LF, start);
    if (nl === -1) return INCOMPLETE;
    const q = this.nextQuote(buf, start);
    if (q === -1 || q > nl) return this.plainRow(buf, start, nl);
    return this.quotedRow(buf, start);
  }

  /** A row without quotes, from `start` to the LF at `nl`. */
  private plainRow(buf: Buffer, start: number, nl: number): number {
    const width = this.width;
    const validators = this.validators;
    const end = nl > start && buf[nl - 1] === CR ? nl - 1 : nl;
    let from = start;
    let k = 0;
    // The comma after the last field is the next row's first: kept for it, each search finds one.
    let searched = start;
    let comma: number;
    if (this.commaBuf === buf && this.commaFrom <= start && (this.commaAt === -1 || this.commaAt >= start)) {
      comma = this.commaAt;
      searched = this.commaFrom;
    } else {
      comma = buf.indexOf(COMMA, start);
    }
    for (;;) {
      let i: number;
      if (comma === -1 || comma > end) {
        i = end;
      } else {
        i = comma;
        searched = i + 1;
        comma = buf.indexOf(COMMA, searched);
      }
      if (k < width && i > from) {
        const check = validators[k];
        if (check && !check(buf, from, i)) throw this.valueError(buf, start, k, from, i, false);
      }
      k++;
      if (i >= end) break;
      from = i + 1;
    }
    this.commaBuf = buf;
    this.commaFrom = searched;
    this.commaAt = comma;
    this.rowBlank = end === start;
    this.rowFields = k;
    this.rowLines = 1;
    if (width !== -1 && k !== width && !this.rowBlank) throw this.fieldCountError(buf, start, k);
    return nl;
  }

  /**
   * The first quote at or after `i`, cached per buffer: without the cache a buffer with few quotes
   * would be searched to its next quote once per row.
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

  /** A row with a quote: every byte looked at, as quotes change what commas and line ends mean. */
  private quotedRow(buf: Buffer, start: number): number {
    const n = buf.length;
    const width = this.width;
    const validators = this.validators;
    let i = start;
    let k = 0;
    let embedded = 0;
    for (;;) {
      if (i >= n) return INCOMPLETE;
      let c = buf[i]!;
      let from: number;
      let to: number;
      let quoted = false;
      if (c === QUOTE) {
        quoted = true;
        from = i + 1;
        let j = from;
        for (;;) {
          if (j >= n) return INCOMPLETE;
          c = buf[j]!;
          if (c === QUOTE) {
            // The byte after a quote tells an escaped quote from a closing one.
            if (j + 1 >= n) return INCOMPLETE;
            if (buf[j + 1] === QUOTE) {
              j += 2;
              continue;
            }
            break;
          }
          if (c === LF) embedded++;
          j++;
        }
        to = j;
        i = j + 1;
        c = buf[i]!;
        if (c === CR) {
          if (i + 1 >= n) return INCOMPLETE;
          if (buf[i + 1] !== LF) throw this.quoteError(embedded, 'unexpected text after a closing quote');
          i++;
          c = LF;
        } else if (c !== COMMA && c !== LF) {
          throw this.quoteError(embedded, 'unexpected text after a closing quote');
        }
      } else {
        from = i;
        while (c !== COMMA && c !== LF) {
          if (c === QUOTE) {
            throw this.quoteError(
              embedded,
              'a quote inside an unquoted field (quote the whole field and double the quote)',
            );
          }
          if (++i >= n) return INCOMPLETE;
          c = buf[i]!;
        }
        to = c === LF && i > from && buf[i - 1] === CR ? i - 1 : i;
      }
      if (k < width && to > from) {
        const check = validators[k];
        if (check && !check(buf, from, to)) throw this.valueError(buf, start, k, from, to, quoted);
      }
      k++;
      if (c === LF) {
        this.rowBlank = k === 1 && !quoted && to === from;
        this.rowFields = k;
        this.rowLines = 1 + embedded;
        if (width !== -1 && k !== width && !this.rowBlank) throw this.fieldCountError(buf, start, k);
        return i;
      }
      i++;
    }
  }

  private quoteError(embedded: number, message: string): CsvInputError {
    const line = this.line + embedded;
    return new CsvInputError(`line ${line}: ${message}`, line);
  }

  /** Bad bytes explain a bad row better than what they look like. */
  private utf8Error(buf: Buffer, start: number): CsvInputError | undefined {
    const end = findRowEnd(buf, start, false).end;
    return isUtf8(buf.subarray(start, end === -1 ? buf.length : end))
      ? undefined
      : new CsvInputError(`invalid UTF-8 on line ${this.line}`, this.line);
  }

  private valueError(
    buf: Buffer,
    start: number,
    k: number,
    from: number,
    to: number,
    quoted: boolean,
  ): CsvInputError {
    const utf8 = this.utf8Error(buf, start);
    if (utf8) return utf8;
    const text = buf.toString('utf8', from, to);
    const value = quoted ? text.replaceAll('""', '"') : text;
    const column = this.columns![k]!;
    return new CsvInputError(
      `line ${this.line}, column "${column.name}": ${shown(value)} is not a valid ${column.type}`,
      this.line,
      column.name,
    );
  }

  private fieldCountError(buf: Buffer, start: number, found: number): CsvInputError {
    const utf8 = this.utf8Error(buf, start);
    if (utf8) return utf8;
    const columns = this.columns!;
    return new CsvInputError(
      `line ${this.line}: expected ${columns.length} fields (${columns.map((c) => c.name).join(', ')}), found ${found}`,
      this.line,
    );
  }

  private pushPiece(piece: Buffer): void {
    this.pieces.push(piece);
    this.pieceBytes += piece.length;
  }

  private flush(out: CsvPart[]): void {
    if (this.pieces.length === 0) return;
    const part: CsvPart = { chunks: this.pieces, byteLength: this.pieceBytes };
    this.pieces = [];
    this.pieceBytes = 0;
    // Every slice holds whole rows, so each is valid UTF-8 on its own exactly when the part is.
    for (const chunk of part.chunks) if (!isUtf8(chunk)) throw this.invalidUtf8(partBytes(part));
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
