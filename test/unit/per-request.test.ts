import { describe, expect, it } from 'vitest';
import type { GraphContext } from '../../src/graph/context.ts';
import { perRequestLoader } from '../../src/graph/types/per-request.ts';

describe('perRequestLoader', () => {
  it('fetches each key once per request, never shares across requests, and fails per key', async () => {
    const fetched: string[] = [];
    const loader = perRequestLoader(async (_ctx, key) => {
      fetched.push(key);
      if (key === 'bad') throw new Error('nope');
      return key.toUpperCase();
    });
    const one = {} as GraphContext;
    const two = {} as GraphContext;
    expect(await Promise.all([loader(one).load('a'), loader(one).load('a'), loader(one).load('b')])).toEqual([
      'A',
      'A',
      'B',
    ]);
    await expect(loader(one).load('bad')).rejects.toThrow('nope');
    expect(await loader(two).load('a')).toBe('A');
    expect(fetched).toEqual(['a', 'b', 'bad', 'a']);
    expect(loader(one)).toBe(loader(one));
    expect(loader(one)).not.toBe(loader(two));
  });
});
