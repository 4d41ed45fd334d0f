/**
 * CSV text basics shared by the splitter, the row scanner and the callers that build CSV (inline
 * rows): the column and part shapes, the located input error, RFC 4180 field quoting and splitting.
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

/** Bytes the scanners look for. */
export const QUOTE = 34;
export const COMMA = 44;
export const LF = 10;
export const CR = 13;

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
