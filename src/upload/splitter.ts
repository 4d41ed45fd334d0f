/**
 * A streaming CSV → parts splitter (RFC 4180 quoting): bytes in, parts of about `partSizeBytes` out,
 * cut on row boundaries only, without the header row, every row checked against the columns it
 * must match (row-scanner.ts). Pure and synchronous, so the upload pipeline (pipeline.ts) and unit
 * tests drive it alike. Memory stays bounded by one part plus one row, whatever the file's size.
 */
import { isUtf8 } from 'node:buffer';
import {
  CR,
  type CsvColumn,
  CsvInputError,
  type CsvPart,
  findRowEnd,
  LF,
  partBytes,
  splitFields,
} from './csv-text.ts';
import { INCOMPLETE, RowScanner } from './row-scanner.ts';
import { validatorFor } from './validators.ts';

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

/** Longest row the splitter holds while looking for its end (an unterminated quote, usually). */
const MAX_ROW_BYTES = 64 * 1024 * 1024;

/**
 * One pass over the bytes of each row (a plain loop: per-field native `indexOf` calls and per-row
 * objects cost more than they save on short fields): fields and quotes are found, typed values are
 * checked in place (quoted ones too, between their quotes: a value holding a quote is never a valid
 * number or date), and no string is made unless there is an error to report. Parts are lists of
 * slices of the input rows (no copy; only a row split across two writes is copied, once), and UTF-8
 * is checked natively (`isUtf8`) once per slice. Line ends LF or CRLF; a row ends at a line end
 * outside quotes. The input chunks are kept, not copied: callers must not reuse them.
 */
export class CsvPartSplitter extends RowScanner {
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
  private pieces: Buffer[] = [];
  private pieceBytes = 0;
  /** Line of the first row in the part being built (to locate invalid UTF-8). */
  private partLine = 1;
  private header: string[] | null | undefined;
  private ended = false;
  /** Set by firstRows: the row was the header. */
  private rowIsHeader = false;

  constructor(private readonly options: CsvSplitterOptions) {
    super();
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
