/**
 * A query never outlives its reason to run: the deadline (SANDBOX_QUERY_TIMEOUT_MS), a client that
 * hangs up and the sandbox closing each interrupt DuckDB, and the sandbox answers the next query.
 * Also through the gateway: a hostile `sql` is BAD_USER_INPUT and carries no file content.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEMO_DATASETS } from '../../src/sandbox/seed.ts';
import { createSandbox, type Sandbox } from '../../src/sandbox/server.ts';
import { startStack } from '../helpers/stack.ts';

const TOKEN = 'interrupt-token';
const SALES = DEMO_DATASETS.sales;
/** A cross join of 10^12 rows: runs far longer than any test, until interrupted. */
const SLOW =
  'SELECT count(*) AS n FROM (SELECT unnest(range(1000000)) AS a) x, (SELECT unnest(range(1000000)) AS b) y';

const opened: Sandbox[] = [];
afterAll(async () => {
  await Promise.all(opened.map((s) => s.close()));
});

async function open(queryTimeoutMs: number): Promise<Sandbox> {
  const sandbox = await createSandbox({ token: TOKEN, largeRows: 20, queryTimeoutMs });
  opened.push(sandbox);
  return sandbox;
}

function post(sandbox: Sandbox, sql: string, signal?: AbortSignal) {
  return fetch(`${sandbox.url}/api/query/v1/execute/${SALES}`, {
    method: 'POST',
    headers: { 'x-domo-developer-token': TOKEN, 'content-type': 'application/json' },
    body: JSON.stringify({ sql }),
    signal,
  });
}

/** Waits (polling, no duration asserted) until the sandbox runs `count` queries. */
async function runningBecomes(sandbox: Sandbox, count: number): Promise<void> {
  while (sandbox.store.runningQueries !== count) await new Promise((r) => setTimeout(r, 20));
}

async function answersNext(sandbox: Sandbox): Promise<void> {
  const res = await post(sandbox, 'SELECT count(*) AS n FROM t');
  expect(res.status).toBe(200);
  expect(await res.json()).toEqual([{ n: 20 }]);
}

describe('query interrupts', () => {
  it('interrupts a query past the deadline with 408 and Domo’s error body, then answers the next', async () => {
    const sandbox = await open(200);
    const res = await post(sandbox, SLOW);
    expect(res.status).toBe(408);
    expect(await res.json()).toEqual({
      status: 408,
      statusReason: 'Request Timeout',
      message: 'the query ran longer than 200 ms and was cancelled',
      toe: expect.any(String),
    });
    expect(sandbox.store.runningQueries).toBe(0);
    await answersNext(sandbox);
  }, 60_000);

  it('interrupts the query of a client that disconnects', async () => {
    const sandbox = await open(3_600_000);
    const controller = new AbortController();
    const pending = post(sandbox, SLOW, controller.signal).catch((error: Error) => error);
    await runningBecomes(sandbox, 1);
    controller.abort();
    expect(await pending).toBeInstanceOf(Error);
    // Only the interrupt can end it: the deadline is an hour away.
    await runningBecomes(sandbox, 0);
    await answersNext(sandbox);
  }, 60_000);

  it('close() interrupts running queries and returns', async () => {
    const sandbox = await createSandbox({ token: TOKEN, largeRows: 20, queryTimeoutMs: 3_600_000 });
    const pending = post(sandbox, SLOW).then(
      (res) => res.status,
      (error: Error) => error,
    );
    await runningBecomes(sandbox, 1);
    await sandbox.close();
    expect(sandbox.store.runningQueries).toBe(0);
    const outcome = await pending;
    // The socket is cut (an error) or, if the answer won the race, it says the sandbox is closing.
    if (typeof outcome === 'number') expect(outcome).toBe(503);
    else expect(outcome).toBeInstanceOf(Error);
  }, 60_000);
});

describe('hostile SQL through the gateway', () => {
  it('is BAD_USER_INPUT and carries no file content', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gateway-sql-'));
    const secret = `canary-${randomUUID()}`;
    await writeFile(join(dir, 'canary.txt'), secret);
    const stack = await startStack({ sandbox: { largeRows: 20 } });
    try {
      for (const sql of [
        `SELECT * FROM t -- x\r, read_text('${dir}/canary.txt')`,
        `SELECT * FROM '${dir}/canary.txt'`,
        `COPY (SELECT 1) TO '${dir}/out.csv'`,
      ]) {
        const res = await stack.gql(
          'query ($id: ID!, $sql: String!) { sql(datasetId: $id, sql: $sql) { rows } }',
          { id: SALES, sql },
        );
        expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
        expect(JSON.stringify(res)).not.toContain(secret);
      }
    } finally {
      await stack.close();
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
