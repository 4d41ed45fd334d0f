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
    default:
      return empty(typed);
  }
}

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
    this.prefixes = columns.map((name, i) => `${i ? ',' : '{'}${JSON.stringify(name)}:`);
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
    const buf = this.carry
      ? Buffer.concat([this.carry, chunk])
      : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    let end = -1;
    let inQuotes = this.inQuotes;
    for (let i = this.carry ? this.scanned : 0; i < buf.length; i++) {
      const c = buf[i];
      if (c === QUOTE) inQuotes = !inQuotes;
      else if (c === LF && !inQuotes) end = i;
    }
    if (end === -1) {
      this.carry = buf;
      this.scanned = buf.length;
      this.inQuotes = inQuotes;
      return [];
    }
    const rest = buf.subarray(end + 1);
    this.carry = rest.length ? Buffer.from(rest) : null;
    this.scanned = rest.length;
    this.inQuotes = inQuotes;
    return parseRecords(buf.toString('utf8', 0, end + 1));
  }

  /** The last row, when the body did not end with a line end; throws on an open quote. */
  end(): Array<Array<string | null>> {
    if (this.inQuotes) throw new BodyReadError("Domo's CSV ended inside a quoted field");
    if (!this.carry || this.carry.length === 0) return [];
    const text = this.carry.toString('utf8');
    this.carry = null;
    return parseRecords(`${text}\n`);
  }
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
