/**
 * A gateway in front of Domo (DOMO_BASE_URL set) must not load the sandbox: DuckDB's native library
 * is tens of MB of resident memory the upload path's RSS budget cannot spare. main.ts imports the
 * sandbox dynamically, only when no Domo is configured; this walks its static imports to keep it so.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const src = new URL('../../src/', import.meta.url).pathname;

/** Modules a file loads when it is loaded: static imports and re-exports that are not type-only. */
function staticImports(source: string): string[] {
  const statements = source.matchAll(/^\s*(?:import|export)\s+(type\s+)?[^;]*?\bfrom\s+'([^']+)'/gm);
  return [...statements].filter((m) => !m[1]).map((m) => m[2]!);
}

function loadedFrom(entry: string): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    for (const specifier of staticImports(readFileSync(file, 'utf8'))) {
      if (specifier.startsWith('.')) visit(join(dirname(file), specifier));
      else packages.add(specifier);
    }
  };
  visit(join(src, entry));
  return { files, packages };
}

describe('gateway imports', () => {
  it('tells static imports from type-only ones and dynamic imports', () => {
    const source = [
      "import type { A } from './a.ts';",
      "import { type B, c } from './c.ts';",
      "export { d } from './d.ts';",
      "export type { E } from './e.ts';",
      "import {\n  f,\n  g,\n} from 'pkg';",
      "const h = await import('./h.ts');",
    ].join('\n');
    expect(staticImports(source)).toEqual(['./c.ts', './d.ts', 'pkg']);
  });

  it('main.ts loads neither the sandbox nor DuckDB until it needs them', () => {
    const { files, packages } = loadedFrom('main.ts');
    const sandbox = [...files].map((f) => relative(src, f)).filter((f) => f.startsWith('sandbox/'));
    expect(sandbox).toEqual([]);
    expect([...packages].filter((p) => p.startsWith('@duckdb/'))).toEqual([]);
    // The walk did reach the gateway's own modules.
    expect(files.has(join(src, 'http/uploads.ts'))).toBe(true);
  });
});
