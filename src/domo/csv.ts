/**
 * A streaming CSV → parts splitter (RFC 4180 quoting): bytes in, parts of about `partSizeBytes` out,
 * cut on row boundaries only, without the header row, every row checked against the columns it
 * must match. Pure and synchronous, so a part upload pipeline (uploads.ts) and unit tests drive it
 * alike. Memory stays bounded by one part plus one row, whatever the file's size.
 */

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

enum State {
  FieldStart = 0,
  Unquoted = 1,
  Quoted = 2,
  /** Just saw a quote inside a quoted field: either an escaped quote or the field's end. */
  AfterQuote = 3,
}

type Validator = (value: string) => boolean;

const INT64_MAX = 9_223_372_036_854_775_807n;
const INT64_MIN = -9_223_372_036_854_775_808n;
const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

// Hand-written checks, not regexes or Date objects: they run once per typed value of every row,
// and dominate the splitter's cost otherwise.

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** Digits from `from` (inclusive) to `to` (exclusive) as a number, or -1 when one is not a digit. */
function digits(v: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) {
    const c = v.charCodeAt(i);
    if (!isDigit(c)) return -1;
    n = n * 10 + (c - 48);
  }
  return n;
}

/** A run of digits starting at `i`; answers the index after it. */
function skipDigits(v: string, i: number): number {
  while (i < v.length && isDigit(v.charCodeAt(i))) i++;
  return i;
}

function validDate(v: string): boolean {
  if (v.length < 10 || v.charCodeAt(4) !== 45 || v.charCodeAt(7) !== 45) return false;
  const year = digits(v, 0, 4);
  const month = digits(v, 5, 7);
  const day = digits(v, 8, 10);
  if (year < 0 || month < 1 || month > 12 || day < 1) return false;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return day <= (month === 2 && leap ? 29 : DAYS[month - 1]!);
}

function validLong(v: string): boolean {
  const sign = v.charCodeAt(0) === 43 || v.charCodeAt(0) === 45 ? 1 : 0;
  const length = v.length - sign;
  if (length < 1 || length > 19 || skipDigits(v, sign) !== v.length) return false;
  if (length < 19) return true;
  const n = BigInt(v);
  return n <= INT64_MAX && n >= INT64_MIN;
}

/** Digits with an optional point (at least one digit), after an optional sign; the index after it or -1. */
function decimalEnd(v: string): number {
  let i = v.charCodeAt(0) === 43 || v.charCodeAt(0) === 45 ? 1 : 0;
  const intStart = i;
  i = skipDigits(v, i);
  let count = i - intStart;
  if (v.charCodeAt(i) === 46) {
    const fracStart = i + 1;
    i = skipDigits(v, fracStart);
    count += i - fracStart;
  }
  return count > 0 ? i : -1;
}

function validDouble(v: string): boolean {
  let i = decimalEnd(v);
  if (i === -1) return false;
  if (i === v.length) return true;
  const c = v.charCodeAt(i);
  if (c !== 101 && c !== 69) return false;
  i++;
  if (v.charCodeAt(i) === 43 || v.charCodeAt(i) === 45) i++;
  const start = i;
  i = skipDigits(v, i);
  return i > start && i === v.length;
}

function validDecimal(v: string): boolean {
  if (decimalEnd(v) !== v.length) return false;
  // The sandbox (and Domo's default) keeps DECIMAL(38,10): at most 28 digits before the point.
  const point = v.indexOf('.');
  const sign = v.charCodeAt(0) === 43 || v.charCodeAt(0) === 45 ? 1 : 0;
  return (point === -1 ? v.length : point) - sign <= 28;
}

/** YYYY-MM-DD, optionally [T ]HH:MM[:SS[.fraction]] and a Z. */
function validDateTime(v: string): boolean {
  let end = v.length;
  if (v.charCodeAt(end - 1) === 90) end--;
  if (!validDate(v) || (end !== 10 && end < 16)) return false;
  if (end === 10) return end === v.length || v.length === 11;
  const sep = v.charCodeAt(10);
  if ((sep !== 84 && sep !== 32) || v.charCodeAt(13) !== 58) return false;
  const hour = digits(v, 11, 13);
  const minute = digits(v, 14, 16);
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59) return false;
  if (end === 16) return true;
  if (end < 19 || v.charCodeAt(16) !== 58) return false;
  const second = digits(v, 17, 19);
  if (second < 0 || second > 59) return false;
  if (end === 19) return true;
  if (v.charCodeAt(19) !== 46 || end - 20 < 1 || end - 20 > 9) return false;
  return digits(v, 20, end) >= 0;
}

/** Whether a value parses as a Domo column type; an empty field is a null and fits any type. */
export const VALIDATORS: Record<string, Validator> = {
  STRING: () => true,
  LONG: validLong,
  DOUBLE: validDouble,
  DECIMAL: validDecimal,
  DATE: (v) => v.length === 10 && validDate(v),
  DATETIME: validDateTime,
};

function validatorFor(type: string): Validator {
  return VALIDATORS[type.toUpperCase()] ?? VALIDATORS.STRING!;
}

function countNewlines(s: string, from: number, to: number): number {
  let count = 0;
  for (let i = s.indexOf('\n', from); i !== -1 && i < to; i = s.indexOf('\n', i + 1)) count++;
  return count;
}

function shown(value: string): string {
  return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
}

export class CsvPartSplitter {
  /** Data rows seen so far (the header excluded). */
  rows = 0;
  /** Bytes written in. */
  bytes = 0;
  /** Parts emitted so far. */
  parts = 0;

  private readonly decoder = new TextDecoder('utf-8', { fatal: true });
  private state = State.FieldStart;
  private field = '';
  private fields: string[] = [];
  private line = 1;
  private recordLine = 1;
  private skipLF = false;
  /** The decoded chunk being parsed, and where its output not yet taken starts. */
  private text = '';
  private segStart = 0;
  private pieces: string[] = [];
  private pieceChars = 0;
  private header: string[] | null | undefined;
  private columns: CsvColumn[] | undefined;
  private validators: Validator[] = [];
  /** Indexes of the columns whose values need checking (not STRING). */
  private typed: number[] = [];
  private isString: boolean[] = [];
  private headerPending = false;
  private ended = false;

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
    let text: string;
    try {
      text = this.decoder.decode(chunk, { stream: true });
    } catch {
      throw this.invalidUtf8(chunk);
    }
    const out: Buffer[] = [];
    this.parse(text, out);
    return out;
  }

  /** Ends the input: the final row (with or without a newline) and the last part. */
  end(): Buffer[] {
    if (this.ended) return [];
    let text: string;
    try {
      text = this.decoder.decode();
    } catch {
      throw new CsvInputError(`invalid UTF-8 at the end of the file (line ${this.line})`, this.line);
    }
    const out: Buffer[] = [];
    if (text) this.parse(text, out);
    this.ended = true;
    if (this.state === State.Quoted) {
      throw new CsvInputError(
        `unterminated quoted field starting on line ${this.recordLine}`,
        this.recordLine,
        this.columns?.[this.fields.length]?.name,
      );
    }
    if (this.state !== State.FieldStart || this.fields.length > 0) {
      // The last row had no line end: give it one.
      this.endField();
      this.slowRow();
      this.pieces.push('\n');
      this.pieceChars++;
      this.rowDone(0, out);
    }
    if (this.headerPending) this.headerPending = false;
    this.flush(out);
    if (this.rows === 0) {
      throw new CsvInputError(
        this.header ? 'the file has a header but no data rows' : 'the file is empty',
        this.line,
      );
    }
    return out;
  }

  private invalidUtf8(chunk: Uint8Array): CsvInputError {
    // Locate the first bad sequence by decoding leniently; the line is exact unless a multi-byte
    // character straddled the previous chunk.
    const lenient = new TextDecoder('utf-8').decode(chunk);
    const at = lenient.indexOf('\uFFFD');
    const line = this.line + countNewlines(lenient, 0, at === -1 ? lenient.length : at);
    return new CsvInputError(`invalid UTF-8 on line ${line}`, line);
  }

  /**
   * Parses decoded text. Output is taken as large slices of the input (cut only at a part's end, a
   * header, a blank line or a bare CR), not one string per row, which keeps the garbage low.
   */
  private parse(s: string, out: Buffer[]): void {
    const n = s.length;
    let i = 0;
    this.text = s;
    this.segStart = 0;
    let nextQuote = -1;
    let nextCR = -1;
    while (i < n) {
      if (this.skipLF) {
        this.skipLF = false;
        if (s.charCodeAt(i) === LF) {
          // The LF of a CRLF whose CR already ended the row (and was written as \n).
          if (this.segStart === i) this.segStart = i + 1;
          i++;
          continue;
        }
      }
      // Fast path: a whole row in this chunk, without quotes or a bare CR.
      if (this.columns && this.state === State.FieldStart && this.fields.length === 0 && this.field === '') {
        const nl = s.indexOf('\n', i);
        if (nl !== -1) {
          if (nextQuote !== -1 && nextQuote < i) nextQuote = -1;
          if (nextQuote === -1) nextQuote = s.indexOf('"', i);
          if (nextQuote === -1) nextQuote = n;
          if (nextCR !== -1 && nextCR < i) nextCR = -1;
          if (nextCR === -1) nextCR = s.indexOf('\r', i);
          if (nextCR === -1) nextCR = n;
          let end = nl;
          if (nextCR === nl - 1 && nl > i) end = nl - 1;
          if (nextQuote > nl && (nextCR >= end || nextCR > nl)) {
            if (end === i) {
              this.cut(i, nl + 1);
            } else {
              this.fastRow(s, i, end);
              this.rowDone(nl + 1, out);
            }
            this.line++;
            this.recordLine = this.line;
            i = nl + 1;
            continue;
          }
        }
      }
      if (this.state === State.Quoted) {
        const q = s.indexOf('"', i);
        const stop = q === -1 ? n : q;
        this.line += countNewlines(s, i, stop);
        this.field += s.slice(i, stop);
        if (q === -1) {
          i = n;
        } else {
          i = q + 1;
          this.state = State.AfterQuote;
        }
        continue;
      }
      const c = s.charCodeAt(i);
      if (c === QUOTE) {
        if (this.state === State.FieldStart) {
          this.state = State.Quoted;
        } else if (this.state === State.AfterQuote) {
          this.field += '"';
          this.state = State.Quoted;
        } else {
          throw this.error('a quote inside an unquoted field (quote the whole field and double the quote)');
        }
        i++;
        continue;
      }
      if (c === COMMA) {
        this.endField();
        i++;
        continue;
      }
      if (c === LF || c === CR) {
        if (this.state === State.FieldStart && this.fields.length === 0) {
          // A blank line: no row, and not written.
          this.cut(i, i + 1);
        } else {
          this.endField();
          this.slowRow();
          if (c === CR && !this.headerPending) {
            // Rows end in \n in the parts, whatever the file used.
            this.cut(i, i + 1);
            this.pieces.push('\n');
            this.pieceChars++;
            this.rowDone(i + 1, out);
          } else {
            this.rowDone(i + 1, out);
          }
        }
        this.line++;
        this.recordLine = this.line;
        this.skipLF = c === CR;
        i++;
        continue;
      }
      if (this.state === State.AfterQuote) throw this.error('unexpected text after a closing quote');
      let j = i + 1;
      while (j < n) {
        const d = s.charCodeAt(j);
        if (d === COMMA || d === LF || d === CR || d === QUOTE) break;
        j++;
      }
      this.field += s.slice(i, j);
      this.state = State.Unquoted;
      i = j;
    }
    if (this.segStart < n) {
      this.pieces.push(s.slice(this.segStart, n));
      this.pieceChars += n - this.segStart;
    }
    this.text = '';
    this.segStart = 0;
  }

  /** Leaves text[from, to) out of the output. */
  private cut(from: number, to: number): void {
    if (from > this.segStart) {
      this.pieces.push(this.text.slice(this.segStart, from));
      this.pieceChars += from - this.segStart;
    }
    this.segStart = to;
  }

  private error(message: string): CsvInputError {
    const column = this.columns?.[this.fields.length]?.name;
    return new CsvInputError(
      `line ${this.line}${column ? `, column "${column}"` : ''}: ${message}`,
      this.line,
      column,
    );
  }

  private endField(): void {
    this.fields.push(this.field);
    this.field = '';
    this.state = State.FieldStart;
  }

  /** A row without quotes, checked in place: fields found with indexOf, only typed ones sliced. */
  private fastRow(s: string, start: number, end: number): void {
    const columns = this.columns!;
    const validators = this.validators;
    const width = columns.length;
    let from = start;
    let k = 0;
    for (;;) {
      let comma = s.indexOf(',', from);
      if (comma === -1 || comma > end) comma = end;
      if (k < width && comma > from && !this.isString[k]) {
        const value = s.slice(from, comma);
        if (!validators[k]!(value)) {
          const column = columns[k]!;
          throw new CsvInputError(
            `line ${this.recordLine}, column "${column.name}": ${shown(value)} is not a valid ${column.type}`,
            this.recordLine,
            column.name,
          );
        }
      }
      k++;
      if (comma === end) break;
      from = comma + 1;
    }
    if (k !== width) throw this.fieldCountError(k);
  }

  private fieldCountError(found: number): CsvInputError {
    const columns = this.columns!;
    return new CsvInputError(
      `line ${this.recordLine}: expected ${columns.length} fields (${columns.map((c) => c.name).join(', ')}), found ${found}`,
      this.recordLine,
    );
  }

  private checkRow(fields: string[]): void {
    const columns = this.columns!;
    if (fields.length !== columns.length) throw this.fieldCountError(fields.length);
    for (const k of this.typed) {
      const value = fields[k]!;
      if (value !== '' && !this.validators[k]!(value)) {
        const column = columns[k]!;
        throw new CsvInputError(
          `line ${this.recordLine}, column "${column.name}": ${shown(value)} is not a valid ${column.type}`,
          this.recordLine,
          column.name,
        );
      }
    }
  }

  /** A row read field by field (quotes, or split across chunks): the header, or a row to check. */
  private slowRow(): void {
    const fields = this.fields;
    this.fields = [];
    if (this.header === undefined) {
      this.header = fields;
      // The header is not written: drop everything up to here.
      this.pieces = [];
      this.pieceChars = 0;
      this.headerPending = true;
      return;
    }
    this.resolve(fields.length);
    this.checkRow(fields);
  }

  private resolve(firstRowFields: number): void {
    if (this.columns) return;
    this.columns = this.options.resolveColumns(this.header ?? null, firstRowFields);
    this.validators = this.columns.map((c) => validatorFor(c.type));
    this.typed = this.columns.flatMap((c, k) => (c.type.toUpperCase() === 'STRING' ? [] : [k]));
    this.isString = this.columns.map((c) => c.type.toUpperCase() === 'STRING');
  }

  /** After a row (or the header) that ends at `end` in the current text. */
  private rowDone(end: number, out: Buffer[]): void {
    if (this.headerPending) {
      this.headerPending = false;
      this.segStart = Math.max(this.segStart, end);
      return;
    }
    this.rows++;
    if (this.pieceChars + (end - this.segStart) >= this.options.partSizeBytes) {
      if (end > this.segStart) this.pieces.push(this.text.slice(this.segStart, end));
      this.segStart = end;
      this.flush(out);
    }
  }

  private flush(out: Buffer[]): void {
    if (this.pieces.length === 0) return;
    out.push(Buffer.from(this.pieces.join(''), 'utf8'));
    this.pieces = [];
    this.pieceChars = 0;
    this.parts++;
  }
}

/** Quotes a value for CSV when it needs it; null and undefined become an empty field. */
export function csvField(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text =
    typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}
