import { describe, expect, it } from 'vitest';
import { BodyReadError } from '../../src/domo/body.ts';
import {
  CsvNdjsonWriter,
  CsvRecordReader,
  CsvRowCounter,
  csvField,
  csvLine,
  NdjsonWriter,
  parseRecords,
} from '../../src/http/export-format.ts';

const CSV = 'id,name\n1,"a, ""b""\nc"\n2,\\N\n3,"\\N"\n4,\r\n5,ünï\n';

/** Every way to cut the text in two, plus one byte at a time. */
function cuts(text: string): Buffer[][] {
  const buf = Buffer.from(text);
  const out: Buffer[][] = [];
  for (let i = 0; i <= buf.length; i++) out.push([buf.subarray(0, i), buf.subarray(i)]);
  out.push(Array.from(buf, (_, i) => buf.subarray(i, i + 1)));
  return out;
}

describe('export formats', () => {
  it('writes CSV fields with RFC 4180 quoting and \\N for null', () => {
    expect(csvLine([1, 'a,b', 'say "hi"', null, '\\N', '', 'x\ny', 2.5])).toBe(
      '1,"a,b","say ""hi""",\\N,"\\N",,"x\ny",2.5\n',
    );
    expect(csvField(true)).toBe('true');
  });

  it('counts rows whatever the chunking, quoted newlines included', () => {
    for (const chunks of cuts(CSV)) {
      const counter = new CsvRowCounter();
      for (const chunk of chunks) counter.write(chunk);
      expect(counter.rows(true)).toBe(5);
    }
    const open = new CsvRowCounter();
    open.write(Buffer.from('id\n1\n2'));
    expect(open.rows(true)).toBe(2);
  });

  it('reads records whatever the chunking: bare \\N is null, quoted is text', () => {
    const want = [
      ['id', 'name'],
      ['1', 'a, "b"\nc'],
      ['2', null],
      ['3', '\\N'],
      ['4', ''],
      ['5', 'ünï'],
    ];
    for (const chunks of cuts(CSV)) {
      const reader = new CsvRecordReader();
      const records = chunks.flatMap((chunk) => reader.write(chunk));
      records.push(...reader.end());
      expect(records).toEqual(want);
    }
  });

  it('refuses a CSV that ends inside quotes', () => {
    const reader = new CsvRecordReader();
    reader.write(Buffer.from('id\n"open'));
    expect(() => reader.end()).toThrow(BodyReadError);
  });

  it('types NDJSON values by column type', () => {
    const writer = new NdjsonWriter(
      ['n', 'big', 's', 'd', 'day', 'at'],
      ['LONG', 'LONG', 'STRING', 'DOUBLE', 'DATE', 'DATETIME'],
    );
    expect(
      writer.lines([['7', '12345678901234567890', '', '', '2024-01-02', '2024-01-02T03:04:05']], true),
    ).toBe(
      '{"n":7,"big":"12345678901234567890","s":"","d":null,"day":"2024-01-02","at":"2024-01-02T03:04:05.000Z"}\n',
    );
    expect(writer.lines([[7, null, 'x', 1.5, null, null]])).toBe(
      '{"n":7,"big":null,"s":"x","d":1.5,"day":null,"at":null}\n',
    );
    expect(new NdjsonWriter(['v'], [null]).lines([[{ a: 1 }], [Number.NaN]])).toBe(
      '{"v":{"a":1}}\n{"v":null}\n',
    );
  });
});

describe('CsvNdjsonWriter', () => {
  const columns = ['n', 'd', 'x', 'day', 'at', 's', 'u'];
  const types = ['LONG', 'DECIMAL', 'DOUBLE', 'DATE', 'DATETIME', 'STRING', null] as const;
  /** What the records way writes: parseRecords, then NdjsonWriter over the records as text. */
  const reference = (csv: string) => new NdjsonWriter(columns, types).lines(parseRecords(csv), true);
  const bytesWay = (csv: string) => {
    const { bytes, rows } = new CsvNdjsonWriter(columns, types).lines(Buffer.from(csv));
    return { text: bytes.toString('utf8'), rows };
  };

  it('writes the common forms from the bytes as the records way writes them', () => {
    const csv = [
      '1,5.0,0.13,2024-01-02,2023-01-01T08:00:00,North,x',
      '-7,0.0,-0.0,2024-02-29,2024-02-29 23:59:59.123,"a, ""b""\nc",\\N',
      '0,-0,0.000001,\\N,,,"\\N"',
      '0012,1e5,0.0000001,2023-02-29,2023-02-29T00:00:00,ünï,tab\there',
      '123456789012345,1234567.89012345,1234567890123456,2024-13-01,2024-01-01T24:00:00,"\\",back\\slash',
      '9007199254740993,-12.50,.5,2024-1-01,2024-01-31T08:00:00.5,\x7f,',
      '3,NaN,Infinity,9999-12-31,0000-02-29T00:00:00\r',
      '4,1,2,2024-01-01,2024-04-31T00:00:00,a,b,extra',
      '',
    ].join('\n');
    const got = bytesWay(csv);
    expect(got.text).toBe(reference(csv));
    expect(got.rows).toBe(8);
  });

  it('agrees with the records way on random numbers, dates and text', () => {
    let seed = 42;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const pick = <T>(list: T[]) => list[Math.floor(rand() * list.length)]!;
    const digits = (n: number) => Array.from({ length: n }, () => pick([...'0123456789'])).join('');
    const number = () =>
      pick(['', '-']) +
      pick(['0', digits(1 + Math.floor(rand() * 17))]) +
      pick(['', `.${digits(Math.floor(rand() * 18))}`]);
    const two = () => digits(2);
    const lines: string[] = [];
    for (let r = 0; r < 3000; r++) {
      const date = `${digits(4)}-${two()}-${two()}`;
      lines.push(
        [
          number(),
          number(),
          number(),
          date,
          `${date}${pick(['T', ' '])}${two()}:${two()}:${two()}${pick(['', `.${digits(3)}`, `.${digits(2)}`])}`,
          pick(['plain', 'with space', '"q""uote"', '\\N', '', 'é']),
          number(),
        ].join(','),
      );
    }
    const csv = `${lines.join('\n')}\n`;
    expect(bytesWay(csv).text).toBe(reference(csv));
  });

  it('refuses a row that ends inside quotes', () => {
    expect(() => new CsvNdjsonWriter(['a'], ['STRING']).lines(Buffer.from('"open\n'))).toThrow(BodyReadError);
  });
});

describe('CsvRecordReader bytes', () => {
  it('hands on complete rows whatever the chunking', () => {
    for (const chunks of cuts(CSV)) {
      const reader = new CsvRecordReader();
      const parts = chunks.map((chunk) => reader.bytes(chunk)).filter((b) => b !== null);
      const last = reader.endBytes();
      if (last) parts.push(last);
      expect(Buffer.concat(parts).toString()).toBe(CSV);
    }
  });
});
