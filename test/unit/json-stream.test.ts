/**
 * SqlAnswerReader against the whole-body reading it replaces (JSON.parse + normalizeQueryResult) as
 * the oracle: both answer shapes, split at every byte boundary and in random chunkings, keys in any
 * order, escapes and multi-byte text cut anywhere, caps, cut and garbled bodies.
 */
import { describe, expect, it } from 'vitest';
import { BodyReadError } from '../../src/domo/body.ts';
import { SqlAnswerReader } from '../../src/domo/json-stream.ts';
import { normalizeQueryResult } from '../../src/domo/query.ts';

const MAX = 1 << 20;

/** A seeded generator, so a failure can be replayed. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Chunking = (bytes: Buffer) => Buffer[];
const whole: Chunking = (b) => [b];
const at =
  (...cuts: number[]): Chunking =>
  (b) => {
    const points = [0, ...cuts, b.length];
    return points.slice(1).map((end, i) => b.subarray(points[i]!, end));
  };
const randomly =
  (seed: number, max = 9): Chunking =>
  (b) => {
    const next = random(seed);
    const out: Buffer[] = [];
    for (let i = 0; i < b.length; ) {
      const size = 1 + Math.floor(next() * max);
      out.push(b.subarray(i, i + size));
      i += size;
    }
    return out;
  };

/** Feeds the chunks until the reader says it has enough; how many bytes it took. */
function read(body: string | Buffer, chunking: Chunking = whole, maxRows?: number, maxValueBytes = MAX) {
  const reader = new SqlAnswerReader({ maxRows, maxValueBytes });
  let used = 0;
  for (const chunk of chunking(Buffer.isBuffer(body) ? body : Buffer.from(body))) {
    used += chunk.length;
    if (reader.write(chunk)) break;
  }
  return { ...reader.end(), used };
}

const result = (body: string | Buffer, chunking?: Chunking, maxRows?: number) => {
  const { used: _, ...answer } = read(body, chunking, maxRows);
  return answer;
};

function failure(body: string | Buffer, chunking: Chunking = whole, maxRows?: number, maxValueBytes = MAX) {
  try {
    read(body, chunking, maxRows, maxValueBytes);
  } catch (error) {
    expect(error).toBeInstanceOf(BodyReadError);
    return error as BodyReadError;
  }
  throw new Error(`no error for ${String(body).slice(0, 200)}`);
}

const oracle = (body: string) => ({ ...normalizeQueryResult(JSON.parse(body)), truncated: false });

const TRICKY = [
  'plain',
  'with "quotes" and \\ backslash',
  'brackets ] } [ { , : inside',
  'é ü ß — 中文 😀',
  '\u0000\u001f control',
  '\\"',
  '\\',
  '',
];
const ROWS: unknown[][] = [
  ['East', 1, 2.5, null, true],
  [TRICKY[1], -0.001, 1e21, false, [1, [2, { deep: ['x]'] }]]],
  [TRICKY[2], 0, -7, { a: { b: [null, '}'] } }, []],
  [TRICKY[3], 123456789012, 3.25e-7, TRICKY[4], {}],
  [TRICKY[5], TRICKY[6], TRICKY[7], '\u2028\u2029', 'tab\there'],
];
const COLUMNS = ['region', 'n', 'x', 'v', 'w'];
const METADATA = COLUMNS.map((_, i) => ({ type: ['STRING', 'LONG', 'DOUBLE', 'STRING', 'STRING'][i] }));

const columnsBody = (
  keys = ['datasource', 'columns', 'metadata', 'rows', 'numRows', 'fromcache'],
  space?: number,
) => {
  const all: Record<string, unknown> = {
    datasource: 'ds-1',
    columns: COLUMNS,
    metadata: METADATA,
    rows: ROWS,
    numRows: ROWS.length,
    numColumns: COLUMNS.length,
    fromcache: false,
  };
  return JSON.stringify(Object.fromEntries(keys.map((k) => [k, all[k]])), null, space);
};
const objectsBody = (space?: number) =>
  JSON.stringify(
    ROWS.map((row) =>
      Object.fromEntries(COLUMNS.map((c, i) => [c, row[i]]).filter((_, i) => i !== row.length % 3)),
    ),
    null,
    space,
  );

/** JSON.stringify escapes only what it must; real answers may escape more (\u00e9, \/, surrogates). */
const escapeAll = (body: string) =>
  body
    .replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
    .replaceAll('/', '\\/');

const BODIES: Record<string, string> = {
  columns: columnsBody(),
  'columns, pretty': columnsBody(undefined, 2),
  'columns, escaped': escapeAll(columnsBody()),
  'columns, rows first': columnsBody(['rows', 'numRows', 'columns', 'datasource', 'metadata']),
  'columns, no metadata': columnsBody(['columns', 'rows']),
  objects: objectsBody(),
  'objects, pretty': objectsBody(2),
  'objects, escaped': escapeAll(objectsBody()),
  'no rows (columns)': JSON.stringify({ columns: ['a'], metadata: [{ type: 'LONG' }], rows: [] }),
  'no rows (objects)': '[]',
  'empty object rows': '[{},{"a":1},{}]',
};

describe('SqlAnswerReader reads what JSON.parse reads', () => {
  for (const [name, body] of Object.entries(BODIES)) {
    it(`${name}: whole, split at every byte, and in random chunkings`, () => {
      const expected = oracle(body);
      expect(result(body)).toEqual(expected);
      const bytes = Buffer.from(body);
      for (let cut = 0; cut <= bytes.length; cut++) expect(result(bytes, at(cut))).toEqual(expected);
      for (let seed = 1; seed <= 40; seed++) expect(result(bytes, randomly(seed))).toEqual(expected);
      expect(result(bytes, randomly(0, 1))).toEqual(expected); // one byte at a time
    });
  }

  it('reads every order of the keys', () => {
    const keys = ['columns', 'metadata', 'rows', 'numRows'];
    const orders = (list: string[]): string[][] =>
      list.length <= 1
        ? [list]
        : list.flatMap((k, i) => orders(list.filter((_, j) => j !== i)).map((o) => [k, ...o]));
    for (const order of orders(keys)) {
      const body = columnsBody(order);
      for (let seed = 1; seed <= 5; seed++) expect(result(body, randomly(seed))).toEqual(oracle(body));
    }
  });

  it('skips a leading byte-order mark, even split', () => {
    const body = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(BODIES.columns!)]);
    expect(result(body, at(1, 2))).toEqual(oracle(BODIES.columns!));
  });

  it('agrees with JSON.parse on random rows (nested values, every kind of string) in random chunkings', () => {
    const next = random(7);
    const text = () =>
      Array.from(
        { length: Math.floor(next() * 6) },
        () => '"\\/]}[{,: aé😀\u0001\n'[Math.floor(next() * 16)],
      ).join('');
    const value = (depth: number): unknown => {
      const r = next();
      if (r < 0.2) return text();
      if (r < 0.35) return Math.round((next() - 0.5) * 1e6) / 100;
      if (r < 0.45) return null;
      if (r < 0.5) return next() < 0.5;
      if (depth > 3 || r < 0.75) return text();
      return next() < 0.5
        ? Array.from({ length: Math.floor(next() * 3) }, () => value(depth + 1))
        : Object.fromEntries(
            Array.from({ length: Math.floor(next() * 3) }, (_, i) => [`${text()}${i}`, value(depth + 1)]),
          );
    };
    for (let round = 0; round < 60; round++) {
      const rows = Array.from({ length: Math.floor(next() * 12) }, () => [value(0), value(0), value(0)]);
      const columnsShape = JSON.stringify({ numRows: rows.length, rows, columns: ['a', 'b', 'c'] });
      const objectsShape = JSON.stringify(rows.map(([a, b, c]) => ({ a, b, c })));
      for (const body of [columnsShape, objectsShape]) {
        expect(result(body, randomly(round, 1 + (round % 13)))).toEqual(oracle(body));
      }
    }
  });
});

describe('the row cap', () => {
  const many = (n: number) => Array.from({ length: n }, (_, i) => [i, `r${i}`]);
  const columnsFirst = (n: number) =>
    JSON.stringify({
      columns: ['i', 's'],
      metadata: [{ type: 'LONG' }, { type: 'STRING' }],
      rows: many(n),
      numRows: n,
    });
  const rowsFirst = (n: number) =>
    JSON.stringify({
      rows: many(n),
      numRows: n,
      columns: ['i', 's'],
      metadata: [{ type: 'LONG' }, { type: 'STRING' }],
    });
  const objects = (n: number) => JSON.stringify(many(n).map(([i, s]) => ({ i, s })));

  it.each([
    ['columns first', columnsFirst],
    ['rows first', rowsFirst],
    ['objects', objects],
  ] as const)('%s: keeps maxRows rows, says truncated only when there were more', (_, make) => {
    for (const n of [0, 1, 2, 5, 40]) {
      const body = make(n);
      const all = oracle(body);
      for (const maxRows of [0, 1, 2, 5, 39, 40, 41]) {
        for (const chunking of [whole, randomly(n * 100 + maxRows, 17)]) {
          const answer = result(body, chunking, maxRows);
          expect(answer.rows).toEqual(all.rows.slice(0, maxRows));
          expect(answer.truncated).toBe(n > maxRows);
          // Objects carry their columns: with no row kept there are none.
          expect(answer.columns).toEqual(make === objects && Math.min(n, maxRows) === 0 ? [] : ['i', 's']);
          if (make !== objects) expect(answer.types).toEqual(['LONG', 'STRING']);
        }
      }
    }
  });

  it('stops reading once it has the cap and one row more, when the columns came first', () => {
    const body = columnsFirst(10_000);
    const { used, rows, truncated } = read(body, randomly(3, 4096), 10);
    expect(rows).toHaveLength(10);
    expect(truncated).toBe(true);
    expect(used).toBeLessThan(5_000);
    expect(read(objects(10_000), randomly(3, 4096), 10).used).toBeLessThan(5_000);
  });

  it('reads on to the columns when the rows came first, keeping only the cap', () => {
    const { used, rows } = read(rowsFirst(10_000), randomly(3, 4096), 10);
    expect(used).toBe(Buffer.byteLength(rowsFirst(10_000)));
    expect(rows).toHaveLength(10);
  });

  it('does not hold rows past the cap, however large, while it waits for the columns', () => {
    const huge = 'x'.repeat(5_000);
    const body = JSON.stringify({ rows: [[1], [huge], [huge], [huge]], columns: ['a'] });
    expect(read(body, randomly(1, 1000), 1, 4_000).rows).toEqual([[1]]);
  });
});

describe('cut, garbled and unexpected answers', () => {
  for (const [name, body] of Object.entries(BODIES)) {
    it(`${name}: every prefix is an error saying it was cut off`, () => {
      const bytes = Buffer.from(body);
      for (let end = 0; end < bytes.length; end++) {
        const prefix = bytes.subarray(0, end);
        // Trailing whitespace of a complete body is no cut.
        if (bytes.subarray(end).toString().trim() === '') continue;
        const error = failure(prefix, randomly(end, 5));
        expect(error.kind).toBe('upstream');
        expect(error.message).toMatch(end === 0 || prefix.toString().trim() === '' ? /empty/ : /cut off/);
      }
    });
  }

  it('says when it was cut in the middle of a row', () => {
    expect(failure('{"columns":["a"],"rows":[[1],[2,').message).toMatch(
      /in the middle of a row .*1 complete row/,
    );
    expect(failure('[{"a":1},{"a":"x').message).toMatch(/in the middle of a row/);
  });

  it.each([
    ['a missing comma between rows', '[{"a":1} {"a":2}]'],
    ['a trailing comma', '[{"a":1},]'],
    ['a leading comma', '[,{"a":1}]'],
    ['two commas', '{"columns":["a"],"rows":[[1],,[2]]}'],
    ['a broken row', '{"columns":["a"],"rows":[[1],[2,]]}'],
    ['a bad literal in a row', '[{"a":tru}]'],
    ['an unquoted key', '{columns:["a"],"rows":[]}'],
    ['a missing colon', '{"columns" ["a"],"rows":[]}'],
    ['a bad value beside the rows', '{"columns":["a"],"numRows":12x,"rows":[]}'],
    ['a missing comma between keys', '{"columns":["a"] "rows":[]}'],
    ['text after the answer', '{"columns":["a"],"rows":[]} x'],
    ['a second answer', '[][]'],
    ['an invalid escape', '[{"a":"\\x"}]'],
    ['a raw newline in a string', '[{"a":"line\nbreak"}]'],
    ['mismatched brackets', '{"columns":["a"],"rows":[[1}]}'],
  ])('%s is not valid JSON', (_, body) => {
    expect(() => JSON.parse(body)).toThrow();
    for (const chunking of [whole, randomly(1, 3), randomly(2, 1)]) {
      const error = failure(body, chunking);
      expect(error.kind).toBe('upstream');
      expect(error.message).toMatch(/not valid JSON/);
    }
  });

  it.each([
    'null',
    '"text"',
    '42',
    '{"rows":[]}',
    '{"columns":[]}',
    '{"columns":"a","rows":[]}',
    '{"columns":["a"],"rows":{}}',
    '{"columns":["a"],"rows":[1]}',
    '{"columns":["a"],"rows":[[1]],"rows":[[2]]}',
    '[1,2]',
    '[["a"]]',
    '[null]',
    '<!DOCTYPE html><html></html>',
    '',
    '   ',
  ])('%j is an unexpected shape', (body) => {
    const error = failure(body, randomly(4, 2));
    expect(error.kind).toBe('upstream');
    expect(error.message).toMatch(/unexpected shape/);
  });

  it('agrees with JSON.parse on mutated answers: an error exactly when JSON.parse fails, or the same rows', () => {
    const next = random(11);
    const sources = Object.values(BODIES);
    for (let round = 0; round < 1500; round++) {
      const source = Buffer.from(sources[round % sources.length]!);
      const at = Math.floor(next() * source.length);
      const byte = Buffer.from(
        [' ', ',', '"', '\\', ']', '}', '[', '{', ':', '1', 'x'][Math.floor(next() * 11)]!,
      );
      const mutated = Buffer.concat(
        next() < 0.5
          ? [source.subarray(0, at), source.subarray(at + 1)] // a byte dropped
          : [source.subarray(0, at), byte, source.subarray(at)], // a byte added
      );
      let parsed: unknown;
      let parses = true;
      try {
        parsed = JSON.parse(mutated.toString());
      } catch {
        parses = false;
      }
      let answer: unknown;
      let error: unknown;
      try {
        answer = result(mutated, randomly(round, 7));
      } catch (e) {
        error = e;
      }
      if (error) {
        expect(error).toBeInstanceOf(BodyReadError);
        // A body JSON.parse reads may still be refused, but only for its shape.
        if (parses) expect((error as Error).message).toMatch(/unexpected shape/);
      } else {
        expect(parses, mutated.toString()).toBe(true);
        expect(answer).toEqual({ ...normalizeQueryResult(parsed), truncated: false });
      }
    }
  });
});

describe('DOMO_MAX_RESPONSE_BYTES bounds one row or value', () => {
  const big = 'y'.repeat(3_000);

  it('refuses a row larger than the bound, in one chunk or many', () => {
    for (const body of [
      JSON.stringify({ columns: ['a'], rows: [[1], [big]] }),
      JSON.stringify([{ a: 1 }, { a: big }]),
    ]) {
      for (const chunking of [whole, randomly(5, 700)]) {
        const error = failure(body, chunking, undefined, 2_000);
        expect(error.kind).toBe('too_large');
        expect(error.message).toMatch(/DOMO_MAX_RESPONSE_BYTES \(2000 bytes\)/);
      }
    }
  });

  it('refuses a value beside the rows larger than the bound', () => {
    const error = failure(
      JSON.stringify({ columns: ['a'], datasource: big, rows: [] }),
      randomly(6, 700),
      undefined,
      2_000,
    );
    expect(error.kind).toBe('too_large');
  });

  it('reads many rows, each under the bound, whatever their total', () => {
    const rows = Array.from({ length: 50 }, () => [big.slice(0, 1_000)]);
    expect(result(JSON.stringify({ columns: ['a'], rows }), randomly(7, 5_000)).rows).toHaveLength(50);
    expect(
      read(JSON.stringify({ columns: ['a'], rows }), randomly(7, 5_000), undefined, 2_000).rows,
    ).toHaveLength(50);
  });
});
