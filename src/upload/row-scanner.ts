/**
 * The row scanner under the splitter (splitter.ts extends it, so its hot loops stay plain method
 * calls on one object): finds where a row ends and checks its fields in place against the columns'
 * validators, making no string unless there is an error to report.
 */
import { isUtf8 } from 'node:buffer';
import { COMMA, CR, type CsvColumn, CsvInputError, findRowEnd, LF, QUOTE } from './csv-text.ts';
import type { Validator } from './validators.ts';

/** scanRow's answer when the buffer ends before the row does. */
export const INCOMPLETE = -1;

function shown(value: string): string {
  return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
}

export class RowScanner {
  /** 1-based line where the next row starts. */
  protected line = 1;
  protected columns: CsvColumn[] | undefined;
  /** Per column, its check, or null when any value goes (STRING). */
  protected validators: Array<Validator | null> = [];
  /** Fields a row must have; -1 until the columns are known (no checks then). */
  protected width = -1;
  /** Set by scanRow: the lines the row took, its field count, and whether it was blank. */
  protected rowLines = 1;
  protected rowFields = 0;
  protected rowBlank = false;
  private quoteBuf: Buffer | undefined;
  private quoteFrom = 0;
  private quoteAt = -1;
  private commaBuf: Buffer | undefined;
  /** The first comma at or after commaFrom in commaBuf (-1: none), as for quotes. */
  private commaFrom = 0;
  private commaAt = -1;

  /**
   * Checks the row starting at `start` and answers the index of the LF ending it, or INCOMPLETE
   * when `buf` ends first. Sets rowLines, rowFields and rowBlank.
   */
  protected scanRow(buf: Buffer, start: number): number {
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
}
