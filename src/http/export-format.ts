/**
 * The export route's two formats, written a batch of rows at a time (one string per upstream chunk):
 * - CSV (RFC 4180 quoting, LF line ends, a header row): Domo's own dialect, nulls as a bare `\N` and
 *   the text `\N` quoted, so a file exported whole and one exported from a query read the same;
 * - NDJSON: one JSON object per row keyed by column name, values typed by the column's Domo type
 *   (numbers as numbers, nulls as null, DATE as YYYY-MM-DD, DATETIME as ISO-8601 UTC).
 * And the reading of Domo's CSV: rows counted as they pass through (format=csv), or cut into records
 * (format=ndjson), a row split across chunks carried to the next.
 */
import { Buffer } from 'node:buffer';
import { BodyReadError } from '../domo/body.ts';
import { type ColumnType, outputValue } from '../rows/values.ts';

const QUOTE = 0x22;
const LF = 0x0a;

/** A Domo CSV null. */
const NULL_TEXT = '\\N';

/** One CSV field; null is `\N`, the text `\N` quoted. */
export function csvField(value: unknown): string {
  if (value === null || value === undefined) return NULL_TEXT;
  const text =
    typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value);
  if (text === NULL_TEXT || /[",\r\n]/.test(text)) return `"${text.replaceAll('"', '""')}"`;
  return text;
}

export function csvLine(values: readonly unknown[]): string {
  let line = '';
  for (let i = 0; i < values.length; i++) line += (i ? ',' : '') + csvField(values[i]);
  return `${line}\n`;
}

/** JSON text of a value already typed. */
function jsonValue(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : 'null';
  return JSON.stringify(value);
}

/** Whole numbers JSON and JS read exactly (up to 15 digits): passed through as text. */
const PLAIN_LONG = /^-?(?:0|[1-9]\d{0,14})$/;
/** A decimal without exponent, up to 15 digits each side (its double is exact to 15 digits). */
const PLAIN_DECIMAL = /^-?(?:0|[1-9]\d{0,14})(?:\.\d{1,15})?$/;
const PLAIN_DATE = /^\d{4}-\d{2}-\d{2}$/;
/** `YYYY-MM-DD HH:MM:SS` or with `T`, optionally `.fff`: the DATETIME text Domo sends. */
const PLAIN_DATETIME = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:\.\d{3})?$/;

/**
 * The JSON number JS writes for a PLAIN_DECIMAL text (what `String(Number(text))` gives), without
 * parsing it: trailing fraction zeros dropped. Null where JS would write it otherwise (more than 15
 * digits, which may not round-trip; below 1e-6, which JS writes with an exponent; -0, written 0).
 */
function decimalText(text: string): string | null {
  let end = text.length;
  const dot = text.indexOf('.');
  if (dot !== -1) {
    while (text.charCodeAt(end - 1) === 0x30) end--;
    if (end === dot + 1) end = dot;
  }
  const negative = text.charCodeAt(0) === 0x2d ? 1 : 0;
  const digits = end - negative - (end > dot && dot !== -1 ? 1 : 0);
  if (digits > 15) return null;
  if (end === negative + 1 && text.charCodeAt(negative) === 0x30) return negative ? null : '0';
  // 0.000000x and smaller: JS writes 1e-7.
  if (text.charCodeAt(negative) === 0x30 && text.startsWith('000000', dot + 1)) return null;
  return end === text.length ? text : text.slice(0, end);
}

const digit = (text: string, at: number) => text.charCodeAt(at) - 0x30;
const two = (text: string, at: number) => digit(text, at) * 10 + digit(text, at + 1);

/**
 * The JSON of a PLAIN_DATETIME text as outputValue writes it (ISO-8601 UTC with milliseconds),
 * without a Date, for the fields no calendar rule can move (days up to 28, hours to 23); null for
 * the others, which go the long way.
 */
function dateTimeJson(text: string): string | null {
  const month = two(text, 5);
  if (month < 1 || month > 12 || two(text, 8) < 1 || two(text, 8) > 28) return null;
  if (two(text, 11) > 23 || two(text, 14) > 59 || two(text, 17) > 59) return null;
  const time = text.slice(11);
  return `"${text.slice(0, 10)}T${time}${time.length === 8 ? '.000Z"' : 'Z"'}`;
}

/**
 * The JSON text of one column's values, typed by its Domo type (as outputValue types them), with
 * the common cases written without building a typed value first. `fromText`: values come from CSV,
 * where an empty field of a non-STRING column is null.
 */
function columnWriter(type: ColumnType | null, fromText: boolean): (value: unknown) => string {
  if (type === null) return jsonValue;
  const typed = (value: unknown) => jsonValue(outputValue(type, value));
  const empty = (write: (value: unknown) => string) =>
    fromText && type !== 'STRING'
      ? (value: unknown) => (value === '' || value === null ? 'null' : write(value))
      : write;
  switch (type) {
    case 'STRING':
      return (value) => (typeof value === 'string' ? JSON.stringify(value) : typed(value));
    case 'LONG':
      return empty((value) => (typeof value === 'string' && PLAIN_LONG.test(value) ? value : typed(value)));
    case 'DOUBLE':
    case 'DECIMAL':
      return empty((value) =>
        typeof value === 'number'
          ? jsonValue(value)
          : (typeof value === 'string' && PLAIN_DECIMAL.test(value) && decimalText(value)) || typed(value),
      );
    case 'DATE':
      return empty((value) =>
        typeof value === 'string' && PLAIN_DATE.test(value) ? `"${value}"` : typed(value),
      );
    case 'DATETIME':
      return empty(
        (value) =>
          (typeof value === 'string' && PLAIN_DATETIME.test(value) && dateTimeJson(value)) || typed(value),
      );
  }
  return empty(typed);
}

/** The `{"name":` and `,"name":` that open each column's value in a line. */
const prefixesOf = (columns: readonly string[]) =>
  columns.map((name, i) => `${i ? ',' : '{'}${JSON.stringify(name)}:`);

/**
 * Writes rows as NDJSON lines. `types[i]` types column i (null: the value stays as Domo's JSON gave
 * it); a value read from CSV text is typed the same way, an empty field of a non-STRING column null.
 */
export class NdjsonWriter {
  private readonly prefixes: string[];
  private readonly writers: Map<boolean, Array<(value: unknown) => string>> = new Map();
  constructor(
    columns: readonly string[],
    private readonly types: ReadonlyArray<ColumnType | null>,
  ) {
    this.prefixes = prefixesOf(columns);
  }

  lines(rows: ReadonlyArray<readonly unknown[]>, fromText = false): string {
    const { prefixes } = this;
    let writers = this.writers.get(fromText);
    if (!writers) {
      writers = prefixes.map((_, i) => columnWriter(this.types[i] ?? null, fromText));
      this.writers.set(fromText, writers);
    }
    const n = prefixes.length;
    let out = '';
    for (const row of rows) {
      let line = '';
      for (let i = 0; i < n; i++) line += prefixes[i]! + writers[i]!(row[i]);
      out += n ? `${line}}\n` : '{}\n';
    }
    return out;
  }
}

/** How a column's bytes are written when they have the common form (else: its columnWriter). */
enum Kind {
  Text,
  Long,
  Number,
  Date,
  DateTime,
}

const kindOf = (type: ColumnType | null): Kind =>
  type === 'LONG'
    ? Kind.Long
    : type === 'DOUBLE' || type === 'DECIMAL'
      ? Kind.Number
      : type === 'DATE'
        ? Kind.Date
        : type === 'DATETIME'
          ? Kind.DateTime
          : Kind.Text;

const COMMA = 0x2c;
const CR = 0x0d;
const ZERO = 0x30;
const MINUS = 0x2d;
const DOT = 0x2e;
const BACKSLASH = 0x5c;
const isDigit = (c: number) => c >= ZERO && c <= 0x39;
const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const NULL_JSON = Buffer.from('null');
const LINE_END = Buffer.from('}\n');
const EMPTY_LINE = Buffer.from('{}\n');
const NO_MILLIS = Buffer.from('.000Z"');
const UTC_END = Buffer.from('Z"');

/**
 * Domo's CSV rows written as NDJSON lines byte for byte: the whole-dataset NDJSON export's hot path.
 * The common values (plain whole numbers and decimals, `YYYY-MM-DD`, `YYYY-MM-DD HH:MM:SS[.fff]`,
 * ASCII text without quotes or escapes, `\N`, empty fields) are copied from the CSV's bytes with
 * what JSON needs around them; any other field is decoded and written by its column's writer, as
 * NdjsonWriter writes the records parseRecords reads (a missing field null, an extra one left out).
 */
export class CsvNdjsonWriter {
  private readonly prefixes: Buffer[];
  private readonly kinds: Kind[];
  private readonly writers: Array<(value: unknown) => string>;
  private out: Buffer = Buffer.alloc(0);
  private at = 0;
  constructor(columns: readonly string[], types: ReadonlyArray<ColumnType | null>) {
    this.prefixes = prefixesOf(columns).map((prefix) => Buffer.from(prefix));
    this.kinds = this.prefixes.map((_, i) => kindOf(types[i] ?? null));
    this.writers = this.prefixes.map((_, i) => columnWriter(types[i] ?? null, true));
  }

  /** NDJSON of complete CSV rows (each ends with LF or CRLF), in a Buffer of its own, and its rows. */
  lines(buf: Uint8Array): { bytes: Buffer; rows: number } {
    const { prefixes, kinds } = this;
    const width = prefixes.length;
    this.out = Buffer.allocUnsafe(buf.length * 3 + 1024);
    this.at = 0;
    const n = buf.length;
    let rows = 0;
    let i = 0;
    while (i < n) {
      let column = 0;
      for (;;) {
        let start = i;
        let end: number;
        /** A byte JSON text must escape, or one that is not ASCII: the field goes the long way. */
        let plain = true;
        if (buf[i] === QUOTE) {
          // Quoted: its end found here, its value written the long way.
          let q = i + 1;
          for (;;) {
            while (q < n && buf[q] !== QUOTE) q++;
            if (q >= n) throw new BodyReadError("Domo's CSV has an unterminated quoted field");
            if (buf[q + 1] === QUOTE) {
              q += 2;
              continue;
            }
            break;
          }
          if (column < width) {
            const value = Buffer.from(buf.buffer, buf.byteOffset + i + 1, q - i - 1)
              .toString('utf8')
              .replaceAll('""', '"');
            this.copy(prefixes[column]!);
            this.text(this.writers[column]!(value));
          }
          i = q + 1;
        } else {
          let c = buf[i]!;
          while (c !== COMMA && c !== LF) {
            if (c < 0x20 || c === QUOTE || c === BACKSLASH || c > 0x7e) plain = false;
            c = buf[++i]!;
            if (i >= n) throw new BodyReadError("Domo's CSV row has no line end");
          }
          end = i;
          if (c === LF && end > start && buf[end - 1] === CR) end--;
          if (column < width) {
            this.copy(prefixes[column]!);
            this.field(buf, start, end, plain, column, kinds[column]!);
          }
          start = i;
        }
        column++;
        const c = buf[i];
        if (c === COMMA) {
          i++;
          continue;
        }
        if (c === CR && buf[i + 1] === LF) i++;
        if (buf[i] === LF) {
          i++;
          break;
        }
        throw new BodyReadError(`Domo's CSV has text after a quoted field (row ${rows + 1})`);
      }
      for (; column < width; column++) {
        this.copy(prefixes[column]!);
        this.copy(NULL_JSON);
      }
      this.copy(width ? LINE_END : EMPTY_LINE);
      rows++;
    }
    const bytes = this.out.subarray(0, this.at);
    this.out = Buffer.alloc(0);
    return { bytes, rows };
  }

  /** One unquoted field, bytes [s, e): copied where its form is the common one. */
  private field(buf: Uint8Array, s: number, e: number, plain: boolean, column: number, kind: Kind) {
    const length = e - s;
    if (length === 2 && buf[s] === BACKSLASH && buf[s + 1] === 0x4e) return this.copy(NULL_JSON);
    if (plain) {
      switch (kind) {
        case Kind.Text:
          this.ensure(length + 2);
          this.out[this.at++] = QUOTE;
          this.bytesOf(buf, s, e);
          this.out[this.at++] = QUOTE;
          return;
        case Kind.Long:
          if (length === 0) return this.copy(NULL_JSON);
          if (plainLong(buf, s, e)) return this.bytesOf(buf, s, e);
          break;
        case Kind.Number: {
          if (length === 0) return this.copy(NULL_JSON);
          const to = plainDecimalEnd(buf, s, e);
          if (to > 0) return this.bytesOf(buf, s, to);
          break;
        }
        case Kind.Date:
          if (length === 0) return this.copy(NULL_JSON);
          if (length === 10 && plainDate(buf, s)) {
            this.ensure(12);
            this.out[this.at++] = QUOTE;
            this.bytesOf(buf, s, e);
            this.out[this.at++] = QUOTE;
            return;
          }
          break;
        case Kind.DateTime:
          if (length === 0) return this.copy(NULL_JSON);
          if ((length === 19 || (length === 23 && buf[s + 19] === DOT)) && plainDateTime(buf, s, length)) {
            this.ensure(length + 8);
            const out = this.out;
            out[this.at++] = QUOTE;
            this.bytesOf(buf, s, s + 10);
            out[this.at++] = 0x54; // T
            this.bytesOf(buf, s + 11, e);
            this.copy(length === 19 ? NO_MILLIS : UTC_END);
            return;
          }
          break;
      }
    }
    const value = Buffer.from(buf.buffer, buf.byteOffset + s, length).toString('utf8');
    this.text(this.writers[column]!(value));
  }

  private ensure(bytes: number) {
    if (this.at + bytes <= this.out.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.out.length * 2, this.at + bytes));
    this.out.copy(grown, 0, 0, this.at);
    this.out = grown;
  }

  private bytesOf(buf: Uint8Array, s: number, e: number) {
    this.ensure(e - s);
    const out = this.out;
    let at = this.at;
    for (let k = s; k < e; k++) out[at++] = buf[k]!;
    this.at = at;
  }

  private copy(bytes: Buffer) {
    this.bytesOf(bytes, 0, bytes.length);
  }

  private text(text: string) {
    this.ensure(text.length * 3);
    this.at += this.out.write(text, this.at, 'utf8');
  }
}

/** As PLAIN_LONG: up to 15 digits, no leading zero. */
function plainLong(buf: Uint8Array, s: number, e: number): boolean {
  const from = buf[s] === MINUS ? s + 1 : s;
  const digits = e - from;
  if (digits < 1 || digits > 15 || (buf[from] === ZERO && digits > 1)) return false;
  for (let k = from; k < e; k++) if (!isDigit(buf[k]!)) return false;
  return true;
}

/** As PLAIN_DECIMAL then decimalText: where the JSON number's bytes end, or 0 to go the long way. */
function plainDecimalEnd(buf: Uint8Array, s: number, e: number): number {
  const from = buf[s] === MINUS ? s + 1 : s;
  let k = from;
  while (k < e && isDigit(buf[k]!)) k++;
  const whole = k - from;
  if (whole < 1 || whole > 15 || (buf[from] === ZERO && whole > 1)) return 0;
  if (k === e) return buf[from] === ZERO && from > s ? 0 : e;
  if (buf[k] !== DOT) return 0;
  const dot = k++;
  while (k < e && isDigit(buf[k]!)) k++;
  if (k !== e || e - dot - 1 < 1 || e - dot - 1 > 15) return 0;
  let to = e;
  while (buf[to - 1] === ZERO) to--;
  if (to === dot + 1) to = dot;
  const digits = to - from - (to > dot ? 1 : 0);
  if (digits > 15) return 0;
  if (buf[from] === ZERO) {
    // 0 and -0 (JS writes 0), and below 1e-6 (JS writes an exponent): the long way.
    if (to === dot) return from > s ? 0 : to;
    for (let z = dot + 1; z < dot + 7; z++) if (buf[z] !== ZERO) return to;
    return 0;
  }
  return to;
}

function plainDate(buf: Uint8Array, s: number): boolean {
  for (let k = 0; k < 10; k++) {
    const c = buf[s + k]!;
    if (k === 4 || k === 7 ? c !== MINUS : !isDigit(c)) return false;
  }
  return true;
}

const num2 = (buf: Uint8Array, at: number) => (buf[at]! - ZERO) * 10 + (buf[at + 1]! - ZERO);

/** As PLAIN_DATETIME then dateTimeJson: a valid day and time, written without a Date. */
function plainDateTime(buf: Uint8Array, s: number, length: number): boolean {
  if (!plainDate(buf, s)) return false;
  const sep = buf[s + 10];
  if (sep !== 0x20 && sep !== 0x54) return false;
  for (let k = 11; k < length; k++) {
    const c = buf[s + k]!;
    if (k === 13 || k === 16 ? c !== 0x3a : k === 19 ? c !== DOT : !isDigit(c)) return false;
  }
  const year = num2(buf, s) * 100 + num2(buf, s + 2);
  const month = num2(buf, s + 5);
  const day = num2(buf, s + 8);
  if (month < 1 || month > 12 || day < 1) return false;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  if (day > (month === 2 && leap ? 29 : DAYS[month - 1]!)) return false;
  return num2(buf, s + 11) <= 23 && num2(buf, s + 14) <= 59 && num2(buf, s + 17) <= 59;
}

/** Counts CSV rows as bytes pass (quote parity across chunks); the header line is not a row. */
export class CsvRowCounter {
  lines = 0;
  private inQuotes = false;
  /** Bytes seen since the last row end (a last line without LF still counts). */
  private open = false;

  write(buf: Uint8Array): void {
    const b = buf as Buffer;
    const n = b.length;
    let i = 0;
    let quote = -2;
    while (i < n) {
      if (this.inQuotes) {
        const q = b.indexOf(QUOTE, i);
        if (q === -1) {
          i = n;
          break;
        }
        this.inQuotes = false;
        i = q + 1;
        continue;
      }
      if (quote < i && quote !== -1) quote = b.indexOf(QUOTE, i);
      const nl = b.indexOf(LF, i);
      if (nl === -1 && quote === -1) break;
      if (quote !== -1 && (nl === -1 || quote < nl)) {
        this.inQuotes = true;
        i = quote + 1;
        continue;
      }
      this.lines++;
      i = nl + 1;
    }
    if (n) this.open = b[n - 1] !== LF || this.inQuotes;
  }

  /** Rows, the header line left out. */
  rows(header: boolean): number {
    const lines = this.lines + (this.open ? 1 : 0);
    return Math.max(0, lines - (header ? 1 : 0));
  }
}

/** Domo's CSV cut into records (`\N` bare is null), complete rows only; a split row is carried. */
export class CsvRecordReader {
  private carry: Buffer | null = null;
  private inQuotes = false;
  /** Where the quote scan of `carry` stopped. */
  private scanned = 0;

  /** Records of the complete rows so far. */
  write(chunk: Uint8Array): Array<Array<string | null>> {
    const text = this.text(chunk);
    return text ? parseRecords(text) : [];
  }

  /** The last row, when the body did not end with a line end; throws on an open quote. */
  end(): Array<Array<string | null>> {
    const text = this.endText();
    return text ? parseRecords(text) : [];
  }

  /** The text of the complete rows so far ('' while none is), for parseRecords. */
  text(chunk: Uint8Array): string {
    return this.bytes(chunk)?.toString('utf8') ?? '';
  }

  /** The bytes of the complete rows so far (null while none is), for CsvNdjsonWriter. */
  bytes(chunk: Uint8Array): Buffer | null {
    const buf = this.carry
      ? Buffer.concat([this.carry, chunk])
      : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    // The last line end outside quotes: found between quotes with indexOf, never byte by byte.
    let end = -1;
    let inQuotes = this.inQuotes;
    for (let at = this.carry ? this.scanned : 0; ; ) {
      const quote = buf.indexOf(QUOTE, at);
      if (!inQuotes) {
        if (quote === -1) {
          const last = buf.lastIndexOf(LF);
          if (last >= at) end = last;
        } else {
          for (let nl = buf.indexOf(LF, at); nl !== -1 && nl < quote; nl = buf.indexOf(LF, nl + 1)) end = nl;
        }
      }
      if (quote === -1) break;
      inQuotes = !inQuotes;
      at = quote + 1;
    }
    this.inQuotes = inQuotes;
    if (end === -1) {
      this.carry = buf;
      this.scanned = buf.length;
      return null;
    }
    const rest = buf.subarray(end + 1);
    this.carry = rest.length ? Buffer.from(rest) : null;
    this.scanned = rest.length;
    return buf.subarray(0, end + 1);
  }

  /** The last row's text with a line end, when the body did not end with one; throws on an open quote. */
  endText(): string {
    return this.endBytes()?.toString('utf8') ?? '';
  }

  /** endText() as bytes (null when there is no last row). */
  endBytes(): Buffer | null {
    if (this.inQuotes) throw new BodyReadError("Domo's CSV ended inside a quoted field");
    if (!this.carry || this.carry.length === 0) return null;
    const bytes = Buffer.concat([this.carry, Buffer.from('\n')]);
    this.carry = null;
    return bytes;
  }
}

/** Where the first row of complete CSV rows ends (after its LF): the header, read apart. */
export function firstRowEnd(text: string): number {
  let inQuotes = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) inQuotes = !inQuotes;
    else if (c === LF && !inQuotes) return i + 1;
  }
  return text.length;
}

/** Records of complete CSV rows (each ends with LF or CRLF). */
export function parseRecords(text: string): Array<Array<string | null>> {
  const out: Array<Array<string | null>> = [];
  const n = text.length;
  let i = 0;
  let comma = -2;
  let nl = -2;
  while (i < n) {
    const record: Array<string | null> = [];
    for (;;) {
      if (text.charCodeAt(i) === QUOTE) {
        let value = '';
        let from = i + 1;
        for (;;) {
          const q = text.indexOf('"', from);
          if (q === -1) throw new BodyReadError("Domo's CSV has an unterminated quoted field");
          value += text.slice(from, q);
          if (text.charCodeAt(q + 1) === QUOTE) {
            value += '"';
            from = q + 2;
            continue;
          }
          i = q + 1;
          break;
        }
        record.push(value);
      } else {
        if (comma < i && comma !== -1) comma = text.indexOf(',', i);
        if (nl < i) nl = text.indexOf('\n', i);
        const end = comma !== -1 && comma < nl ? comma : nl;
        let value = text.slice(i, end);
        if (end === nl && value.endsWith('\r')) value = value.slice(0, -1);
        record.push(value === NULL_TEXT ? null : value);
        i = end;
      }
      const c = text.charCodeAt(i);
      if (c === 0x2c) {
        i++;
        continue;
      }
      if (c === 0x0d && text.charCodeAt(i + 1) === LF) i++;
      if (text.charCodeAt(i) === LF) {
        i++;
        break;
      }
      throw new BodyReadError(`Domo's CSV has text after a quoted field (row ${out.length + 1})`);
    }
    out.push(record);
  }
  return out;
}
