/** README's configuration table lists exactly the variables src/config*.ts read. */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

// config.ts and the modules it reads its values with (config-values.ts, config-auth.ts, …).
const srcDir = new URL('../../src/', import.meta.url);
const files = readdirSync(srcDir).filter((name) => /^config.*\.ts$/.test(name));
const source = files.map((name) => readFileSync(new URL(name, srcDir), 'utf8')).join('\n');
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
    // Read in config-auth.ts: the scan covers every config module.
    expect(files).toContain('config-auth.ts');
    expect(read).toContain('GATEWAY_API_KEYS_FILE');
  });

  it('lists every variable config*.ts read, and no other', () => {
    expect([...listed].sort()).toEqual([...read].sort());
  });
});
