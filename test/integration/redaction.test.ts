/**
 * Secrets never leave: a Domo-compatible server that echoes the token it was sent, in every error
 * shape it can (JSON message, toe, errorCode, statusReason, text/plain, HTML), on reads (500, 401),
 * writes (400), throttling (403 "rate limit", 429), upload part and commit failures (GraphQL
 * multipart and the PUT route, and the CLI) and even a successful answer. The canary is the
 * caller's token (each header it may come in) or the server's own (config); it must appear in no
 * response body or header, and in no log line written at LOG_LEVEL=debug.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { Credentials } from '../../src/domo/auth.ts';
import {
  type Answer,
  CSV,
  DATASET,
  gql,
  multipartUpload,
  putUpload,
  type Rig,
  rig as startRig,
  tokenOf,
} from '../helpers/fake-gateway.ts';
import type { Step } from '../helpers/fake-upstream.ts';

/** A token with characters every encoding changes; its random core survives any encoding but case. */
function canary(): { token: string; core: string } {
  const core = randomUUID();
  return { token: `Canary+${core}/Tok=`, core };
}

type Shape = 'message' | 'errorCode' | 'statusReason' | 'text' | 'html';
const SHAPES: Shape[] = ['message', 'errorCode', 'statusReason', 'text', 'html'];

/** Domo's error answer in `shape`, echoing the token as sent, URL-encoded, upper-cased and HTML-escaped. */
function echo(status: number, shape: Shape, token: string, prefix = ''): Step {
  const upper = token.toUpperCase();
  const encoded = encodeURIComponent(token);
  const json = (body: unknown): Step => ({
    status,
    body: JSON.stringify(body),
    headers: { 'content-type': 'application/json' },
  });
  switch (shape) {
    case 'message':
      return json({ status, message: `${prefix}bad token ${token} (${encoded})`, toe: `TOE-${upper}` });
    case 'errorCode':
      return json({ errorCode: `${prefix}E_${token}`, toe: token });
    case 'statusReason':
      return json({ status, statusReason: `${prefix}${upper} refused`, toe: `T-${encoded}` });
    case 'text':
      return { status, body: `${prefix}invalid token ${token}`, headers: { 'content-type': 'text/plain' } };
    case 'html':
      return {
        status,
        body: `<!DOCTYPE html><html><head><title>${prefix}Denied ${token.replace(/&/g, '&amp;')}</title></head><body>${token}</body></html>`,
        headers: { 'content-type': 'text/html' },
      };
  }
}

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

async function rig(serverCredentials: Credentials | null): Promise<Rig> {
  const r = await startRig(serverCredentials);
  cleanup.push(r.close);
  return r;
}

/** The canary in no form: its random core is unchanged by every encoding, so case is all that varies. */
function expectClean(what: string, text: string, core: string) {
  expect(text.toLowerCase().includes(core.toLowerCase()), `${what} leaks the token:\n${text}`).toBe(false);
}

function expectNoLeak(rig: Rig, core: string, answers: Answer[]) {
  for (const a of answers) {
    expectClean('a response body', a.text, core);
    expectClean('a response header', a.headers, core);
  }
  expect(rig.logs.length).toBeGreaterThan(0);
  for (const line of rig.logs) expectClean('a log line', line, core);
}

const READ = `{ dataset(id: "${DATASET}") { id name } }`;
const WRITE = `mutation { setDatasetTags(datasetId: "${DATASET}", tags: ["a"]) { __typename } }`;

/** Each failure the gateway passes on, in every shape: [name, status, operation, prefix]. */
const FAILURES: Array<[string, number, string, string]> = [
  ['a read failing 500', 500, READ, ''],
  ['a read refused 401', 401, READ, ''],
  ['a write refused 400', 400, WRITE, ''],
  ['throttling as 403 "rate limit"', 403, READ, 'rate limit exceeded: '],
  ['throttling as 429', 429, READ, ''],
];

/** How a caller may send its token. */
const CALLER_HEADERS: Array<[string, (token: string) => Record<string, string>]> = [
  ['X-DOMO-Developer-Token', (token) => ({ 'x-domo-developer-token': token })],
  ['X-DOMO-Authentication', (token) => ({ 'x-domo-authentication': token })],
  ['Authorization: Bearer', (token) => ({ authorization: `Bearer ${token}` })],
];

describe("the caller's token, echoed by Domo, never leaves", () => {
  for (const [name, header] of CALLER_HEADERS) {
    it(`sent as ${name}: reads, writes and throttling in every error shape`, async () => {
      const r = await rig(null);
      const { token, core } = canary();
      const answers: Answer[] = [];
      for (const [, status, query, prefix] of FAILURES) {
        for (const shape of SHAPES) {
          r.script.other = (sent) => echo(status, shape, sent, prefix);
          const a = await gql(r, query, header(token));
          expect(a.text, `${status} ${shape}`).toMatch(/"errors"/);
          answers.push(a);
        }
      }
      // The fake did see the token: the test would catch a leak.
      expect(r.fake.requests.some((q) => tokenOf(q.headers) === token)).toBe(true);
      expectNoLeak(r, core, answers);
    });
  }

  it('keeps the codes and the redacted toe (support uses it)', async () => {
    const r = await rig(null);
    const { token, core } = canary();
    r.script.other = (sent) => echo(401, 'message', sent);
    const a = await gql(r, READ, { 'x-domo-developer-token': token });
    const error = (
      JSON.parse(a.text) as { errors: Array<{ message: string; extensions: Record<string, unknown> }> }
    ).errors[0]!;
    expect(error.extensions).toMatchObject({
      code: 'UNAUTHENTICATED',
      upstreamStatus: 401,
      toe: 'TOE-[redacted]',
    });
    expect(error.message).toBe('bad token [redacted] ([redacted])');
    expectNoLeak(r, core, [a]);
  });

  it('in a successful answer too (a name, a commit answer)', async () => {
    const r = await rig(null);
    const { token, core } = canary();
    const read = await gql(r, READ, { 'x-domo-developer-token': token });
    expect(JSON.parse(read.text)).toEqual({
      data: { dataset: { id: expect.any(String), name: 'owned by [redacted]' } },
    });
    const upload = await multipartUpload(r, { 'x-domo-developer-token': token });
    expect(upload.text).toContain('"uploadId":"7"');
    const put = await putUpload(r, { 'x-domo-developer-token': token });
    expect(put.status).toBe(200);
    expectNoLeak(r, core, [read, upload, put]);
  });

  it('upload part and commit failures, through the GraphQL upload and the PUT route, in every shape', async () => {
    const r = await rig(null);
    const { token, core } = canary();
    const headers = { 'x-domo-developer-token': token };
    const answers: Answer[] = [];
    for (const shape of SHAPES) {
      r.script.commit = undefined;
      r.script.part = (sent) => echo(400, shape, sent);
      const parts = [await multipartUpload(r, headers), await putUpload(r, headers)];
      r.script.part = undefined;
      r.script.commit = (sent) => echo(400, shape, sent);
      const commits = [await multipartUpload(r, headers), await putUpload(r, headers)];
      for (const a of [...parts, ...commits]) expect(a.text, shape).toMatch(/BAD_USER_INPUT/);
      expect(parts[1]!.status).toBe(400);
      expect(commits[1]!.text).toMatch(/the commit failed/);
      answers.push(...parts, ...commits);
    }
    expectNoLeak(r, core, answers);
  });
});

describe("the server's token (config), echoed by Domo, never leaves", () => {
  it('reads, writes, throttling and uploads, in every shape', async () => {
    const { token, core } = canary();
    const r = await rig({ kind: 'developer', token });
    const answers: Answer[] = [];
    for (const [, status, query, prefix] of FAILURES) {
      for (const shape of SHAPES) {
        r.script.other = (sent) => echo(status, shape, sent, prefix);
        answers.push(await gql(r, query, {}));
      }
    }
    r.script.other = undefined;
    for (const shape of ['message', 'html'] as const) {
      r.script.part = (sent) => echo(400, shape, sent);
      answers.push(await multipartUpload(r, { 'graphql-require-preflight': '1' }), await putUpload(r, {}));
    }
    expect(r.fake.requests.some((q) => tokenOf(q.headers) === token)).toBe(true);
    expectNoLeak(r, core, answers);
  });
});

describe('the CLI prints no token', () => {
  const run = promisify(execFile);
  let dir: string | undefined;
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function cli(args: string[], env: Record<string, string> = {}) {
    try {
      const { stdout, stderr } = await run(process.execPath, ['bin/domo-graph.js', ...args], {
        env: { ...process.env, DOMO_DEVELOPER_TOKEN: '', DOMO_INSTANCE: '', DOMO_BASE_URL: '', ...env },
      });
      return { code: 0, out: stdout + stderr };
    } catch (error) {
      const e = error as { code: number; stdout: string; stderr: string };
      return { code: e.code, out: e.stdout + e.stderr };
    }
  }

  it('through the gateway and straight to Domo, a part failure echoing the token', async () => {
    const r = await rig(null);
    const { token, core } = canary();
    r.script.part = (sent) => echo(400, 'message', sent);
    dir = await mkdtemp(join(tmpdir(), 'domo-graph-redaction-'));
    const file = join(dir, 'rows.csv');
    await writeFile(file, CSV);
    const viaGateway = await cli([
      'upload',
      file,
      '--dataset',
      DATASET,
      '--gateway',
      r.url,
      '--token',
      token,
    ]);
    expect(viaGateway.code).toBe(1);
    expect(viaGateway.out).toMatch(/upload failed \(HTTP 400, part 1\).*\[BAD_USER_INPUT\]/);
    const direct = await cli(['upload', file, '--dataset', DATASET, '--direct', '--token', token], {
      DOMO_BASE_URL: r.fake.url,
    });
    expect(direct.code).toBe(1);
    expect(direct.out).toMatch(/part 1 failed.*\[BAD_USER_INPUT\]/);
    for (const out of [viaGateway.out, direct.out]) expectClean('the CLI output', out, core);
  });
});
