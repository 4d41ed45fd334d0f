import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_DATASETS } from '../../src/sandbox/seed.ts';
import { SANDBOX_TOKEN, type Stack, startStack } from '../helpers/stack.ts';
import { rowsOf } from '../helpers/uploads.ts';

const run = promisify(execFile);
let stack: Stack;
let dir: string;
beforeAll(async () => {
  stack = await startStack();
  dir = await mkdtemp(join(tmpdir(), 'domo-graph-cli-'));
});
afterAll(async () => {
  await stack.close();
  await rm(dir, { recursive: true, force: true });
});

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['bin/domo-graph.js', ...args], {
      env: { ...process.env, DOMO_DEVELOPER_TOKEN: '', DOMO_INSTANCE: '', DOMO_BASE_URL: '' },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('npx domo-graph upload', () => {
  it('streams a file through the gateway and prints a summary', async () => {
    const file = join(dir, 'rows.csv');
    await writeFile(file, 'id,payload,amount,loaded_at\n1,"a, b",1,\n2,c,2,2025-01-01 00:00:00\n');
    const staging = DEMO_DATASETS.staging;
    const result = await cli([
      'upload',
      file,
      '--dataset',
      staging,
      '--mode',
      'append',
      '--gateway',
      stack.gatewayUrl,
      '--token',
      SANDBOX_TOKEN,
    ]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/committed upload \d+ to .* \(append\)/);
    expect(result.stdout).toMatch(/rows: +2/);
    expect(result.stderr).toMatch(/100%/);
    expect(await rowsOf(stack, staging, 'id, payload')).toEqual([
      [1, 'a, b'],
      [2, 'c'],
    ]);
  });

  it('says which line and column were wrong, and exits 1', async () => {
    const file = join(dir, 'bad.csv');
    await writeFile(file, 'id,payload,amount,loaded_at\n1,a,oops,\n');
    const result = await cli([
      'upload',
      file,
      '--dataset',
      DEMO_DATASETS.staging,
      '--gateway',
      stack.gatewayUrl,
      '--token',
      SANDBOX_TOKEN,
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/upload failed \(HTTP 400, line 2, column amount\): .*not a valid DOUBLE/);
  });

  it("applies the gateway's argument rules before reading the file", async () => {
    const bigPart = await cli([
      'upload',
      'nope.csv',
      '--dataset',
      DEMO_DATASETS.staging,
      '--part-size-kb',
      '262145',
    ]);
    expect(bigPart.code).toBe(1);
    expect(bigPart.stderr).toMatch(/--part-size-kb must be from 1 to 262144/);
    const slash = await cli(['upload', 'nope.csv', '--dataset', DEMO_DATASETS.staging, '--tag', 'a/b']);
    expect(slash.code).toBe(1);
    expect(slash.stderr).toMatch(/--tag must be 1 to 256 characters/);
  });

  it('explains usage errors', async () => {
    const result = await cli(['upload', 'nope.csv']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/--dataset ID is required/);
  });
});
