import { describe, expect, it } from 'vitest';
import { columnsResolver } from '../../src/upload/columns.ts';
import { type CsvColumn, CsvInputError, csvField, findRowEnd, partBytes } from '../../src/upload/csv-text.ts';
import { CsvPartSplitter } from '../../src/upload/splitter.ts';

const COLUMNS: CsvColumn[] = [
  { name: 'id', type: 'LONG' },
  { name: 'payload', type: 'STRING' },
  { name: 'amount', type: 'DOUBLE' },
  { name: 'loaded_at', type: 'DATETIME' },
];
const SCHEMA = COLUMNS.map((c) => ({ ...c }));

function split(
  input: string | Uint8Array,
  options: { chunk?: number; partSize?: number; hasHeader?: boolean; columns?: CsvColumn[] } = {},
) {
  const bytes = typeof input === 'string' ? Buffer.from(input, 'utf8') : Buffer.from(input);
  const splitter = new CsvPartSplitter({
    partSizeBytes: options.partSize ?? 1 << 20,
    hasHeader: options.hasHeader ?? true,
    resolveColumns: options.columns ? () => options.columns! : columnsResolver(SCHEMA, 'APPEND'),
  });
  const parts: string[] = [];
  const step = options.chunk ?? bytes.length;
  for (let i = 0; i < bytes.length; i += step) {
    for (const part of splitter.write(bytes.subarray(i, i + step)))
      parts.push(partBytes(part).toString('utf8'));
  }
  for (const part of splitter.end()) parts.push(partBytes(part).toString('utf8'));
  return { parts, rows: splitter.rows, bytes: splitter.bytes };
}

function error(fn: () => unknown): CsvInputError {
  try {
    fn();
  } catch (e) {
    if (e instanceof CsvInputError) return e;
    throw e;
  }
  throw new Error('expected a CsvInputError');
}

const HEADER = 'id,payload,amount,loaded_at\n';

describe('CsvPartSplitter', () => {
  it('drops the header and keeps rows, quoted commas and newlines included', () => {
    const csv = `${HEADER}1,"a, b",1.5,2024-01-01 10:00:00\n2,"line one\nline ""two""",2,2024-01-02T00:00:00Z\n`;
    const { parts, rows } = split(csv);
    expect(rows).toBe(2);
    expect(parts).toEqual([
      '1,"a, b",1.5,2024-01-01 10:00:00\n2,"line one\nline ""two""",2,2024-01-02T00:00:00Z\n',
    ]);
  });

  it('gives the same rows for every chunk size, quotes split across chunks', () => {
    const csv = `${HEADER}${Array.from({ length: 50 }, (_, i) => `${i},"x,\n""y""${i}",${i}.25,`).join('\n')}\n`;
    const whole = split(csv).parts.join('');
    for (const chunk of [1, 2, 3, 7, 64]) expect(split(csv, { chunk }).parts.join('')).toBe(whole);
  });

  it('cuts parts on row boundaries only, even when a quoted newline straddles the cut', () => {
    const rows = Array.from({ length: 40 }, (_, i) => `${i},"multi\nline ${i}",1,`);
    const { parts } = split(`${HEADER}${rows.join('\n')}\n`, { partSize: 30, chunk: 5 });
    expect(parts.length).toBeGreaterThan(5);
    for (const part of parts) {
      expect(part.endsWith('\n')).toBe(true);
      // Every part holds whole rows: its quotes balance.
      expect((part.match(/"/g) ?? []).length % 2).toBe(0);
    }
    expect(parts.join('')).toBe(`${rows.join('\n')}\n`);
  });

  it('handles a UTF-8 BOM, CRLF line ends and a final line without newline', () => {
    const csv = `\uFEFF${HEADER.replace('\n', '\r\n')}1,é,1,\r\n2,"a\r\nb",2,`;
    for (const chunk of [1, 2, 5, 1000]) {
      const { parts, rows } = split(csv, { chunk });
      expect(rows).toBe(2);
      // CRLF stays as sent (Domo and the sandbox read it); the last row gets a line end.
      expect(parts.join('')).toBe('1,é,1,\r\n2,"a\r\nb",2,\n');
    }
  });

  it('rejects an empty file and a header without rows', () => {
    expect(error(() => split('')).message).toMatch(/empty/);
    expect(error(() => split(HEADER)).message).toMatch(/no data rows/);
  });

  it('rejects an unterminated quote, naming the line it started on', () => {
    const e = error(() => split(`${HEADER}1,ok,1,\n2,"never closed,2,\n3,x,3,\n`));
    expect(e.line).toBe(3);
    expect(e.message).toMatch(/unterminated quoted field starting on line 3/);
  });

  it('rejects invalid UTF-8 with its line', () => {
    const bytes = Buffer.concat([
      Buffer.from(`${HEADER}1,ok,1,\n2,`),
      Buffer.from([0xff, 0xfe]),
      Buffer.from(',2,\n'),
    ]);
    const e = error(() => split(bytes));
    expect(e.message).toMatch(/invalid UTF-8 on line 3/);
    expect(
      error(() => split(Buffer.concat([Buffer.from(`${HEADER}1,`), Buffer.from([0xc3])]))).message,
    ).toMatch(/invalid UTF-8/);
  });

  it('finds invalid UTF-8 in a string field of a later part, with its line', () => {
    const rows = Array.from({ length: 30 }, (_, i) => Buffer.from(`${i},"row\n${i}",1,\n`));
    rows[20] = Buffer.concat([Buffer.from('20,bad'), Buffer.from([0xe2, 0x28, 0xa1]), Buffer.from(',1,\n')]);
    for (const chunk of [3, 64, 4096]) {
      const e = error(() => split(Buffer.concat([Buffer.from(HEADER), ...rows]), { chunk, partSize: 40 }));
      // Rows 0-19 take two lines each (a quoted newline): row 20 starts on line 2 + 40.
      expect(e.message).toBe('invalid UTF-8 on line 42');
    }
  });

  it('rejects a header that does not match the schema, naming the column', () => {
    const e = error(() => split('id,Payload,amount,loaded_at\n1,a,1,\n'));
    expect(e.line).toBe(1);
    expect(e.column).toBe('payload');
    expect(error(() => split('id,payload,amount\n1,a,1\n')).message).toMatch(/lacks column "loaded_at"/);
    expect(error(() => split('id,payload,amount,loaded_at,extra\n1,a,1,,\n')).message).toMatch(
      /"extra" is not a column/,
    );
  });

  it('rejects a row with the wrong number of fields', () => {
    const e = error(() => split(`${HEADER}1,a,1,\n2,b,2\n`));
    expect(e.line).toBe(3);
    expect(e.message).toMatch(/expected 4 fields .* found 3/);
  });

  it('rejects values that do not parse as their type, naming line and column', () => {
    const cases: Array<[string, string]> = [
      ['x1,a,1,', 'id'],
      ['1,a,1.2.3,', 'amount'],
      ['1,a,1,2024-02-30', 'loaded_at'],
      ['1,a,1,2024-01-01 25:00:00', 'loaded_at'],
      ['99999999999999999999,a,1,', 'id'],
    ];
    for (const [row, column] of cases) {
      const e = error(() => split(`${HEADER}${row}\n`));
      expect([e.line, e.column]).toEqual([2, column]);
    }
    const typed: CsvColumn[] = [
      { name: 'd', type: 'DATE' },
      { name: 'n', type: 'DECIMAL' },
    ];
    expect(split('2024-02-29,12.50\n,\n', { hasHeader: false, columns: typed }).rows).toBe(2);
    expect(error(() => split('2023-02-29,1\n', { hasHeader: false, columns: typed })).column).toBe('d');
    expect(error(() => split('2024-01-01,1e5\n', { hasHeader: false, columns: typed })).column).toBe('n');
  });

  it('rejects a quote inside an unquoted field and text after a closing quote', () => {
    expect(error(() => split(`${HEADER}1,a"b,1,\n`)).message).toMatch(/quote inside an unquoted field/);
    expect(error(() => split(`${HEADER}1,"a"b,1,\n`)).message).toMatch(/after a closing quote/);
  });

  it('checks quoted typed values between their quotes, and a value holding a quote never parses', () => {
    expect(split(`${HEADER}"1",a,"2.5","2025-01-01 00:00:00"\n"",b,"",""\n`).rows).toBe(2);
    const e = error(() => split(`${HEADER}1,a,"1""5",\n`));
    expect([e.line, e.column]).toEqual([2, 'amount']);
    expect(e.message).toContain('"1\\"5" is not a valid DOUBLE');
    expect(error(() => split(`${HEADER}"1"\rx,a,1,\n`)).message).toMatch(/after a closing quote/);
    expect(split('1,"a"\r\n2,b\r\n', { hasHeader: false, columns: COLUMNS.slice(0, 2) }).rows).toBe(2);
  });

  it('sends the input as slices, not copies: only a row split across writes is joined', () => {
    const input = Buffer.from(`${HEADER}1,a,1,\n2,b,2,\n3,c,3,\n`);
    const splitter = new CsvPartSplitter({
      partSizeBytes: 1 << 20,
      hasHeader: true,
      resolveColumns: columnsResolver(SCHEMA, 'APPEND'),
    });
    const first = input.subarray(0, HEADER.length + 9);
    const second = input.subarray(HEADER.length + 9);
    expect(splitter.write(first)).toEqual([]);
    expect(splitter.write(second)).toEqual([]);
    const [part] = splitter.end();
    expect(part!.chunks.map((c) => c.toString())).toEqual(['1,a,1,\n', '2,b,2,\n', '3,c,3,\n']);
    expect(part!.chunks[0]!.buffer).toBe(input.buffer);
    expect(part!.chunks[2]!.buffer).toBe(input.buffer);
    expect(part!.byteLength).toBe(input.length - HEADER.length);
  });

  it('finds the end of a row from its quote state alone', () => {
    const bytes = Buffer.from('a,"x\ny""z",b\nnext');
    expect(findRowEnd(bytes, 0, false)).toEqual({ end: 12, inQuotes: false });
    expect(findRowEnd(bytes, 4, true)).toEqual({ end: 12, inQuotes: false });
    expect(findRowEnd(bytes.subarray(0, 6), 0, false)).toEqual({ end: -1, inQuotes: true });
    // An escaped quote flips the state twice: still inside after `""`, outside after the closing one.
    expect(findRowEnd(bytes.subarray(0, 8), 0, false)).toEqual({ end: -1, inQuotes: true });
    expect(findRowEnd(bytes.subarray(0, 10), 0, false)).toEqual({ end: -1, inQuotes: false });
  });

  it('skips blank lines and counts lines across quoted newlines', () => {
    const e = error(() => split(`${HEADER}\n1,"a\nb",1,\n\n2,b,x,\n`));
    expect(e.line).toBe(6);
    expect(e.column).toBe('amount');
  });

  it('resolves DELETE columns from the header, the key columns or the schema', () => {
    const resolve = columnsResolver(SCHEMA, 'DELETE');
    expect(resolve(['payload'], 1)).toEqual([{ name: 'payload', type: 'STRING' }]);
    expect(resolve(null, 2).map((c) => c.name)).toEqual(['id', 'payload']);
    expect(columnsResolver(SCHEMA, 'DELETE', ['amount'])(null, 1).map((c) => c.name)).toEqual(['amount']);
    expect(error(() => resolve(['nope'], 1)).message).toMatch(/not a column/);
    expect(error(() => columnsResolver(SCHEMA, 'DELETE', ['id'])(['payload'], 1)).message).toMatch(
      /only the key columns/,
    );
  });

  it('quotes fields that need it', () => {
    expect([csvField('a'), csvField('a,b'), csvField('say "hi"'), csvField(null), csvField(3)]).toEqual([
      'a',
      '"a,b"',
      '"say ""hi"""',
      '',
      '3',
    ]);
  });
});

/** A small deterministic PRNG (mulberry32): the same files on every run. */
function random(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('CsvPartSplitter on generated files', () => {
  it('passes every data row through unchanged, whatever the chunk and part sizes', () => {
    for (let seed = 1; seed <= 40; seed++) {
      const next = random(seed);
      const pick = <T>(items: T[]) => items[Math.floor(next() * items.length)]!;
      const text = () =>
        pick(['a', 'b c', 'x,y', 'say ""hi""', 'two\nlines', 'crlf\r\ninside', 'é€😀', '', ',', '""']);
      const field = (type: string) => {
        const value =
          type === 'LONG'
            ? pick(['1', '-42', '+7', '9223372036854775807', ''])
            : type === 'DOUBLE'
              ? pick(['1.5', '-0.25', '3e8', '2E-3', '.5', ''])
              : type === 'DATETIME'
                ? pick(['2024-02-29 12:00:00', '2025-01-01T00:00:00Z', '2025-12-31', '2025-06-01 23:59'])
                : text();
        const quote = value.includes('"') || value.includes(',') || value.includes('\n') || next() < 0.2;
        return quote ? `"${value}"` : value;
      };
      const eol = () => (next() < 0.3 ? '\r\n' : '\n');
      const rows: string[] = [];
      let file = next() < 0.2 ? '\ufeff' : '';
      file += `id,payload,amount,loaded_at${eol()}`;
      const count = 1 + Math.floor(next() * 60);
      for (let i = 0; i < count; i++) {
        if (next() < 0.1) file += eol(); // a blank line, not a row
        const row = COLUMNS.map((c) => field(c.type)).join(',');
        const end = eol();
        rows.push(row + end);
        file += row + end;
      }
      // Sometimes the last row has no line end: the splitter gives it one.
      let expected = rows.join('');
      if (next() < 0.3) {
        const last = rows[rows.length - 1]!;
        file = file.slice(0, file.length - (last.endsWith('\r\n') ? 2 : 1));
        expected = expected.slice(0, expected.length - (last.endsWith('\r\n') ? 2 : 1)) + '\n';
      }
      for (const chunk of [1, 2, 5, 17, 64, 1 << 20]) {
        const partSize = pick([1, 10, 100, 1 << 20]);
        const { parts, rows: seen } = split(file, { chunk, partSize });
        expect(seen, `seed ${seed}, chunk ${chunk}`).toBe(count);
        expect(parts.join(''), `seed ${seed}, chunk ${chunk}`).toBe(expected);
        for (const part of parts) {
          // Cut on row boundaries only: every part ends a row, outside quotes.
          expect(part.endsWith('\n')).toBe(true);
          expect((part.match(/"/g) ?? []).length % 2).toBe(0);
        }
      }
    }
  });
});
