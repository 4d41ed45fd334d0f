/**
 * One error vocabulary: the table in src/errors/codes.ts is the only source of codes, the README's
 * "Errors" table says the same (both ways, statuses included), and src/errors can be loaded by
 * src/domo and the CLI without GraphQL.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DomoError, kindForStatus } from '../../src/domo/errors.ts';
import { uploadFailureKind } from '../../src/errors/classify.ts';
import { errorCodes, FAILURES, failure } from '../../src/errors/codes.ts';

const root = new URL('../../', import.meta.url).pathname;
const src = join(root, 'src');

/** The README's error table: code → HTTP status, as written. */
function readmeCodes(): Map<string, number> {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('\n## Errors\n'));
  const lines = section.split('\n');
  const header = lines.findIndex((l) => /^\|\s*Code\s*\|/.test(l));
  expect(header).toBeGreaterThan(0);
  const columns = lines[header]!.split('|').map((c) => c.trim());
  const codeAt = columns.indexOf('Code');
  const httpAt = columns.indexOf('HTTP');
  expect(httpAt).toBeGreaterThan(0);
  const codes = new Map<string, number>();
  for (const line of lines.slice(header + 2)) {
    if (!line.startsWith('|')) break;
    const cells = line.split('|').map((c) => c.trim());
    const code = /^`([A-Z_]+)`$/.exec(cells[codeAt] ?? '')?.[1];
    expect(code, line).toBeDefined();
    expect(codes.has(code!), `${code} listed twice`).toBe(false);
    codes.set(code!, Number(cells[httpAt]));
  }
  return codes;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

describe('the error table', () => {
  it('gives every code one HTTP status, whatever kind it comes from', () => {
    const seen = new Map<string, number>();
    for (const [kind, { code, httpStatus }] of Object.entries(FAILURES)) {
      expect(code, kind).toMatch(/^[A-Z][A-Z_]+$/);
      expect(httpStatus, kind).toBeGreaterThanOrEqual(400);
      expect(httpStatus, kind).toBeLessThan(600);
      if (seen.has(code)) expect(httpStatus, `${kind}: ${code}`).toBe(seen.get(code));
      seen.set(code, httpStatus);
    }
  });

  it('is the README table, both ways', () => {
    const table = Object.fromEntries(errorCodes());
    const readme = Object.fromEntries(readmeCodes());
    expect(readme).toEqual(table);
  });

  it('maps every Domo answer status to a kind it knows', () => {
    for (let status = 100; status < 600; status++) {
      for (const message of ['', 'rate limit exceeded']) {
        expect(FAILURES[kindForStatus(status, message)], `${status} ${message}`).toBeDefined();
      }
    }
    expect(failure(kindForStatus(404, ''))).toEqual({ code: 'NOT_FOUND', httpStatus: 404 });
    expect(failure(kindForStatus(504, ''))).toEqual({ code: 'UPSTREAM_TIMEOUT', httpStatus: 504 });
    expect(failure(kindForStatus(403, 'Rate limit reached'))).toEqual({
      code: 'RATE_LIMITED',
      httpStatus: 429,
    });
  });

  it('classifies upload failures as GraphQL and the PUT route both answer them', () => {
    const domo = (kind: DomoError['kind']) =>
      new DomoError({ kind, message: 'x', method: 'PUT', path: '/p' });
    expect(failure(uploadFailureKind({ kind: 'data' })).code).toBe('BAD_USER_INPUT');
    expect(failure(uploadFailureKind({ kind: 'aborted' })).code).toBe('CANCELLED');
    expect(failure(uploadFailureKind({ kind: 'part', cause: domo('timeout') }))).toEqual({
      code: 'UPSTREAM_TIMEOUT',
      httpStatus: 504,
    });
    expect(failure(uploadFailureKind({ kind: 'commit', cause: domo('unauthenticated') })).code).toBe(
      'UNAUTHENTICATED',
    );
    expect(failure(uploadFailureKind({ kind: 'start', cause: new Error('socket') }))).toEqual({
      code: 'UPSTREAM_ERROR',
      httpStatus: 502,
    });
  });

  it('is the only place codes are spelled: every code written in src is in it', () => {
    const known = new Set(errorCodes().keys());
    const written: string[] = [];
    for (const file of sourceFiles(src)) {
      const path = relative(src, file);
      // The sandbox speaks Domo's error bodies, not the gateway's; the table itself is the source.
      if (path.startsWith('sandbox/') || path.startsWith('errors/') || path.startsWith('sdk/generated'))
        continue;
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/(?:\bcode:\s*|ClientError\(\s*)'([A-Z][A-Z_]+)'/g)) {
        written.push(`${path}: ${m[1]}`);
        expect(known.has(m[1] as never), `${path} writes ${m[1]}, which is not in src/errors/codes.ts`).toBe(
          true,
        );
      }
    }
    // The scan finds what it looks for (manage.ts writes UPSTREAM_ERROR as a typed literal).
    expect(written.length).toBeGreaterThan(0);
  });
});

/** Modules a file loads when it is loaded: static imports that are not type-only. */
function staticImports(source: string): string[] {
  const statements = source.matchAll(/^\s*(?:import|export)\s+(type\s+)?[^;]*?\bfrom\s+'([^']+)'/gm);
  return [...statements].filter((m) => !m[1]).map((m) => m[2]!);
}

function packagesLoadedBy(entry: string): Set<string> {
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
  visit(entry);
  return packages;
}

describe('src/errors', () => {
  it('loads no GraphQL, so src/domo, src/http and the CLI can use it', () => {
    for (const file of sourceFiles(join(src, 'errors'))) {
      const graphql = [...packagesLoadedBy(file)].filter((p) => /graphql/.test(p));
      expect(graphql, relative(src, file)).toEqual([]);
    }
    for (const file of ['domo/http.ts', 'domo/errors.ts', 'log.ts']) {
      expect(
        [...packagesLoadedBy(join(src, file))].filter((p) => /graphql/.test(p)),
        file,
      ).toEqual([]);
    }
  });
});
