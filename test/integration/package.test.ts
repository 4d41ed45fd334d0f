/**
 * The package as a service gets it: `npm pack` (its prepack builds dist/sdk), the tarball installed
 * into a new project, a TypeScript snippet that imports `@domo-graph/gateway/sdk` type-checked with
 * tsc (and a wrong one refused, so the .d.ts are real types, not `any`), then run with node against
 * the real gateway in front of the real sandbox; and the installed CLI bin answering `--version`.
 *
 * The install is `npm install --prefer-offline`: after `npm ci` every dependency's tarball is in
 * npm's cache, so nothing is downloaded again, but npm may still ask the registry for package
 * metadata the cache lacks (`npm ci` stores tarballs, not metadata), which `--offline` would refuse.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_DATASETS } from '../../src/sandbox/seed.ts';
import { SANDBOX_TOKEN, type Stack, startStack } from '../helpers/stack.ts';

const run = promisify(execFile);
const ROOT = new URL('../..', import.meta.url).pathname;
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

let stack: Stack;
let dir: string;
let project: string;

const version = async (name: string) =>
  (
    JSON.parse(await readFile(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as {
      version: string;
    }
  ).version;

beforeAll(async () => {
  stack = await startStack();
  dir = await mkdtemp(join(tmpdir(), 'domo-graph-pack-'));
  project = join(dir, 'service');
  await run(npm, ['pack', '--pack-destination', dir], { cwd: ROOT, maxBuffer: 16 << 20 });
  const tarball = (await readdir(dir)).find((f) => f.endsWith('.tgz'));
  if (!tarball) throw new Error('npm pack wrote no tarball');
  await run('mkdir', ['-p', project]);
  await writeFile(
    join(project, 'package.json'),
    JSON.stringify({ name: 'a-service', private: true, type: 'module' }),
  );
  // The service's own TypeScript toolchain, at the versions this repository's lockfile holds (in
  // the cache after `npm ci`).
  await run(
    npm,
    [
      'install',
      join(dir, tarball),
      `typescript@${await version('typescript')}`,
      `@types/node@${await version('@types/node')}`,
      '--prefer-offline',
      '--no-audit',
      '--no-fund',
      '--loglevel=error',
    ],
    { cwd: project, maxBuffer: 16 << 20 },
  );
  await writeFile(
    join(project, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        target: 'ES2022',
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        strict: true,
        types: ['node'],
        outDir: 'out',
      },
      include: ['main.ts'],
    }),
  );
}, 240_000);

afterAll(async () => {
  await stack?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const tsc = (cwd: string) =>
  run(process.execPath, [join(cwd, 'node_modules/typescript/bin/tsc'), '-p', '.'], { cwd }).then(
    () => ({ ok: true, output: '' }),
    (error: { stdout?: string }) => ({ ok: false, output: String(error.stdout) }),
  );

describe('the packed package, installed in another project', () => {
  it('exports only the SDK and package.json; the tarball holds the built SDK, not the tests', async () => {
    const pkg = JSON.parse(
      await readFile(join(project, 'node_modules/@domo-graph/gateway/package.json'), 'utf8'),
    ) as { name: string; private?: boolean; exports: Record<string, unknown>; bin: Record<string, string> };
    expect(pkg.name).toBe('@domo-graph/gateway');
    expect(pkg.private).toBeUndefined();
    expect(Object.keys(pkg.exports).sort()).toEqual(['./package.json', './sdk']);
    expect(pkg.bin).toEqual({ 'domo-graph': 'bin/domo-graph.js' });
    const installed = await readdir(join(project, 'node_modules/@domo-graph/gateway'));
    expect(installed).toEqual(expect.arrayContaining(['bin', 'dist', 'src', 'package.json']));
    expect(installed).not.toContain('test');
    const sdk = await readdir(join(project, 'node_modules/@domo-graph/gateway/dist/sdk'));
    expect(sdk).toEqual(expect.arrayContaining(['index.js', 'index.d.ts', 'client.js', 'client.d.ts']));
  });

  it("type-checks the README's snippet with tsc, refuses a wrong one, and runs it against the sandbox", async () => {
    const readme = await readFile(join(ROOT, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('\n### Installing the SDK in a service\n'));
    const snippet = /```ts\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
    expect(snippet).toContain("from '@domo-graph/gateway/sdk'");
    // The .d.ts carry the operations' result types: a name is not a number.
    await writeFile(join(project, 'main.ts'), `${snippet}const wrong: number = dataset.name;\n`);
    const refused = await tsc(project);
    expect(refused.ok).toBe(false);
    expect(refused.output).toMatch(
      /main\.ts\(\d+,\d+\): error TS2322: Type 'string' is not assignable to type 'number'/,
    );

    await writeFile(join(project, 'main.ts'), snippet);
    const checked = await tsc(project);
    expect(checked.output).toBe('');
    expect(checked.ok).toBe(true);

    const { stdout } = await run(process.execPath, ['out/main.js'], {
      cwd: project,
      env: {
        PATH: process.env.PATH ?? '',
        DOMO_GRAPH_URL: `${stack.gatewayUrl}/graphql`,
        DOMO_GRAPH_TOKEN: SANDBOX_TOKEN,
      },
    });
    const expected = await stack.gql<{ dataset: { name: string }; sql: { objects: unknown[] } }>(
      'query($id: ID!) { dataset(id: $id) { name } sql(datasetId: $id, sql: "SELECT COUNT(*) AS n FROM table") { objects } }',
      { id: DEMO_DATASETS.sales },
    );
    expect(expected.errors).toBeUndefined();
    expect(JSON.parse(stdout)).toEqual({
      name: expected.data!.dataset.name,
      rows: expected.data!.sql.objects,
    });
  }, 120_000);

  it('installs the CLI as the domo-graph bin (npx domo-graph in the service runs this one)', async () => {
    const pkg = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    const { stdout } = await run(npm, ['exec', '--offline', '--', 'domo-graph', '--version'], {
      cwd: project,
    });
    expect(stdout).toBe(`domo-graph ${pkg.version}\n`);
    const usage = await run(npm, ['exec', '--offline', '--', 'domo-graph'], { cwd: project }).then(
      () => ({ code: 0, stderr: '' }),
      (error: { code: number; stderr: string }) => error,
    );
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/usage: domo-graph <command>/);
  }, 60_000);
});
