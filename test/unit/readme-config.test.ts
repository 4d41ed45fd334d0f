/** README's configuration table lists exactly the variables src/config.ts reads. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const source = readFileSync(new URL('../../src/config.ts', import.meta.url), 'utf8');
const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

const read = new Set([...source.matchAll(/\(env, '([A-Z][A-Z0-9_]*)'/g)].map((m) => m[1]!));
const section = readme.slice(
  readme.indexOf('## Configuration'),
  readme.indexOf('\n## ', readme.indexOf('## Configuration') + 1),
);
const listed = new Set([...section.matchAll(/^\| `([A-Z][A-Z0-9_]*)`/gm)].map((m) => m[1]!));

describe('README configuration table', () => {
  it('finds the variables on both sides', () => {
    expect(read.size).toBeGreaterThan(20);
    expect(read).toContain('DOMO_MAX_CALLS_PER_REQUEST');
  });

  it('lists every variable config.ts reads, and no other', () => {
    expect([...listed].sort()).toEqual([...read].sort());
  });
});
