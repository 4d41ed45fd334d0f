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

const LONG = /^[+-]?\d{1,19}$/;
const DOUBLE = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const DECIMAL = /^[+-]?(\d{0,28})(?:\.(\d*))?$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATETIME = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?)?Z?$/;
const INT64_MAX = 9_223_372_036_854_775_807n;
const INT64_MIN = -9_223_372_036_854_775_808n;

function validDay(y: string, m: string, d: string): boolean {
  const month = Number(m);
  const day = Number(d);
  if (month < 1 || month > 12 || day < 1) return false;
  return day <= new Date(Date.UTC(Number(y), month, 0)).getUTCDate();
}

/** Whether a value parses as a Domo column type; an empty field is a null and fits any type. */
export const VALIDATORS: Record<string, Validator> = {
  STRING: () => true,
  LONG: (v) => {
    if (!LONG.test(v)) return false;
    if (v.replace(/^[+-]/, '').length < 19) return true;
    const n = BigInt(v);
    return n <= INT64_MAX && n >= INT64_MIN;
  },
  DOUBLE: (v) => DOUBLE.test(v),
  // The sandbox (and Domo's default) keeps DECIMAL(38,10): at most 28 digits before the point.
  DECIMAL: (v) => {
    const m = DECIMAL.exec(v);
    return m !== null && (m[1] !== '' || (m[2] ?? '') !== '');
  },
  DATE: (v) => {
    const m = DATE.exec(v);
    return m !== null && validDay(m[1]!, m[2]!, m[3]!);
  },
  DATETIME: (v) => {
    const m = DATETIME.exec(v);
    if (!m || !validDay(m[1]!, m[2]!, m[3]!)) return false;
    return Number(m[4] ?? 0) < 24 && Number(m[5] ?? 0) < 60 && Number(m[6] ?? 0) < 60;
  },
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
  /** Raw text of the current, unfinished record carried over from earlier chunks. */
  private pendingRaw = '';
  private pieces: string[] = [];
  private pieceChars = 0;
  private header: string[] | null | undefined;
  private columns: CsvColumn[] | undefined;
  private validators: Validator[] = [];
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
      this.endField();
      this.endRecord(this.pendingRaw, out);
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

  private invalidUtf8(chunk: Uint8Array): CsvInputError {
    // Locate the first bad sequence by decoding leniently; the line is exact unless a multi-byte
    // character straddled the previous chunk.
    const lenient = new TextDecoder('utf-8').decode(chunk);
    const at = lenient.indexOf('\uFFFD');
    const line = this.line + countNewlines(lenient, 0, at === -1 ? lenient.length : at);
    return new CsvInputError(`invalid UTF-8 on line ${line}`, line);
  }

  private parse(s: string, out: Buffer[]): void {
    const n = s.length;
    let i = 0;
    let rawStart = 0;
    while (i < n) {
      if (this.skipLF) {
        this.skipLF = false;
        if (s.charCodeAt(i) === LF) {
          i++;
          rawStart = i;
          continue;
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
          // A blank line: skipped, it is no row.
        } else {
          this.endField();
          this.endRecord(this.pendingRaw + s.slice(rawStart, i), out);
        }
        this.pendingRaw = '';
        this.line++;
        this.recordLine = this.line;
        this.skipLF = c === CR;
        i++;
        rawStart = i;
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
    if (rawStart < n) this.pendingRaw += s.slice(rawStart);
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

  private endRecord(raw: string, out: Buffer[]): void {
    const fields = this.fields;
    this.fields = [];
    const line = this.recordLine;
    if (this.header === undefined) {
      this.header = fields;
      return;
    }
    if (!this.columns) {
      this.columns = this.options.resolveColumns(this.header, fields.length);
      this.validators = this.columns.map((c) => validatorFor(c.type));
    }
    const columns = this.columns;
    if (fields.length !== columns.length) {
      throw new CsvInputError(
        `line ${line}: expected ${columns.length} fields (${columns.map((c) => c.name).join(', ')}), found ${fields.length}`,
        line,
      );
    }
    for (let k = 0; k < fields.length; k++) {
      const value = fields[k]!;
      if (value !== '' && !this.validators[k]!(value)) {
        const column = columns[k]!;
        throw new CsvInputError(
          `line ${line}, column "${column.name}": ${shown(value)} is not a valid ${column.type}`,
          line,
          column.name,
        );
      }
    }
    this.rows++;
    this.pieces.push(raw, '\n');
    this.pieceChars += raw.length + 1;
    if (this.pieceChars >= this.options.partSizeBytes) this.flush(out);
  }

  private flush(out: Buffer[]): void {
    if (this.pieceChars === 0) return;
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
