/**
 * `npm run bench [-- name ...]`: runs each benchmark script in bench/ (every `bench/*.ts` but this
 * one; `x.bench.ts` and `x.ts` both count, shared code lives in bench/lib/) one after another, each
 * in its own process so one cannot warm or starve another. Names select scripts: `npm run bench --
 * overhead`. Arguments after `--` that start with `--` go to every script (`-- --requests=2000`).
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdir } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const nameOf = (file: string) => basename(file).replace(/(\.bench)?\.ts$/, '');

const args = process.argv.slice(2);
const wanted = args.filter((a) => !a.startsWith('--'));
const passOn = args.filter((a) => a.startsWith('--'));

const scripts = (await readdir(here)).filter((file) => file.endsWith('.ts') && file !== 'run.ts').sort();
const selected = wanted.length ? scripts.filter((file) => wanted.includes(nameOf(file))) : scripts;
const unknown = wanted.filter((name) => !scripts.some((file) => nameOf(file) === name));
if (unknown.length) {
  process.stderr.write(
    `unknown benchmark(s): ${unknown.join(', ')}; have ${scripts.map(nameOf).join(', ')}\n`,
  );
  process.exit(2);
}

let failed = 0;
for (const file of selected) {
  process.stdout.write(`\n=== ${nameOf(file)} ===\n`);
  const child = spawn(process.execPath, ['--import', 'tsx', join(here, file), ...passOn], {
    stdio: 'inherit',
  });
  const [code] = (await once(child, 'exit')) as [number | null];
  if (code !== 0) {
    failed++;
    process.stdout.write(`${nameOf(file)} failed (exit ${code})\n`);
  }
}
process.exit(failed ? 1 : 0);
