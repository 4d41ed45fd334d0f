/**
 * The README's "Exporting" example runs as written against the gateway on the sandbox, with the
 * server's own credentials and the sandbox token as `npm start` has them: curl and the CLI.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Stack, startStack } from '../helpers/stack.ts';

const run = promisify(execFile);
const readme = await readFile(new URL('../../README.md', import.meta.url), 'utf8');
const section = readme.slice(readme.indexOf('\n## Exporting\n'));
const example = /```sh\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
const bin = fileURLToPath(new URL('../../bin/domo-graph.js', import.meta.url));
const TOKEN = 'sandbox-developer-token';

let stack: Stack;
let dir: string;
beforeAll(async () => {
  stack = await startStack({
    sandbox: { token: TOKEN },
    serverCredentials: { kind: 'developer', token: TOKEN },
  });
  dir = await mkdtemp(join(tmpdir(), 'readme-export-'));
});
afterAll(async () => {
  await stack?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('README Exporting example', () => {
  it('runs as written and writes the files it names', async () => {
    expect(example).toContain('/export');
    // Outside a checkout `npx domo-graph` would ask the registry (README "Command line"): the bin itself.
    const script = example
      .replaceAll('http://localhost:4000', stack.gatewayUrl)
      .replaceAll('npx domo-graph', `${JSON.stringify(process.execPath)} ${JSON.stringify(bin)}`);
    const port = new URL(stack.gatewayUrl).port;
    await run('sh', ['-e', '-c', script], {
      cwd: dir,
      env: { ...process.env, PORT: port, DOMO_DEVELOPER_TOKEN: '', DOMO_INSTANCE: '', DOMO_BASE_URL: '' },
    });
    const csv = await readFile(join(dir, 'sales.csv'), 'utf8');
    expect(csv.split('\n')[0]).toBe(
      'transaction_id,region,product,quantity,unit_price,discount,order_date,created_at',
    );
    expect(csv.trim().split('\n')).toHaveLength(2001);
    const west = (await readFile(join(dir, 'west.ndjson'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { region: string; unit_price: number });
    expect(west.length).toBe(400);
    expect(west.every((r) => r.region === 'West')).toBe(true);
    const prices = west.map((r) => r.unit_price);
    expect(prices).toEqual([...prices].sort((a, b) => b - a));
    const regions = (await readFile(join(dir, 'regions.ndjson'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(regions.reduce((n: number, r: { orders: number }) => n + r.orders, 0)).toBe(2000);
  });
});
