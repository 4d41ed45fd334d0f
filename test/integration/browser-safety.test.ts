/**
 * A gateway holding its own Domo token must not serve other web pages: no CORS for unlisted origins,
 * no form-encoded or multipart POST (which a cross-site form can send) and no GET operation (which
 * an <img> can send) without a header a form cannot set, and nothing the browser marks cross-site
 * from an origin CORS_ORIGINS does not list, on any route.
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

describe('GET operations and cross-site requests, on every route', () => {
  const query = `{ dataset(id: "${DEMO_DATASETS.sales}") { name } }`;
  const getUrl = (base: string) => `${base}/graphql?query=${encodeURIComponent(query)}`;

  /** Expects a 403 CSRF_PREVENTED and no upstream call. */
  async function refused(s: Stack, response: Promise<Response>) {
    const before = s.sandbox.requests.length;
    const res = await response;
    expect(res.status).toBe(403);
    const body = (await res.json()) as { errors: Array<{ message: string; extensions: { code: string } }> };
    expect(body.errors[0]!.extensions.code).toBe('CSRF_PREVENTED');
    expect(s.sandbox.requests.length).toBe(before);
    return body.errors[0]!.message;
  }

  it('refuses an <img>-style GET that carries a query and no preflight header', async () => {
    const message = await refused(stack, fetch(getUrl(stack.gatewayUrl), { headers: { accept: 'image/*' } }));
    expect(message).toMatch(/GraphQL-Require-Preflight|graphql-require-preflight/);
    // Persisted-operation style parameters too.
    await refused(
      stack,
      fetch(`${stack.gatewayUrl}/graphql?extensions=${encodeURIComponent('{"persistedQuery":{}}')}`),
    );
    const before = stack.sandbox.requests.length;
    expect((await fetch(getUrl(stack.gatewayUrl), { method: 'HEAD' })).status).toBe(403);
    expect(stack.sandbox.requests.length).toBe(before);
  });

  it('answers the same GET with GraphQL-Require-Preflight', async () => {
    const res = await fetch(getUrl(stack.gatewayUrl), {
      headers: { 'graphql-require-preflight': '1', accept: 'application/json' },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ data: { dataset: { name: 'Sales Transactions' } } });
  });

  it('serves the GraphiQL page (a GET without an operation), whose operations are JSON POSTs', async () => {
    const page = await fetch(`${stack.gatewayUrl}/graphql`, {
      headers: { accept: 'text/html', 'sec-fetch-site': 'none', 'sec-fetch-mode': 'navigate' },
    });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    // What GraphiQL's fetcher sends from that page.
    const res = await fetch(`${stack.gatewayUrl}/graphql`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/graphql-response+json, application/json, multipart/mixed',
        'sec-fetch-site': 'same-origin',
        origin: stack.gatewayUrl,
      },
      body: JSON.stringify({ query }),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ data: { dataset: { name: 'Sales Transactions' } } });
  });

  const crossSite = { 'sec-fetch-site': 'cross-site', origin: 'https://evil.example' };
  const routes = (base: string): Array<[string, () => Promise<Response>]> => [
    [
      'GraphQL GET',
      () => fetch(getUrl(base), { headers: { ...crossSite, 'graphql-require-preflight': '1' } }),
    ],
    [
      'GraphQL JSON POST',
      () =>
        fetch(`${base}/graphql`, {
          method: 'POST',
          headers: { ...crossSite, 'content-type': 'application/json' },
          body: JSON.stringify({ query: mutation }),
        }),
    ],
    [
      'multipart POST',
      () => {
        const form = new FormData();
        form.set('operations', JSON.stringify({ query: mutation }));
        form.set('map', '{}');
        return fetch(`${base}/graphql`, {
          method: 'POST',
          headers: { ...crossSite, 'graphql-require-preflight': '1' },
          body: form,
        });
      },
    ],
    [
      'upload PUT',
      () =>
        fetch(`${base}/v1/datasets/${DEMO_DATASETS.staging}/upload?mode=append`, {
          method: 'PUT',
          headers: { ...crossSite, 'content-type': 'text/csv', 'x-domo-developer-token': SANDBOX_TOKEN },
          body: 'id,payload,amount,loaded_at\n1,x,1.5,2025-01-01 10:00:00\n',
        }),
    ],
    ['GraphiQL page', () => fetch(`${base}/graphql`, { headers: { ...crossSite, accept: 'text/html' } })],
    ['an unknown route', () => fetch(`${base}/v1/anything`, { headers: crossSite })],
  ];

  it.each(routes('').map(([name]) => name))(
    'refuses a cross-site request from a foreign origin: %s',
    async (name) => {
      for (const s of [stack, open]) {
        const send = routes(s.gatewayUrl).find(([n]) => n === name)![1];
        const message = await refused(s, send());
        expect(message).toMatch(/cross-site request from https:\/\/evil\.example.*CORS_ORIGINS/);
      }
    },
  );

  it('keeps /health and /ready open to any site', async () => {
    expect((await fetch(`${stack.gatewayUrl}/health`, { headers: crossSite })).status).toBe(200);
    expect((await fetch(`${stack.gatewayUrl}/ready`, { headers: crossSite })).status).toBe(200);
  });

  it.each(['same-origin', 'same-site', 'none'])('allows Sec-Fetch-Site: %s', async (site) => {
    const res = await fetch(getUrl(stack.gatewayUrl), {
      headers: { 'sec-fetch-site': site, origin: 'http://localhost:3000', 'graphql-require-preflight': '1' },
    });
    expect(res.status).toBe(200);
  });

  it('allows a cross-site request from an origin listed in CORS_ORIGINS, on each route', async () => {
    const listed = { 'sec-fetch-site': 'cross-site', origin: 'https://app.example.com' };
    const get = await fetch(getUrl(open.gatewayUrl), {
      headers: { ...listed, 'graphql-require-preflight': '1', accept: 'application/json' },
    });
    expect(get.status).toBe(200);
    expect(get.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    const post = await fetch(`${open.gatewayUrl}/graphql`, {
      method: 'POST',
      headers: { ...listed, 'content-type': 'application/json' },
      body: JSON.stringify({ query }),
    });
    expect(await post.json()).toEqual({ data: { dataset: { name: 'Sales Transactions' } } });
    const put = await fetch(`${open.gatewayUrl}/v1/datasets/${DEMO_DATASETS.staging}/upload?mode=append`, {
      method: 'PUT',
      headers: { ...listed, 'content-type': 'text/csv' },
      body: 'id,payload,amount,loaded_at\n1,x,1.5,2025-01-01 10:00:00\n',
    });
    expect(put.status).toBe(200);
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
