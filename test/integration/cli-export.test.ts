/**
 * `npx domo-graph export` against the real gateway and sandbox (the file equals the route's answer,
 * which export.test.ts checks against SQL), and against a fake that breaks midway (no file left).
 */
import { execFile } from 'node:child_process';
import { access, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_DATASETS } from '../../src/sandbox/seed.ts';
import { DATASET, rig } from '../helpers/fake-gateway.ts';
import { authHeader, SANDBOX_TOKEN, type Stack, startStack } from '../helpers/stack.ts';

const run = promisify(execFile);
let stack: Stack;
let dir: string;
beforeAll(async () => {
  stack = await startStack();
  dir = await mkdtemp(join(tmpdir(), 'domo-graph-export-'));
});
afterAll(async () => {
  await stack.close();
  await rm(dir, { recursive: true, force: true });
});

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['bin/domo-graph.js', 'export', ...args], {
      env: { ...process.env, DOMO_DEVELOPER_TOKEN: '', DOMO_INSTANCE: '', DOMO_BASE_URL: '' },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

const exists = (file: string) =>
  access(file).then(
    () => true,
    () => false,
  );

describe('npx domo-graph export', () => {
  it.each(['csv', 'ndjson'])('writes the %s export to a file with a summary', async (format) => {
    const file = join(dir, `sales.${format}`);
    const where = JSON.stringify({ column: 'region', eq: 'West' });
    const args = ['--dataset', DEMO_DATASETS.sales, '--format', format, '--where', where, '-o', file];
    const result = await cli([...args, '--gateway', stack.gatewayUrl, '--token', SANDBOX_TOKEN]);
    expect(result.stderr).toMatch(/rows\/s/);
    expect(result.code).toBe(0);
    const route = await fetch(
      `${stack.gatewayUrl}/v1/datasets/${DEMO_DATASETS.sales}/export?${new URLSearchParams({ format, where })}`,
      { headers: authHeader() },
    );
    const expected = await route.text();
    expect(await readFile(file, 'utf8')).toBe(expected);
    const rows = expected.trim().split('\n').length - (format === 'csv' ? 1 : 0);
    expect(rows).toBe(400);
    expect(result.stdout).toContain(`exported ${DEMO_DATASETS.sales} to ${file} (${format})`);
    expect(result.stdout).toMatch(/rows: +400\n/);
    expect(await exists(`${file}.partial`)).toBe(false);
  });

  it.each([
    [['-o', 'x.csv']],
    [['--dataset', DEMO_DATASETS.sales]],
    [['--dataset', DEMO_DATASETS.sales, '-o', 'x', '--format', 'xml']],
    [['--dataset', DEMO_DATASETS.sales, '-o', 'x', '--sql', 'SELECT 1', '--where', '{}']],
    [['--dataset', DEMO_DATASETS.sales, '-o', 'x', '--where', '{bad']],
  ])('exits 2 on the usage error %j', async (args) => {
    const result = await cli(args);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('domo-graph help export');
  });

  it('shows its help', async () => {
    const help = await cli(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('usage: domo-graph export');
  });

  it('exits 1 with the code on a refusal, and leaves no file', async () => {
    const file = join(dir, 'bad.csv');
    const result = await cli([
      '--dataset',
      DEMO_DATASETS.sales,
      '--sql',
      'SELECT nope FROM table',
      '-o',
      file,
      '--gateway',
      stack.gatewayUrl,
      '--token',
      SANDBOX_TOKEN,
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/export failed \(HTTP 400\)[\s\S]*\[BAD_USER_INPUT\]/);
    expect(await exists(file)).toBe(false);
  });

  it.each(['csv', 'ndjson'])('removes the partial %s file when the export breaks midway', async (format) => {
    const fake = await rig(null);
    try {
      const broken = (body: () => Generator<string>) => () => ({
        status: 200,
        headers: { 'content-type': format === 'csv' ? 'text/csv' : 'application/json' },
        thenReset: true,
        chunks: body,
      });
      fake.script.other = broken(
        format === 'csv'
          ? function* () {
              yield 'id\n';
              for (let i = 0; i < 2000; i++) yield `${i}\n`;
            }
          : // More rows than one page of the export (2,000): the first page is sent before the break.
            function* () {
              yield '{"columns":["id"],"rows":[[0]';
              for (let i = 1; i < 10_000; i++) yield `,[${i}]`;
            },
      );
      const file = join(dir, `broken.${format}`);
      const sql = format === 'ndjson' ? ['--sql', 'SELECT id FROM table'] : [];
      const result = await cli([
        '--dataset',
        DATASET,
        '--format',
        format,
        ...sql,
        '-o',
        file,
        '--gateway',
        fake.url,
        '--token',
        'fake-token',
      ]);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/the export broke after/);
      if (format === 'ndjson') expect(result.stderr).toContain('[UPSTREAM_ERROR]');
      expect(await exists(file)).toBe(false);
      expect(await exists(`${file}.partial`)).toBe(false);
    } finally {
      await fake.close();
    }
  });
});
