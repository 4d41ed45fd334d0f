/**
 * A Domo SQL answer of any size, generated chunk by chunk for fake-upstream's stream steps: a huge
 * answer is never held in memory, by the fake or the test.
 */
import { setTimeout as sleep } from 'node:timers/promises';

export const LARGE_COLUMNS = [
  'id',
  'name',
  'region',
  'amount',
  'day',
  'flag',
  'count',
  'code',
  'delta',
  'note',
];

/** Row i, 10 columns of mixed types, about 100 bytes of JSON. */
export function largeRow(i: number): unknown[] {
  return [
    i,
    `name "${i}"`,
    i % 3 === 0 ? null : 'East',
    i * 1.5,
    '2024-01-02',
    i % 2 === 0,
    i * 7,
    `c${i}`,
    -(i + 1),
    'ünïcödé',
  ];
}

export interface LargeAnswerOptions {
  /** About how many bytes of rows to send (the answer stops at the first row past it). */
  bytes: number;
  /** `columns`: real instances' shape, columns first; `rows-first`: the same with columns last; `objects`: the doc's. */
  shape: 'columns' | 'rows-first' | 'objects';
  /** Bytes per chunk (default 64 KiB). */
  chunkBytes?: number;
  /** Pause between chunks, to send slowly (default none). */
  pauseMs?: number;
}

const head = () =>
  JSON.stringify({
    datasource: 'big',
    columns: LARGE_COLUMNS,
    metadata: LARGE_COLUMNS.map(() => ({ type: 'STRING' })),
  });

/** The chunks of the answer; its rows are largeRow(0), largeRow(1), … */
export async function* largeAnswer(options: LargeAnswerOptions): AsyncGenerator<string> {
  const chunkBytes = options.chunkBytes ?? 65_536;
  const encode =
    options.shape === 'objects'
      ? (i: number) => JSON.stringify(Object.fromEntries(largeRow(i).map((v, c) => [LARGE_COLUMNS[c], v])))
      : (i: number) => JSON.stringify(largeRow(i));
  let chunk =
    options.shape === 'objects'
      ? '['
      : options.shape === 'rows-first'
        ? '{"rows":['
        : `${head().slice(0, -1)},"rows":[`;
  let sent = 0;
  for (let i = 0; sent < options.bytes; i++) {
    chunk += (i > 0 ? ',' : '') + encode(i);
    if (chunk.length >= chunkBytes) {
      sent += chunk.length;
      yield chunk;
      chunk = '';
      if (options.pauseMs) await sleep(options.pauseMs);
    }
  }
  chunk +=
    options.shape === 'objects'
      ? ']'
      : options.shape === 'rows-first'
        ? `],"numRows":0,${head().slice(1)}`
        : '],"numRows":0}';
  yield chunk;
}
