/**
 * Exports in front of a port-0 fake Domo: an upstream that fails mid-stream ends the export visibly
 * (an NDJSON error line, a CSV connection reset), is never retried once bytes went out, and a caller
 * who goes away midway aborts the upstream request (the fake sees its connection closed).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { DATASET, type Rig, rig } from '../helpers/fake-gateway.ts';
import type { StreamStep } from '../helpers/fake-upstream.ts';

const TOKEN = { 'x-domo-developer-token': 'fake-token' };
let current: Rig | undefined;
afterEach(async () => {
  await current?.close();
  current = undefined;
});

/** A CSV answer of `rows` rows (then a reset when `thenReset`), or an endless one. */
function csvStep(rows: number, thenReset: boolean): StreamStep {
  return {
    status: 200,
    headers: { 'content-type': 'text/csv' },
    thenReset,
    chunks: async function* () {
      yield 'id\n';
      for (let i = 0; i < rows; i += 1000) {
        yield `${Array.from({ length: 1000 }, (_, k) => i + k).join('\n')}\n`;
        await sleep(1);
      }
    },
  };
}

/** A SQL answer (the real-instance shape) cut after `rows` rows by a reset. */
function sqlStep(rows: number): StreamStep {
  return {
    status: 200,
    headers: { 'content-type': 'application/json' },
    thenReset: true,
    chunks: function* () {
      yield '{"columns":["id"],"metadata":[{"type":"LONG"}],"rows":[[0]';
      for (let i = 1; i < rows; i++) yield `,[${i}]`;
    },
  };
}

const exportCount = (r: Rig) =>
  r.fake.requests.filter((q) => /dataversions\/latest|execute/.test(q.url)).length;

describe('export faults', () => {
  it('a CSV export whose upstream breaks midway is cut with a connection reset, not retried', async () => {
    current = await rig(null);
    current.script.other = () => csvStep(5_000, true);
    const response = await request(`${current.url}/v1/datasets/${DATASET}/export?format=csv`, {
      headers: TOKEN,
    });
    expect(response.statusCode).toBe(200);
    await expect(response.body.text()).rejects.toThrow();
    expect(exportCount(current)).toBe(1);
  });

  it('an NDJSON export whose upstream breaks midway ends with an error line', async () => {
    current = await rig(null);
    current.script.other = () => sqlStep(3_000);
    const response = await fetch(
      `${current.url}/v1/datasets/${DATASET}/export?format=ndjson&sql=${encodeURIComponent('SELECT id FROM table')}`,
      { headers: TOKEN },
    );
    expect(response.status).toBe(200);
    const lines = (await response.text()).trim().split('\n');
    const last = JSON.parse(lines.at(-1)!) as { error?: { code: string; message: string } };
    expect(last.error?.code).toBe('UPSTREAM_ERROR');
    expect(last.error?.message).toMatch(/connection broke/);
    expect(lines.length).toBeGreaterThan(1);
    for (const [i, line] of lines.slice(0, -1).entries()) expect(JSON.parse(line)).toEqual({ id: i });
    expect(exportCount(current)).toBe(1);
  });

  it('a failure before the first byte is retried and answered as JSON', async () => {
    current = await rig(null);
    current.script.other = () => ({ status: 503, body: '{"message":"busy"}' });
    const response = await fetch(`${current.url}/v1/datasets/${DATASET}/export?format=csv`, {
      headers: TOKEN,
    });
    expect(response.status).toBe(502);
    expect(
      ((await response.json()) as { errors: Array<{ extensions: { code: string } }> }).errors[0]!.extensions
        .code,
    ).toBe('UPSTREAM_ERROR');
    // The rig allows one retry: the request was sent twice, as any idempotent read.
    expect(exportCount(current)).toBe(2);
  });

  it('a caller who disconnects midway aborts the upstream request', async () => {
    current = await rig(null);
    current.script.other = () => csvStep(100_000_000, false);
    const controller = new AbortController();
    const response = await fetch(`${current.url}/v1/datasets/${DATASET}/export?format=csv`, {
      headers: TOKEN,
      signal: controller.signal,
    });
    const reader = response.body!.getReader();
    let received = 0;
    while (received < 200_000) received += (await reader.read()).value?.byteLength ?? 0;
    controller.abort();
    const fake = current.fake;
    for (let i = 0; i < 200 && fake.abandoned === 0; i++) await sleep(25);
    expect(fake.abandoned).toBe(1);
    const sent = fake.sent;
    await sleep(200);
    // Nothing more was produced once the caller left: bounded by what sat in buffers.
    expect(fake.sent).toBe(sent);
    expect(sent).toBeLessThan(50_000_000);
  });

  it('a slow caller holds the upstream back (backpressure end to end)', async () => {
    current = await rig(null);
    current.script.other = () => csvStep(100_000_000, false);
    const controller = new AbortController();
    const response = await fetch(`${current.url}/v1/datasets/${DATASET}/export?format=csv`, {
      headers: TOKEN,
      signal: controller.signal,
    });
    const reader = response.body!.getReader();
    await reader.read();
    // Not reading: the fake stalls once the socket buffers and the gateway's are full. Loopback
    // buffers grow to tens of MB (tcp_rmem), so wait for the stall instead of a fixed time.
    let sent = current.fake.sent;
    for (let i = 0; i < 60; i++) {
      await sleep(500);
      if (current.fake.sent - sent < 64_000) break;
      sent = current.fake.sent;
    }
    await sleep(300);
    expect(current.fake.sent - sent).toBeLessThan(1_000_000);
    // The answer is ~690 MB; what went out is what the buffers on the way hold.
    expect(sent).toBeLessThan(100_000_000);
    controller.abort();
  });
});
