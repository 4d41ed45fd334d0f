import { describe, expect, it } from 'vitest';
import { BodyReadError } from '../../src/domo/body.ts';
import {
  CsvRecordReader,
  CsvRowCounter,
  csvField,
  csvLine,
  NdjsonWriter,
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
