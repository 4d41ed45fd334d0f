import { describe, expect, it } from 'vitest';
import type { GraphContext } from '../../src/graph/context.ts';
import { type DatasetKey, datasetKey, perRequestLoader } from '../../src/graph/types/per-request.ts';

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

describe('perRequestLoader with object keys', () => {
  it('dedupes equal keys through cacheKey and hands the fetch the typed key', async () => {
    const fetched: Array<{ id: string; option: boolean }> = [];
    const loader = perRequestLoader(async (_ctx, key: DatasetKey<boolean>) => {
      fetched.push(key);
      return `${key.id}:${key.option}`;
    }, datasetKey);
    const ctx = {} as GraphContext;
    const answers = await Promise.all([
      loader(ctx).load({ id: 'a', option: true }),
      loader(ctx).load({ id: 'a', option: true }),
      loader(ctx).load({ id: 'a', option: false }),
      // An id that holds the separator of a naive `id|option` key is still its own key.
      loader(ctx).load({ id: 'a|true', option: false }),
    ]);
    expect(answers).toEqual(['a:true', 'a:true', 'a:false', 'a|true:false']);
    expect(fetched).toEqual([
      { id: 'a', option: true },
      { id: 'a', option: false },
      { id: 'a|true', option: false },
    ]);
    loader(ctx).clear({ id: 'a', option: true });
    await loader(ctx).load({ id: 'a', option: true });
    expect(fetched).toHaveLength(4);
  });
});
