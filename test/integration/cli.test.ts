import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
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

async function cli(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['bin/domo-graph.js', ...args], {
      env: { ...process.env, DOMO_DEVELOPER_TOKEN: '', DOMO_INSTANCE: '', DOMO_BASE_URL: '', ...env },
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
    // Once the file is sent the gateway still commits: the bar says so, then ends with the time.
    const lines = result.stderr.trim().split('\n');
    const committing = lines.findIndex((line) => /100% .*committing/.test(line));
    expect(committing).toBeGreaterThanOrEqual(0);
    // The CLI's own estimate while sending: newlines less the header, so the 2 data rows show ~2.
    expect(lines[committing]).toMatch(/~2 rows/);
    expect(lines.at(-1)).toMatch(/100% .*done in \d+s$/);
    expect(lines.findIndex((line) => /done in/.test(line))).toBeGreaterThan(committing);
    expect(lines[0]).toMatch(/ETA (\d|--)/);
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
    expect(bigPart.code).toBe(2);
    expect(bigPart.stderr).toMatch(/--part-size-kb must be from 1 to 262144/);
    const slash = await cli(['upload', 'nope.csv', '--dataset', DEMO_DATASETS.staging, '--tag', 'a/b']);
    expect(slash.code).toBe(2);
    expect(slash.stderr).toMatch(/--tag must be 1 to 256 characters/);
  });

  it('shows the committing state on --direct uploads too', async () => {
    const file = join(dir, 'direct.csv');
    await writeFile(file, 'id,payload,amount,loaded_at\n7,d,7,\n');
    const result = await cli(
      ['upload', file, '--dataset', DEMO_DATASETS.staging, '--direct', '--token', SANDBOX_TOKEN],
      { DOMO_BASE_URL: stack.sandbox.url },
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/rows: +1/);
    expect(result.stderr).toMatch(/100% .*committing/);
    expect(result.stderr.trim().split('\n').at(-1)).toMatch(/done in/);
  });

  it('explains usage errors and exits 2 (a wrong command line, not a failed upload)', async () => {
    for (const args of [
      ['upload', 'nope.csv'],
      ['upload'],
      ['upload', 'a.csv', 'b.csv', '--dataset', DEMO_DATASETS.staging],
      ['upload', 'nope.csv', '--dataset', DEMO_DATASETS.staging, '--mode', 'merge'],
      ['upload', 'nope.csv', '--dataset', DEMO_DATASETS.staging, '--bogus'],
      ['upload', 'nope.csv', '--dataset'],
      ['help', 'nope'],
    ]) {
      const result = await cli(args);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stdout, args.join(' ')).toBe('');
      expect(result.stderr, args.join(' ')).toMatch(/^domo-graph: .+\n.*domo-graph help/);
    }
    const missing = await cli(['upload', 'nope.csv']);
    expect(missing.stderr).toMatch(/--dataset ID is required/);
  });

  it('exits 2 with the command list when no command or an unknown one is given', async () => {
    for (const args of [[], ['uplod'], ['--bogus']]) {
      const result = await cli(args);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr).toMatch(/usage: domo-graph <command>/);
      expect(result.stderr).toMatch(/upload FILE --dataset ID/);
    }
  });

  it('an unreadable file or missing settings are a failed run (exit 1), not a usage error', async () => {
    const result = await cli(['upload', join(dir, 'missing.csv'), '--dataset', DEMO_DATASETS.staging]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/cannot read/);
    const file = join(dir, 'unconfigured.csv');
    await writeFile(file, 'id\n1\n');
    const direct = await cli(['upload', file, '--dataset', DEMO_DATASETS.staging, '--direct']);
    expect(direct.code).toBe(1);
    expect(direct.stderr).toMatch(/--direct needs DOMO_INSTANCE/);
  });
});

describe('npx domo-graph --version and --help', () => {
  it('prints the version in package.json', async () => {
    const { version } = JSON.parse(await readFile('package.json', 'utf8')) as { version: string };
    for (const flag of ['--version', '-v', 'version']) {
      const result = await cli([flag]);
      expect(result.code).toBe(0);
      expect(result.stdout).toBe(`domo-graph ${version}\n`);
    }
  });

  it('runs as `npx domo-graph` inside the checkout, from its own bin, never from the registry', async () => {
    const { version } = JSON.parse(await readFile('package.json', 'utf8')) as { version: string };
    // --offline: npm may not ask the registry, so a registry package of that name cannot answer.
    const { stdout } = await run('npm', ['exec', '--offline', '--', 'domo-graph', '--version'], {
      cwd: new URL('../..', import.meta.url).pathname,
    });
    expect(stdout).toBe(`domo-graph ${version}\n`);
  });

  it('gives every command its own help, on stdout with exit 0', async () => {
    const top = await cli(['--help']);
    expect(top.code).toBe(0);
    expect(top.stdout).toMatch(/commands:\n {2}upload/);
    expect((await cli(['help'])).stdout).toBe(top.stdout);
    expect((await cli(['-h'])).stdout).toBe(top.stdout);
    const upload = await cli(['upload', '--help']);
    expect(upload.code).toBe(0);
    expect(upload.stdout).toMatch(/^usage: domo-graph upload FILE --dataset ID/);
    expect(upload.stdout).toMatch(/--part-size-kb N/);
    expect((await cli(['upload', '-h'])).stdout).toBe(upload.stdout);
    expect((await cli(['help', 'upload'])).stdout).toBe(upload.stdout);
    const help = await cli(['help', 'help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^usage: domo-graph help \[COMMAND\]/);
  });

  it('shows defaults as values, never as variables to expand', async () => {
    for (const args of [['--help'], ['upload', '--help'], ['help', 'help'], []]) {
      const result = await cli(args, { PORT: '4123' });
      const text = result.stdout + result.stderr;
      expect(text).not.toMatch(/\$\{?[A-Za-z_]/);
      expect(text).not.toMatch(/%[A-Z_]+%/);
    }
    // The default gateway is this environment's PORT, rendered.
    expect((await cli(['upload', '--help'], { PORT: '4123' })).stdout).toMatch(
      /default http:\/\/127\.0\.0\.1:4123\)/,
    );
  });
});
