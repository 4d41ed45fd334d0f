/**
 * Upstream endpoints as metric and span labels: templates whose number the API's vocabulary
 * bounds, whatever the ids. The vocabulary must hold every literal segment src/domo sends, or a
 * real endpoint would collapse into `{id}`.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ENDPOINT_WORDS, endpointTemplate } from '../../src/domo/endpoint.ts';

const DOMO = new URL('../../src/domo/', import.meta.url);
const sources = readdirSync(DOMO)
  .filter((name) => name.endsWith('.ts'))
  .map((name) => readFileSync(new URL(name, DOMO), 'utf8'));

/** The literal parts of every apiPath`…` template and `path: '/api/…'` string in src/domo. */
function literalSegments(): Set<string> {
  const words = new Set<string>();
  for (const source of sources) {
    const literals = [
      ...[...source.matchAll(/apiPath`(\/[^`]*)`/g)].map((m) => m[1]!.replace(/\$\{[^}]*\}/g, '/')),
      ...[...source.matchAll(/path: '(\/api\/[^']*)'/g)].map((m) => m[1]!),
    ];
    for (const literal of literals) {
      for (const segment of literal.split('/')) if (segment && !segment.startsWith(':')) words.add(segment);
    }
  }
  return words;
}

describe('endpointTemplate', () => {
  it('knows every literal segment of the paths src/domo builds', () => {
    const words = literalSegments();
    expect(words.size).toBeGreaterThan(20);
    expect([...words].filter((w) => !ENDPOINT_WORDS.has(w))).toEqual([]);
  });

  it('replaces ids, numbers and any unknown segment with {id}, and drops the query', () => {
    expect(endpointTemplate('/api/data/v3/datasources/3f5a1b2c-7d4e-4f60-9a8b-1c2d3e4f5a60')).toBe(
      '/api/data/v3/datasources/{id}',
    );
    expect(endpointTemplate('/api/data/v3/datasources/abc/uploads/7/parts/2?x=1')).toBe(
      '/api/data/v3/datasources/{id}/uploads/{id}/parts/{id}',
    );
    expect(endpointTemplate('/api/query/v1/execute/ds%2F1')).toBe('/api/query/v1/execute/{id}');
    expect(endpointTemplate('/api/content/v2/users/me')).toBe('/api/content/v2/users/me');
  });

  it('gives 1,000 distinct dataset ids one template', () => {
    const templates = new Set<string>();
    for (let i = 0; i < 1000; i++) {
      templates.add(endpointTemplate(`/api/data/v3/datasources/dataset-${i}-${Math.random()}/permissions`));
    }
    expect([...templates]).toEqual(['/api/data/v3/datasources/{id}/permissions']);
  });
});
