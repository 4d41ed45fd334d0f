/**
 * The boundaries of ARCHITECTURE.md, checked on every file's source: src/domo knows nothing of
 * GraphQL; src/graph never imports undici nor builds a URL (the client does, through apiPath);
 * src/sandbox imports nothing from src/graph; src/http imports nothing from src/graph/types.
 * Every import form counts: static, type-only, re-exports, side-effect imports and import().
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = new URL('../../src/', import.meta.url).pathname;

function filesUnder(dir: string): string[] {
  return readdirSync(join(SRC, dir), { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && /\.(ts|js|mjs|cjs)$/.test(entry.name))
    .map((entry) => join(entry.parentPath, entry.name));
}

/** Every module specifier a source names: import/export … from, bare imports, import(), require(). */
function specifiers(source: string): string[] {
  const code = withoutComments(source);
  const found: string[] = [];
  const patterns = [
    /\b(?:import|export)\s[^;'"`]*?\bfrom\s*['"]([^'"]+)['"]/g,
    /\bimport\s*['"]([^'"]+)['"]/g,
    /\bimport\s*\(\s*['"`]([^'"`]+)['"`]/g,
    /\brequire\s*\(\s*['"`]([^'"`]+)['"`]/g,
  ];
  for (const pattern of patterns) for (const m of code.matchAll(pattern)) found.push(m[1]!);
  return found;
}

/** The source with comments blanked out (strings kept), so a link in a comment is not a URL built. */
function withoutComments(source: string): string {
  let out = '';
  let i = 0;
  while (i < source.length) {
    const c = source[i]!;
    const next = source[i + 1];
    if (c === '/' && next === '/') {
      while (i < source.length && source[i] !== '\n') i++;
    } else if (c === '/' && next === '*') {
      const end = source.indexOf('*/', i + 2);
      i = end === -1 ? source.length : end + 2;
      out += ' ';
    } else if (c === "'" || c === '"' || c === '`') {
      let j = i + 1;
      while (j < source.length && source[j] !== c) j += source[j] === '\\' ? 2 : 1;
      out += source.slice(i, j + 1);
      i = j + 1;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

/** Ways a module builds a URL or an upstream path itself. */
function urlBuilding(source: string): string[] {
  const code = withoutComments(source);
  const hits: string[] = [];
  for (const pattern of [/\bnew\s+URL\s*\(/g, /https?:\/\//g, /['"`]\/api\//g, /\bURL\.parse\s*\(/g]) {
    for (const m of code.matchAll(pattern)) hits.push(m[0]);
  }
  return hits;
}

/** Where a relative specifier points, as a path below src/ (or the bare package name). */
function target(file: string, specifier: string): string {
  return specifier.startsWith('.') ? relative(SRC, resolve(dirname(file), specifier)) : specifier;
}

function violations(dir: string, forbidden: (target: string) => boolean): string[] {
  const found: string[] = [];
  for (const file of filesUnder(dir)) {
    for (const specifier of specifiers(readFileSync(file, 'utf8'))) {
      const to = target(file, specifier);
      if (forbidden(to)) found.push(`${relative(SRC, file)} imports ${specifier}`);
    }
  }
  return found;
}

const isGraphQL = (to: string) =>
  to === 'graphql' ||
  to.startsWith('graphql/') ||
  to.startsWith('graphql-') ||
  to.startsWith('@graphql-') ||
  to.startsWith('@pothos/') ||
  to === 'dataloader' ||
  to === 'graph' ||
  to.startsWith('graph/');

describe('the scanners', () => {
  it('see every import form, and not commented-out ones', () => {
    const source = [
      "import type { A } from './a.ts';",
      "import { b,\n  c } from 'pkg-b';",
      "export * from '../c.ts';",
      "import './side-effect.ts';",
      "const d = await import('./d.ts');",
      "const e = require('e');",
      "// import { f } from 'f';",
      "/* import { g } from 'g'; */",
      'const s = \'import x from "not-an-import"\';',
    ].join('\n');
    expect(specifiers(source).sort()).toEqual(
      ['./a.ts', 'pkg-b', '../c.ts', './side-effect.ts', './d.ts', 'e', 'not-an-import'].sort(),
    );
  });

  it('see URL building in code, not in comments', () => {
    expect(urlBuilding("const u = new URL('/x', base);")).toHaveLength(1);
    // '$' + '{' keeps the samples plain strings (they are source text, not templates).
    expect(urlBuilding(`const u = \`https://${'$'}{host}/x\`;`)).toHaveLength(1);
    expect(urlBuilding("const p = '/api/data/v1/streams';")).toHaveLength(1);
    expect(urlBuilding(`const p = \`/api/data/v1/streams/${'$'}{id}\`;`)).toHaveLength(1);
    expect(
      urlBuilding("// see https://developer.domo.com\nconst d = 'Creates a stream (POST /api/data)';"),
    ).toEqual([]);
  });
});

describe('module boundaries', () => {
  it('src/domo imports nothing of GraphQL (graphql, yoga, Pothos, dataloader, src/graph)', () => {
    expect(violations('domo', isGraphQL)).toEqual([]);
  });

  it('src/live imports nothing of GraphQL, and no URL is built there (the client calls Domo)', () => {
    expect(violations('live', isGraphQL)).toEqual([]);
    expect(violations('live', (to) => to === 'undici' || to.startsWith('undici/'))).toEqual([]);
    const found = filesUnder('live').flatMap((file) =>
      urlBuilding(readFileSync(file, 'utf8')).map((hit) => `${relative(SRC, file)}: ${hit}`),
    );
    expect(found).toEqual([]);
  });

  it('src/graph never imports undici', () => {
    expect(violations('graph', (to) => to === 'undici' || to.startsWith('undici/'))).toEqual([]);
  });

  it('src/graph never builds a URL or an upstream path (new URL, http(s)://, "/api/…")', () => {
    const found = filesUnder('graph').flatMap((file) =>
      urlBuilding(readFileSync(file, 'utf8')).map((hit) => `${relative(SRC, file)}: ${hit}`),
    );
    expect(found).toEqual([]);
  });

  it('src/sandbox imports nothing from src/graph', () => {
    expect(violations('sandbox', (to) => to === 'graph' || to.startsWith('graph/'))).toEqual([]);
  });

  it('src/http imports nothing from src/graph/types', () => {
    expect(violations('http', (to) => to.startsWith('graph/types'))).toEqual([]);
  });

  it('scans real files (the walk reached each tree)', () => {
    for (const dir of ['domo', 'graph', 'sandbox', 'http']) expect(filesUnder(dir).length).toBeGreaterThan(0);
    expect(filesUnder('graph').some((f) => f.includes(`${join('graph', 'types')}`))).toBe(true);
  });
});
