/**
 * The README's `@stream`/`@defer` curl example runs as written (curl against the gateway on the
 * sandbox, with the server's own credentials as `npm start` has them), and says what the README says.
 */
import { execFile, execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_TOKEN, type Stack, startStack } from '../helpers/stack.ts';

const run = promisify(execFile);
const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const start = readme.indexOf('## Large results: `@stream` and `@defer`');
const section = readme.slice(start, readme.indexOf('\n## ', start + 1));
const example = section.match(/```sh\n([\s\S]*?)```/)?.[1] ?? '';

const hasCurl = (() => {
  try {
    execFileSync('curl', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
if (!hasCurl) console.warn('README @stream example skipped: curl is not installed');

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({
    serverCredentials: { kind: 'developer', token: SANDBOX_TOKEN },
    sandbox: { largeRows: 5_000 },
  });
});
afterAll(() => stack.close());

describe.skipIf(!hasCurl)('README @stream example', () => {
  it('is in the README, for curl -N with Accept: multipart/mixed', () => {
    expect(start).toBeGreaterThan(0);
    expect(example).toContain('curl -N http://localhost:4000/graphql');
    expect(example).toContain('accept: multipart/mixed');
  });

  it('runs with curl: the first page and the name first, then the deferred field and the other pages', async () => {
    const command = example.replaceAll('http://localhost:4000', stack.gatewayUrl);
    const { stdout } = await run('bash', ['-c', command], { maxBuffer: 64 * 1024 * 1024 });
    const parts = stdout
      .split('\r\n---')
      .map((part) => part.split('\r\n\r\n')[1])
      .filter((body): body is string => !!body?.trim())
      .map((body) => JSON.parse(body));
    expect(parts.length).toBeGreaterThanOrEqual(3);
    expect(parts[0].data.dataset.name).toBe('Sales Transactions');
    expect(parts[0].data.sql.pages).toHaveLength(1);
    const incremental = parts.flatMap(
      (p: { incremental?: Array<{ items?: unknown[]; data?: { access?: unknown } }> }) => p.incremental ?? [],
    ) as Array<{ items?: unknown[]; data?: { access?: unknown } }>;
    const pages = [...parts[0].data.sql.pages, ...incremental.flatMap((i) => i.items ?? [])] as Array<{
      offset: number;
      rows: unknown[][];
      truncated: boolean;
    }>;
    expect(pages.map((p) => p.offset)).toEqual([0, 1000, 2000]);
    expect(pages.flatMap((p) => p.rows)).toHaveLength(3000);
    expect(incremental.some((i) => i.data?.access)).toBe(true);
    expect(parts.at(-1).hasNext).toBe(false);
  });
});
