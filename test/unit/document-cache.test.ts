import { describe, expect, it } from 'vitest';
import { DocumentCache } from '../../src/graph/document-cache.ts';

describe('DocumentCache', () => {
  it('keeps at most maxEntries documents, dropping the least recently used', () => {
    const cache = new DocumentCache<number>({ maxEntries: 2, maxBytes: 1_000 });
    cache.set('{ a }', 1);
    cache.set('{ b }', 2);
    expect(cache.get('{ a }')).toBe(1); // a is now the most recent
    cache.set('{ c }', 3);
    expect(cache.get('{ b }')).toBeUndefined();
    expect(cache.get('{ a }')).toBe(1);
    expect(cache.get('{ c }')).toBe(3);
    expect(cache.size).toBe(2);
  });

  it('keeps the cached text under maxBytes, and never caches a document over a quarter of it', () => {
    const cache = new DocumentCache<number>({ maxEntries: 100, maxBytes: 40 });
    for (let i = 0; i < 10; i++) cache.set(`{ field${i} }`, i); // 10 characters each
    expect(cache.textBytes).toBeLessThanOrEqual(40);
    expect(cache.size).toBe(4);
    expect(cache.get('{ field9 }')).toBe(9);
    cache.set(`{ ${'x'.repeat(20)} }`, 99);
    expect(cache.get(`{ ${'x'.repeat(20)} }`)).toBeUndefined();
  });

  it('counts a document set twice once', () => {
    const cache = new DocumentCache<number>({ maxEntries: 10, maxBytes: 1_000 });
    cache.set('{ a }', 1);
    cache.set('{ a }', 2);
    expect(cache.size).toBe(1);
    expect(cache.textBytes).toBe(5);
    expect(cache.get('{ a }')).toBe(2);
  });

  it('caches nothing with maxEntries 0', () => {
    const cache = new DocumentCache<number>({ maxEntries: 0, maxBytes: 1_000 });
    cache.set('{ a }', 1);
    expect(cache.get('{ a }')).toBeUndefined();
  });
});
