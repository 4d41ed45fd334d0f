import { describe, expect, it } from 'vitest';
import { apiPath, DomoHttp } from '../../src/domo/http.ts';

const http = (baseUrl: string) =>
  new DomoHttp({
    baseUrl,
    retry: { maxRetries: 0, baseMs: 1, maxDelayMs: 1 },
    headersTimeoutMs: 1,
    bodyTimeoutMs: 1,
  });

describe('DomoHttp.url and apiPath', () => {
  it('joins the base URL, the path and the query, leaving out empty values', () => {
    expect(
      http('https://acme.domo.com/').url({
        path: '/api/data/v3/datasources',
        query: { limit: 50, offset: 0, nameLike: 'a b&c', ownerId: undefined, orderBy: null, x: true },
      }),
    ).toBe('https://acme.domo.com/api/data/v3/datasources?limit=50&offset=0&nameLike=a+b%26c&x=true');
    expect(http('https://acme.domo.com').url({ path: '/p', query: { a: undefined } })).toBe(
      'https://acme.domo.com/p',
    );
  });

  it('keeps a path prefix of the base URL (a proxy in front of Domo)', () => {
    expect(http('http://127.0.0.1:8080/domo/').url({ path: '/api/x' })).toBe(
      'http://127.0.0.1:8080/domo/api/x',
    );
  });

  it('encodes every path parameter as one segment', () => {
    expect(apiPath`/api/data/v3/datasources/${'../x?y=1#z'}/tags/${42}`).toBe(
      '/api/data/v3/datasources/..%2Fx%3Fy%3D1%23z/tags/42',
    );
  });
});
