/**
 * GraphiQL over a slow link: a small page, and its bundle as separate assets, compressed (brotli
 * or gzip by Accept-Encoding), content-hashed, immutable for a year, with a strong ETag per
 * encoding (304 on If-None-Match). And its tabs: one per area, the README's examples among them
 * verbatim, each running without errors on the sandbox.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { promisify } from 'node:util';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { parse } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_TYPED_DATASETS, exampleQuery, exampleTabs, README_TAB_QUERIES } from '../../src/example.ts';
import { chooseEncoding, GRAPHIQL_CSP } from '../../src/http/graphiql.ts';
import { SANDBOX_TOKEN, type Stack, startStack } from '../helpers/stack.ts';

const run = promisify(execFile);

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({
    serverCredentials: { kind: 'developer', token: SANDBOX_TOKEN },
    typed: { datasets: DEMO_TYPED_DATASETS },
    exampleTabs,
  });
});
afterAll(() => stack.close());

/** A raw GET (fetch would decompress and hide Content-Encoding). */
function get(path: string, headers: Record<string, string> = {}, method = 'GET') {
  return new Promise<{
    status: number;
    headers: Record<string, string | string[] | undefined>;
    body: Buffer;
  }>((resolve, reject) => {
    const req = request(`${stack.gatewayUrl}${path}`, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

async function page(): Promise<string> {
  const res = await get('/graphql', { accept: 'text/html' });
  expect(res.status).toBe(200);
  return res.body.toString();
}

const assetUrls = (html: string) =>
  [...html.matchAll(/(?:src|href)="(\/graphiql\/[^"]+)"/g)].map((m) => m[1]!);

describe('GraphiQL page and assets', () => {
  it('is a small page that links its assets, with no inline script and a same-origin CSP', async () => {
    const html = await page();
    console.log(`GraphiQL page: ${Buffer.byteLength(html)} bytes`);
    expect(Buffer.byteLength(html)).toBeLessThan(40_000);
    const urls = assetUrls(html);
    expect(urls).toHaveLength(5);
    expect(urls.filter((u) => /\/graphiql\.[\w-]{16}\.js$/.test(u))).toHaveLength(1);
    expect(urls.filter((u) => /\/graphiql\.[\w-]{16}\.css$/.test(u))).toHaveLength(1);
    // The only inline <script> is the JSON options block, which a browser does not run.
    const inline = [...html.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)].filter((m) => m[2]!.trim());
    expect(inline.map((m) => m[1]!.trim())).toEqual(['id="graphiql-options" type="application/json"']);
    expect(html).toContain(`content="${GRAPHIQL_CSP}"`);
    expect(GRAPHIQL_CSP).toContain("script-src 'self'");
    expect(GRAPHIQL_CSP).not.toContain("'unsafe-eval'");
    const options = JSON.parse(inline[0]![2]!) as { defaultTabs: Array<{ query: string }> };
    expect(options.defaultTabs[0]!.query).toBe(exampleQuery);
  });

  it('serves each asset compressed, hashed, immutable, with a strong ETag per encoding and 304s', async () => {
    const urls = assetUrls(await page());
    const script = urls.find((u) => /\/graphiql\.[\w-]+\.js$/.test(u))!;
    const plain = await get(script, { 'accept-encoding': 'identity' });
    expect(plain.status).toBe(200);
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.headers['content-type']).toBe('text/javascript; charset=utf-8');
    // The URL's hash is the content's: a new bundle has a new URL, so caching it for a year is safe.
    const hash = createHash('sha256').update(plain.body).digest('base64url').slice(0, 16);
    expect(script).toContain(`.${hash}.`);

    const br = await get(script, { 'accept-encoding': 'gzip, deflate, br' });
    const gz = await get(script, { 'accept-encoding': 'gzip' });
    expect(br.headers['content-encoding']).toBe('br');
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(brotliDecompressSync(br.body).equals(plain.body)).toBe(true);
    expect(gunzipSync(gz.body).equals(plain.body)).toBe(true);
    console.log(`GraphiQL script: ${plain.body.length} bytes, ${br.body.length} br, ${gz.body.length} gzip`);
    expect(br.body.length).toBeLessThan(plain.body.length / 3);
    for (const res of [plain, br, gz]) {
      expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
      expect(res.headers.vary).toBe('Accept-Encoding');
      expect(res.headers.etag).toMatch(/^"[\w-]+"$/);
      expect(Number(res.headers['content-length'])).toBe(res.body.length);
    }
    const etags = new Set([plain, br, gz].map((r) => r.headers.etag));
    expect(etags.size).toBe(3);

    const again = await get(script, { 'accept-encoding': 'br', 'if-none-match': String(br.headers.etag) });
    expect(again.status).toBe(304);
    expect(again.body.length).toBe(0);
    expect(again.headers.etag).toBe(br.headers.etag);
    // The brotli ETag does not validate the gzip representation.
    const other = await get(script, { 'accept-encoding': 'gzip', 'if-none-match': String(br.headers.etag) });
    expect(other.status).toBe(200);

    const head = await get(script, { 'accept-encoding': 'br' }, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.body.length).toBe(0);
    expect((await get(script, { 'content-type': 'application/json' }, 'POST')).status).toBe(405);
    // The CSRF guard covers them too: another site's page may not load them.
    expect(
      (await get(script, { 'sec-fetch-site': 'cross-site', origin: 'https://evil.example' })).status,
    ).toBe(403);
    expect((await get(script, { 'sec-fetch-site': 'same-origin' })).status).toBe(200);
    const missing = await get(script.replace(hash, 'AAAAAAAAAAAAAAAA'));
    expect(missing.status).toBe(404);
    expect(missing.headers['cache-control']).toBe('no-store');

    // Every other asset is served the same way.
    for (const url of urls) expect((await get(url, { 'accept-encoding': 'br' })).status).toBe(200);
  });

  it('picks the encoding from Accept-Encoding, q=0 refusing one', () => {
    expect(chooseEncoding('gzip, deflate, br, zstd')).toBe('br');
    expect(chooseEncoding('br;q=0, gzip')).toBe('gzip');
    expect(chooseEncoding('gzip;q=0.5')).toBe('gzip');
    expect(chooseEncoding('*')).toBe('br');
    expect(chooseEncoding('*, br;q=0')).toBe('gzip');
    expect(chooseEncoding('deflate')).toBe('identity');
    expect(chooseEncoding(undefined)).toBe('identity');
  });
});

describe('GraphiQL tabs', () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const readmeExamples = [...readme.matchAll(/```graphql\n([\s\S]*?)```/g)].map((m) => m[1]!);

  it('open with the welcome query, then one tab per area, the README examples among them verbatim', () => {
    expect(exampleTabs[0]!.query).toBe(exampleQuery);
    expect(README_TAB_QUERIES.length).toBeGreaterThanOrEqual(6);
    for (const query of README_TAB_QUERIES) expect(readmeExamples).toContain(query);
    const fields = exampleTabs.map((t) => t.query).join('\n');
    for (const area of ['query(sql', 'rows(', 'stream {', 'appendRows', 'dataVersions', 'shareDataset'])
      expect(fields).toContain(area);
  });

  it.each(
    exampleTabs.flatMap((tab, i) =>
      parse(tab.query).definitions.map((d) => [
        `${i}: ${'name' in d && d.name ? d.name.value : '(anonymous)'}`,
        tab.query,
        'name' in d && d.name ? d.name.value : undefined,
      ]),
    ),
  )('tab %s runs without errors', async (_name, query, operationName) => {
    const res = await fetch(`${stack.gatewayUrl}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ query, operationName }),
    });
    const body = (await res.json()) as { data?: unknown; errors?: unknown[] };
    expect(body.errors).toBeUndefined();
    expect(body.data).toBeTruthy();
  });
});

describe('README GraphiQL example', () => {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const start = readme.indexOf('## GraphiQL');
  const section = readme.slice(start, readme.indexOf('\n## ', start + 1));
  const example = section.match(/```sh\n([\s\S]*?)```/)?.[1] ?? '';

  it('runs with curl and shows the headers it says', async () => {
    expect(example).toContain('curl');
    const { stdout } = await run('bash', [
      '-c',
      example.replaceAll('http://localhost:4000', stack.gatewayUrl),
    ]);
    const lines = stdout.trim().split(/\r?\n/);
    expect(lines).toHaveLength(3);
    expect(lines).toContain('content-encoding: br');
    expect(lines).toContain('cache-control: public, max-age=31536000, immutable');
    expect(lines.find((l) => l.startsWith('etag: '))).toMatch(/^etag: "[\w-]{16}-br"$/);
    // What the README shows as the answer, comments included.
    for (const line of lines.filter((l) => !l.startsWith('etag'))) expect(example).toContain(`# ${line}`);
  });
});
