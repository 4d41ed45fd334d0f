/**
 * README's "Operating" examples (cache, trusted documents, rate limits, metrics, the lean lane) run as written against the
 * real process, `npm start` on the sandbox with each example's settings: every `curl` line runs
 * with bash (localhost:4000 replaced by the process's port) and prints what its `# → ` line says.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const start = readme.indexOf('\n## Operating');
const section = readme.slice(start, readme.indexOf('\n## ', start + 1));

interface Example {
  env: Record<string, string>;
  steps: Array<{ command: string; expect: string }>;
}

const examples: Example[] = [...section.matchAll(/```sh\n([\s\S]*?)```/g)]
  .map((m) => m[1]!)
  .filter((text) => text.startsWith('# start: '))
  .map((text) => {
    const lines = text.replace(/\\\n\s*/g, ' ').split('\n');
    const env = Object.fromEntries(
      lines[0]!
        .replace('# start: ', '')
        .replace(/\s*npm start\s*$/, '')
        .split(/\s+/)
        .filter(Boolean)
        .map((pair) => pair.split('=') as [string, string]),
    );
    const steps: Example['steps'] = [];
    for (const line of lines.slice(1)) {
      if (line.startsWith('curl ')) steps.push({ command: line, expect: '' });
      else if (line.startsWith('# → ') && steps.length) steps.at(-1)!.expect = line.slice(4);
    }
    return { env, steps };
  });

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

async function npmStart(env: Record<string, string>): Promise<string> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', PORT: '0', SANDBOX_PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let stdout = '';
  child.stdout?.on('data', (chunk) => {
    stdout += chunk;
  });
  await expect.poll(() => stdout, { timeout: 90_000 }).toMatch(/open http:\/\/127\.0\.0\.1:\d+\/graphql/);
  return stdout.match(/open http:\/\/127\.0\.0\.1:(\d+)\/graphql/)![1]!;
}

describe('README Operating examples', () => {
  it('has the cache, trusted-document, rate-limit, metrics and lean-lane examples', () => {
    expect(examples).toHaveLength(5);
    for (const example of examples) {
      expect(example.steps.length).toBeGreaterThan(1);
      for (const step of example.steps) expect(step.expect).not.toBe('');
    }
  });

  it.each(examples.map((e) => [JSON.stringify(e.env), e]))(
    'runs with %s',
    { timeout: 120_000 },
    async (_, example) => {
      const port = await npmStart((example as Example).env);
      for (const step of (example as Example).steps) {
        const { stdout } = await run('bash', [
          '-c',
          step.command.replaceAll('localhost:4000', `127.0.0.1:${port}`),
        ]);
        expect(stdout.toLowerCase()).toContain(step.expect.toLowerCase());
      }
    },
  );
});
