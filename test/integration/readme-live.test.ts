/**
 * The README's subscription example runs as written (curl against the gateway on the sandbox, with
 * the server's own credentials as `npm start` has them, a run taking time as with
 * SANDBOX_EXECUTION_MS=3000), and answers what the README shows.
 */
import { execFile, execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_TOKEN, type Stack, startStack } from '../helpers/stack.ts';

const run = promisify(execFile);
const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const start = readme.indexOf('## Live progress: subscriptions over SSE');
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
if (!hasCurl) console.warn('README subscription example skipped: curl is not installed');

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({
    serverCredentials: { kind: 'developer', token: SANDBOX_TOKEN },
    sandbox: { executionSettleMs: 1_500 },
  });
});
afterAll(() => stack.close());

describe.skipIf(!hasCurl)('README subscription example', () => {
  it('is in the README, for curl -N with Accept: text/event-stream', () => {
    expect(start).toBeGreaterThan(0);
    expect(example).toContain('curl -N http://localhost:4000/graphql');
    expect(example).toContain('accept: text/event-stream');
  });

  it('runs with curl: RUNNING, then SUCCESS, then complete, as the README shows', async () => {
    const command = example.replaceAll('http://localhost:4000', stack.gatewayUrl);
    const { stdout } = await run('bash', ['-c', command], { timeout: 60_000 });
    const events = stdout
      .split('\n\n')
      .map((block) => block.trim())
      .filter((block) => block.startsWith('event:'));
    const next = events
      .filter((e) => e.startsWith('event: next'))
      .map((e) => JSON.parse(e.slice(e.indexOf('data:') + 5)).data.executionProgress);
    expect(next.map((e: { currentState: string }) => e.currentState)).toEqual(['RUNNING', 'SUCCESS']);
    expect(events.at(-1)).toMatch(/^event: complete/);
    const shown = [...section.matchAll(/^# data: (.*)$/gm)].map(
      (m) => JSON.parse(m[1]!).data.executionProgress,
    );
    expect(shown.map((e: { currentState: string }) => e.currentState)).toEqual(['RUNNING', 'SUCCESS']);
    // A fresh sandbox: the README's numbers exactly.
    expect(next).toEqual(shown);
  });
});
