import { describe, expect, it } from 'vitest';
import { duration, formatProgress, human } from '../../src/cli/progress.ts';

describe('the upload progress line', () => {
  it('gives the time left at the mean rate so far', () => {
    // 1 MiB of 4 MiB in 10 s: 3 MiB left at 0.1 MiB/s is 30 s.
    const line = formatProgress({ bytes: 1 << 20, rows: 10, parts: 1 }, 4 << 20, 10);
    expect(line).toMatch(/ 25%/);
    expect(line).toMatch(/ETA 30s$/);
    expect(line).toMatch(/102\.4 KB\/s/);
  });

  it('does not guess an ETA before any byte moved, nor from no elapsed time', () => {
    expect(formatProgress({ bytes: 0, rows: 0, parts: 0 }, 1000, 5)).toMatch(/ETA --$/);
    expect(formatProgress({ bytes: 10, rows: 0, parts: 0 }, 1000, 0)).toMatch(/ETA --$/);
  });

  it('says it is committing once every byte is sent, instead of an ETA of zero', () => {
    const line = formatProgress({ bytes: 500, rows: 9, parts: 2, phase: 'committing' }, 500, 3);
    expect(line).toMatch(/100%/);
    expect(line).toMatch(/committing/);
    expect(line).not.toMatch(/ETA/);
  });

  it('ends with the total time', () => {
    expect(formatProgress({ bytes: 500, rows: 9, parts: 2, phase: 'done' }, 500, 65)).toMatch(
      /done in 1m 05s$/,
    );
  });

  it('keeps the bar and percent within 0..100 whatever the counts', () => {
    for (const [bytes, total] of [
      [2000, 1000],
      [0, 0],
      [-5, 100],
    ] as const) {
      const line = formatProgress({ bytes, rows: 0, parts: 0 }, total, 1);
      const percent = Number(/(\d+)%/.exec(line)?.[1]);
      expect(percent).toBeGreaterThanOrEqual(0);
      expect(percent).toBeLessThanOrEqual(100);
      expect(/\[([#.]+)\]/.exec(line)?.[1]).toHaveLength(24);
    }
  });

  it('marks estimated counts', () => {
    expect(formatProgress({ bytes: 1, rows: 3, parts: 1, estimated: true }, 2, 1)).toMatch(
      /~3 rows {2}~1 parts/,
    );
  });
});

describe('durations and sizes', () => {
  it.each([
    [0, '0s'],
    [0.2, '1s'],
    [59, '59s'],
    [60, '1m 00s'],
    [3599, '59m 59s'],
    [3600, '1h 00m'],
    [7325, '2h 02m'],
    [Number.POSITIVE_INFINITY, '--'],
    [Number.NaN, '--'],
    [-1, '--'],
  ])('%s s is %s', (seconds, text) => {
    expect(duration(seconds)).toBe(text);
  });

  it.each([
    [0, '0 B'],
    [1023, '1023 B'],
    [1024, '1.0 KB'],
    [1.5 * 1024 * 1024, '1.5 MB'],
  ])('%s bytes is %s', (bytes, text) => {
    expect(human(bytes)).toBe(text);
  });
});
