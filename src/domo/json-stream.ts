/**
 * Domo's SQL answer read as it arrives, in memory bounded by the rows kept rather than by the
 * answer's size. Both shapes (DOMO-NOTES.md "SQL query"): the API doc's `[{col: value}, …]` and
 * real instances' `{datasource, columns, metadata, rows, numRows, …}`, keys in any order.
 *
 * Not a general streaming JSON parser: a byte scanner finds where each row begins and ends (strings,
 * escapes, nesting) and checks the structure around the rows; the rows themselves, and the few small
 * values beside them, go through the native JSON.parse, a whole batch of complete rows per chunk in
 * one call. That keeps the cost near JSON.parse of the same body, where a token-by-token parser in JS
 * (@streamparser/json) measured several times slower (see the commit).
 * UTF-8 needs no care: bytes of a multi-byte character are all >= 0x80 and never look structural, and
 * text is only cut at structural bytes.
 */
import { Buffer } from 'node:buffer';
import { BodyReadError, type BodyReader } from './body.ts';
import type { QueryAnswer } from './query.ts';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_LIST = 0x5b;
const CLOSE_LIST = 0x5d;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const BOM = [0xef, 0xbb, 0xbf];

/** `start` of a row or value that began in an earlier chunk. */
const EARLIER = -1;
/** `start` of a row past the cap: scanned, not kept. */
const SKIPPED = -2;

const isSpace = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

export interface SqlAnswerOptions {
  /** Rows to keep; one more is read to know the answer was cut (`truncated`), then reading stops. */
  maxRows?: number;
  /** Largest single row or value, in bytes (DOMO_MAX_RESPONSE_BYTES): one huge value cannot fill memory. */
  maxValueBytes: number;
}

type Mode =
  | 'start'
  | 'key' // expecting a key ('{' or ',' just read)
  | 'key-or-end' // just after '{'
  | 'colon'
  | 'value-start'
  | 'value' // inside a key or a value other than rows
  | 'after-value'
  | 'rows'
  | 'trailer';

/** Where the scanner is in the rows list: before the first row, after a comma, or after a row. */
type RowsExpect = 'first' | 'row' | 'separator';

export class SqlAnswerReader implements BodyReader<QueryAnswer> {
  private readonly maxRows: number;
  private readonly maxValueBytes: number;
  private mode: Mode = 'start';
  private shape: 'objects' | 'columns' | null = null;
  /** Bytes of the body before the current chunk, for positions in messages. */
  private offset = 0;
  private bom = 0;

  // Scanner state, kept across chunks.
  private depth = 0;
  private inString = false;
  private escaped = false;
  private scalar = false;
  private readingKey = false;
  /** Start of the open value or row in the current chunk, or EARLIER, or SKIPPED. */
  private start = EARLIER;
  /** Earlier chunks' bytes of the open value or row (only while it is kept). */
  private parts: Buffer[] = [];
  private partsBytes = 0;

  // Rows of the current chunk not parsed yet: complete rows from batchStart to batchEnd.
  private batchStart = -1;
  private batchEnd = -1;
  private batchCount = 0;

  private expect: RowsExpect = 'first';
  private key = '';
  private columns: string[] | null = null;
  private metadata: unknown;
  private sawRows = false;
  private rows: unknown[] = [];
  /** Rows handed on by takeRows() (a streamed read), no longer in `rows`. */
  private taken = 0;
  /** Rows seen, kept or not. */
  private seen = 0;
  private enough = false;

  constructor(options: SqlAnswerOptions) {
    this.maxRows = options.maxRows ?? Number.POSITIVE_INFINITY;
    this.maxValueBytes = options.maxValueBytes;
  }

  /** Takes the next chunk; true once the kept rows, one more and the columns are in: stop reading. */
  write(chunk: Uint8Array): boolean {
    if (this.enough) return true;
    const buf = Buffer.isBuffer(chunk)
      ? chunk
      : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const n = buf.length;
    let i = 0;
    while (i < n && !this.enough) i = this.step(buf, i);
    if (this.mode === 'rows') this.flushBatch(buf);
    if (!this.enough) this.carry(buf);
    this.offset += n;
    return this.enough;
  }

  /**
   * The rows parsed so far, handed over and forgotten (query-pages.ts reads a huge answer so, page
   * by page): a row of the doc's shape is an object, else a list. end() then has only the rest.
   */
  takeRows(): unknown[] {
    const rows = this.rows;
    this.rows = [];
    this.taken += rows.length;
    return rows;
  }

  /** The answer's columns and their types, once read (null before, and for the doc's shape). */
  header(): { columns: string[]; types: Array<string | null> } | null {
    if (!this.columns) return null;
    const metadata = Array.isArray(this.metadata) ? (this.metadata as unknown[]) : [];
    const types = this.columns.map((_, i) => {
      const type = (metadata[i] as { type?: unknown } | null | undefined)?.type;
      return typeof type === 'string' ? type : null;
    });
    return { columns: this.columns, types };
  }

  /** The answer's shape, once its first byte is read. */
  get answerShape(): 'objects' | 'columns' | null {
    return this.shape;
  }

  /** Domo had more rows than maxRows (known once write() said enough, or at the end). */
  get truncated(): boolean {
    return this.seen > this.maxRows;
  }

  /** The body ended, or reading stopped after write() said enough. */
  end(): QueryAnswer {
    if (!this.enough) {
      if (this.mode !== 'trailer') {
        if (this.mode === 'start') throw this.shapeError('the answer is empty');
        throw new BodyReadError(
          this.mode === 'rows' && this.depth > 0
            ? `Domo's answer was cut off in the middle of a row (after ${this.offset} bytes, ${this.seen} complete rows)`
            : `Domo's answer was cut off before its end (after ${this.offset} bytes)`,
        );
      }
    }
    return this.result();
  }

  private result(): QueryAnswer {
    const truncated = this.seen > this.maxRows;
    if (this.shape === 'objects') {
      const columns: string[] = [];
      const known = new Set<string>();
      for (const row of this.rows as Array<Record<string, unknown>>) {
        for (const key of Object.keys(row)) {
          if (!known.has(key)) {
            known.add(key);
            columns.push(key);
          }
        }
      }
      const rows = (this.rows as Array<Record<string, unknown>>).map((row) =>
        columns.map((column) => row[column] ?? null),
      );
      return { columns, types: columns.map(() => null), rows, truncated };
    }
    const header = this.header();
    if (!header || !this.sawRows) throw this.shapeError('neither a list of rows nor {columns, rows}');
    return { ...header, rows: this.rows as unknown[][], truncated };
  }

  /** Reads from `i` in the current mode; returns where it stopped. */
  private step(buf: Buffer, i: number): number {
    if (this.mode === 'rows') return this.scanRows(buf, i);
    if (this.mode === 'value') return this.scanValue(buf, i);
    const c = buf[i]!;
    if (this.mode === 'start' && this.bom === this.offset + i && c === BOM[this.bom]) {
      this.bom++;
      return i + 1;
    }
    if (isSpace(c)) return i + 1;
    switch (this.mode) {
      case 'start':
        if (c === OPEN_LIST) {
          this.shape = 'objects';
          this.enterRows();
        } else if (c === OPEN_OBJECT) {
          this.shape = 'columns';
          this.mode = 'key-or-end';
        } else throw this.shapeError('neither a list of rows nor {columns, rows}');
        return i + 1;
      case 'key-or-end':
      case 'key':
        if (c === CLOSE_OBJECT && this.mode === 'key-or-end') {
          this.mode = 'trailer';
          return i + 1;
        }
        if (c !== QUOTE) throw this.invalid('expected a key', this.offset + i);
        this.readingKey = true;
        this.openValue(i);
        this.inString = true;
        this.mode = 'value';
        return i + 1;
      case 'colon':
        if (c !== COLON) throw this.invalid("expected ':'", this.offset + i);
        this.mode = 'value-start';
        return i + 1;
      case 'value-start':
        if (this.key === 'rows') {
          if (this.sawRows) throw this.shapeError('two rows lists');
          if (c !== OPEN_LIST) throw this.shapeError('rows is not a list');
          this.sawRows = true;
          this.enterRows();
          return i + 1;
        }
        this.openValue(i);
        if (c === QUOTE) this.inString = true;
        else if (c === OPEN_LIST || c === OPEN_OBJECT) this.depth = 1;
        else if (c === 0x2d || (c >= 0x30 && c <= 0x39) || c === 0x74 || c === 0x66 || c === 0x6e)
          this.scalar = true;
        else throw this.invalid('expected a value', this.offset + i);
        this.mode = 'value';
        return i + 1;
      case 'after-value':
        if (c === COMMA) this.mode = 'key';
        else if (c === CLOSE_OBJECT) this.mode = 'trailer';
        else throw this.invalid("expected ',' or '}'", this.offset + i);
        return i + 1;
      default: // trailer
        throw this.invalid('text after the answer', this.offset + i);
    }
  }

  private enterRows(): void {
    this.mode = 'rows';
    this.expect = 'first';
    this.depth = 0;
  }

  private openValue(i: number): void {
    this.start = i;
    this.parts = [];
    this.partsBytes = 0;
    this.depth = 0;
    this.scalar = false;
  }

  /** A key or a value beside the rows: found whole, then parsed (so checked) by JSON.parse. */
  private scanValue(buf: Buffer, from: number): number {
    const n = buf.length;
    for (let i = from; i < n; i++) {
      const c = buf[i]!;
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (c === BACKSLASH) this.escaped = true;
        else if (c === QUOTE) {
          this.inString = false;
          if (this.depth === 0) return this.closeValue(buf, i + 1);
        }
      } else if (this.scalar) {
        if (isSpace(c) || c === COMMA || c === CLOSE_OBJECT || c === CLOSE_LIST)
          return this.closeValue(buf, i);
      } else if (c === QUOTE) this.inString = true;
      else if (c === OPEN_LIST || c === OPEN_OBJECT) this.depth++;
      else if (c === CLOSE_LIST || c === CLOSE_OBJECT) {
        if (--this.depth === 0) return this.closeValue(buf, i + 1);
      }
    }
    return n;
  }

  private closeValue(buf: Buffer, end: number): number {
    const value = this.parse(this.take(buf, end));
    this.start = EARLIER;
    this.scalar = false;
    if (this.readingKey) {
      this.readingKey = false;
      this.key = value as string;
      this.mode = 'colon';
      return end;
    }
    if (this.key === 'columns') {
      if (!Array.isArray(value)) throw this.shapeError('columns is not a list');
      // After the rows list only small values are left: read them (metadata's types among them).
      this.columns = value.map(String);
    } else if (this.key === 'metadata') this.metadata = value;
    this.mode = 'after-value';
    return end;
  }

  /**
   * The hot loop: finds each row's end with the least work per byte, batches the complete rows of
   * this chunk, and checks the separators between rows (the batch is parsed with them).
   */
  private scanRows(buf: Buffer, from: number): number {
    const n = buf.length;
    const opener = this.shape === 'objects' ? OPEN_OBJECT : OPEN_LIST;
    let depth = this.depth;
    let inString = this.inString;
    let escaped = this.escaped;
    let i = from;
    for (; i < n; i++) {
      const c = buf[i]!;
      if (inString) {
        if (escaped) escaped = false;
        else if (c === BACKSLASH) escaped = true;
        else if (c === QUOTE) inString = false;
        continue;
      }
      if (depth > 0) {
        if (c === QUOTE) inString = true;
        else if (c === OPEN_LIST || c === OPEN_OBJECT) depth++;
        else if ((c === CLOSE_LIST || c === CLOSE_OBJECT) && --depth === 0) {
          this.rowEnd(buf, i + 1);
          if (this.enough) {
            i++;
            break;
          }
        }
        continue;
      }
      if (isSpace(c)) continue;
      if (this.expect === 'separator') {
        if (c === COMMA) this.expect = 'row';
        else if (c === CLOSE_LIST) {
          this.endRows(buf);
          return i + 1;
        } else throw this.invalid("expected ',' or ']' after a row", this.offset + i);
      } else if (c === opener) {
        depth = 1;
        this.rowStart(i);
        this.expect = 'separator';
      } else if (c === CLOSE_LIST && this.expect === 'first') {
        this.endRows(buf);
        return i + 1;
      } else if (
        c === OPEN_LIST ||
        c === OPEN_OBJECT ||
        c === QUOTE ||
        c === 0x2d ||
        (c >= 0x30 && c <= 0x39) ||
        c === 0x74 ||
        c === 0x66 ||
        c === 0x6e
      ) {
        throw this.shapeError(this.shape === 'objects' ? 'a row is not an object' : 'a row is not a list');
      } else throw this.invalid('expected a row', this.offset + i);
    }
    this.depth = depth;
    this.inString = inString;
    this.escaped = escaped;
    return i;
  }

  private endRows(buf: Buffer): void {
    this.flushBatch(buf);
    this.depth = 0;
    this.mode = this.shape === 'objects' ? 'trailer' : 'after-value';
  }

  private keeping(): boolean {
    return this.taken + this.rows.length + this.batchCount < this.maxRows;
  }

  private rowStart(i: number): void {
    this.parts = [];
    this.partsBytes = 0;
    // Rows past the cap are only scanned (their end is needed to find the columns after them).
    this.start = this.keeping() ? i : SKIPPED;
  }

  private rowEnd(buf: Buffer, end: number): void {
    const start = this.start;
    this.seen++;
    if (start === SKIPPED) {
      // Past the cap: the answer is cut; done as soon as the columns are known too.
      this.start = EARLIER;
      if (this.shape === 'objects' || this.columns) {
        this.flushBatch(buf);
        this.enough = true;
      }
      return;
    }
    if (start === EARLIER) {
      // Began in an earlier chunk: it is the first row of this one, parsed alone.
      this.rows.push(this.parse(this.take(buf, end)));
    } else {
      this.checkSize(end - start);
      if (this.batchStart < 0) this.batchStart = start;
      this.batchEnd = end;
      this.batchCount++;
    }
    this.start = EARLIER;
  }

  private flushBatch(buf: Buffer): void {
    if (this.batchCount === 0) return;
    const rows = this.parse(`[${buf.toString('utf8', this.batchStart, this.batchEnd)}]`) as unknown[];
    for (const row of rows) this.rows.push(row);
    this.batchStart = this.batchEnd = -1;
    this.batchCount = 0;
  }

  /** At the end of a chunk, keeps the open kept value's bytes so far. */
  private carry(buf: Buffer): void {
    const open = this.mode === 'value' || (this.mode === 'rows' && this.depth > 0);
    if (!open || this.start === SKIPPED) return;
    const from = Math.max(this.start, 0);
    if (from < buf.length) {
      this.checkSize(this.partsBytes + buf.length - from);
      this.parts.push(buf.subarray(from));
      this.partsBytes += buf.length - from;
    }
    this.start = EARLIER;
  }

  /** The open value's text, from earlier chunks and this one up to `end`. */
  private take(buf: Buffer, end: number): string {
    const from = Math.max(this.start, 0);
    this.checkSize(this.partsBytes + end - from);
    if (this.parts.length === 0) return buf.toString('utf8', from, end);
    const text = Buffer.concat([...this.parts, buf.subarray(from, end)]).toString('utf8');
    this.parts = [];
    this.partsBytes = 0;
    return text;
  }

  private checkSize(bytes: number): void {
    if (bytes > this.maxValueBytes) {
      throw new BodyReadError(
        `a row or value of Domo's answer is larger than DOMO_MAX_RESPONSE_BYTES (${this.maxValueBytes} bytes)`,
        'too_large',
      );
    }
  }

  private parse(text: string): unknown {
    try {
      return JSON.parse(text);
    } catch {
      throw this.invalid('a row or value is not valid JSON', this.offset);
    }
  }

  private invalid(what: string, at: number): BodyReadError {
    return new BodyReadError(`Domo's answer is not valid JSON: ${what} (near byte ${at})`);
  }

  private shapeError(what: string): BodyReadError {
    return new BodyReadError(`Domo answered with an unexpected shape: ${what}`);
  }
}
