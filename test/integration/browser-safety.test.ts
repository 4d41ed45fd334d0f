/**
 * A gateway holding its own Domo token must not serve other web pages: no CORS for unlisted origins,
 * and no form-encoded or multipart POST (which a cross-site form can send) without a header a form
 * cannot set.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isCsrfSuspect } from '../../src/http/csrf.ts';
import { DEMO_DATASETS } from '../../src/sandbox/seed.ts';
import { SANDBOX_TOKEN, type Stack, startStack } from '../helpers/stack.ts';

let stack: Stack;
let open: Stack;
beforeAll(async () => {
  const serverCredentials = { kind: 'developer' as const, token: SANDBOX_TOKEN };
  stack = await startStack({ serverCredentials });
  open = await startStack({ serverCredentials, corsOrigins: ['https://app.example.com'] });
});
afterAll(async () => {
  await stack.close();
  await open.close();
});

const mutation = `mutation { setDatasetTags(datasetId: "${DEMO_DATASETS.staging}", tags: ["pwned"]) { datasetId } }`;

describe('cross-site requests', () => {
  it('refuses a form-encoded mutation without a preflight header, before any upstream call', async () => {
    const before = stack.sandbox.requests.length;
    const res = await fetch(`${stack.gatewayUrl}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://evil.example' },
      body: new URLSearchParams({ query: mutation }).toString(),
    });
    expect(res.status).toBe(403);
    const body = (await res.json()) as { errors: Array<{ extensions: { code: string } }> };
    expect(body.errors[0]!.extensions.code).toBe('CSRF_PREVENTED');
    expect(stack.sandbox.requests.length).toBe(before);
  });

  it('refuses a multipart POST without a preflight header', async () => {
    const form = new FormData();
    form.set('operations', JSON.stringify({ query: mutation }));
    form.set('map', '{}');
    const res = await fetch(`${stack.gatewayUrl}/graphql`, { method: 'POST', body: form });
    expect(res.status).toBe(403);
  });

  it('lets the same form-encoded request through with a preflight header', async () => {
    const res = await fetch(`${stack.gatewayUrl}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'graphql-require-preflight': '1' },
      body: new URLSearchParams({ query: `{ dataset(id: "${DEMO_DATASETS.sales}") { name } }` }).toString(),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ data: { dataset: { name: 'Sales Transactions' } } });
  });

  it('sends no CORS headers to an unlisted origin, and allows a listed one', async () => {
    const preflight = (url: string, origin: string) =>
      fetch(`${url}/graphql`, {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type',
        },
      });
    const closed = await preflight(stack.gatewayUrl, 'https://evil.example');
    expect(closed.headers.get('access-control-allow-origin')).toBeNull();
    const allowed = await preflight(open.gatewayUrl, 'https://app.example.com');
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    const other = await preflight(open.gatewayUrl, 'https://evil.example');
    expect(other.headers.get('access-control-allow-origin')).not.toBe('https://evil.example');
  });
});

describe('isCsrfSuspect', () => {
  it('flags POSTs a form could send and nothing else', () => {
    const post = (headers: Record<string, string>) => isCsrfSuspect({ method: 'POST', headers });
    expect(post({ 'content-type': 'text/plain' })).toBe(true);
    expect(post({ 'content-type': 'multipart/form-data; boundary=x' })).toBe(true);
    expect(post({})).toBe(true);
    expect(post({ 'content-type': 'application/json' })).toBe(false);
    expect(post({ 'content-type': 'multipart/form-data; boundary=x', 'x-domo-developer-token': 't' })).toBe(
      false,
    );
    expect(post({ 'content-type': 'text/plain', authorization: 'Bearer t' })).toBe(false);
    expect(isCsrfSuspect({ method: 'PUT', headers: { 'content-type': 'text/csv' } })).toBe(false);
    expect(isCsrfSuspect({ method: 'GET', headers: {} })).toBe(false);
  });
});
