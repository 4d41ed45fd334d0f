import { describe, expect, it } from 'vitest';
import { createAuthenticator } from '../../src/auth/authenticate.ts';
import { AuthError } from '../../src/auth/errors.ts';
import { ApiKeyStore, hashApiKey, parseApiKeyEntries } from '../../src/auth/keys.ts';
import { ANONYMOUS } from '../../src/auth/scopes.ts';

const entries = parseApiKeyEntries(
  `sha256:${hashApiKey('alpha')}:read sha256:${hashApiKey('beta')}:write,share`,
);
const auth = createAuthenticator({ apiKeys: entries, jwt: null });
const headers = (h: Record<string, string>) => new Headers(h);

async function refusal(h: Record<string, string>): Promise<AuthError> {
  const error = await auth.authenticate(headers(h)).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(AuthError);
  return error as AuthError;
}

describe('ApiKeyStore', () => {
  it('finds a key by its hash, whatever its length, and nothing else', () => {
    const store = new ApiKeyStore(entries);
    expect(store.find('alpha')?.scopes).toEqual(['read']);
    expect(store.find('beta')?.scopes).toEqual(['write', 'share']);
    for (const wrong of ['', 'alph', 'alphaa', 'ALPHA', hashApiKey('alpha'), 'x'.repeat(10_000)])
      expect(store.find(wrong)).toBeUndefined();
  });
});

describe('createAuthenticator', () => {
  it('is off without keys or JWT settings: every caller is anonymous with every scope', async () => {
    for (const settings of [null, undefined, { apiKeys: [], jwt: null }]) {
      const off = createAuthenticator(settings);
      expect(off.enabled).toBe(false);
      expect(await off.authenticate(headers({}))).toBe(ANONYMOUS);
    }
  });

  it('takes a key as Bearer (any case) or X-API-Key, naming it by hash prefix only', async () => {
    const forms: Array<Record<string, string>> = [
      { authorization: 'Bearer alpha' },
      { authorization: 'bearer   alpha' },
      { 'x-api-key': 'alpha' },
    ];
    for (const h of forms) {
      const principal = await auth.authenticate(headers(h));
      expect(principal).toEqual({
        kind: 'api-key',
        id: `key:${hashApiKey('alpha').slice(0, 12)}`,
        scopes: ['read'],
        datasets: null,
      });
    }
  });

  it('refuses missing, malformed, doubled, unknown and oversized credentials as UNAUTHENTICATED', async () => {
    const none = await refusal({});
    expect(none).toMatchObject({ code: 'UNAUTHENTICATED', httpStatus: 401 });
    expect(none.headers).toEqual({ 'www-authenticate': 'Bearer realm="domo-graph"' });
    expect((await refusal({ authorization: 'Basic YTpi' })).challengeError).toBe('invalid_request');
    expect((await refusal({ authorization: 'Bearer alpha', 'x-api-key': 'alpha' })).challengeError).toBe(
      'invalid_request',
    );
    const unknown = await refusal({ authorization: 'Bearer gamma' });
    expect(unknown.challenge).toBe('Bearer realm="domo-graph", error="invalid_token"');
    expect(unknown.message).not.toContain('gamma');
    expect((await refusal({ 'x-api-key': 'a'.repeat(20_000) })).message).toMatch(/too long/);
  });

  it('does not take a JWT-shaped bearer as a key when no JWT provider is set', async () => {
    expect((await refusal({ authorization: 'Bearer a.b.c' })).code).toBe('UNAUTHENTICATED');
  });
});
