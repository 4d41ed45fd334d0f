/**
 * Gateway authentication through the real gateway and sandbox: API keys, JWTs verified against a
 * JWKS served on loopback, scopes and the dataset allow-list, each refusal made before Domo is called.
 */
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, exportSPKI, generateKeyPair, type JWK, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashApiKey, parseApiKeyEntries } from '../../src/auth/keys.ts';
import type { GatewayAuthSettings, JwtSettings } from '../../src/auth/settings.ts';
import { silentLogger } from '../../src/log.ts';
import { DEMO_DATASETS } from '../../src/sandbox/seed.ts';
import { createGateway } from '../../src/server.ts';
import { testLane } from '../helpers/lane.ts';
import { SANDBOX_TOKEN, type Stack, startStack } from '../helpers/stack.ts';

const ISSUER = 'https://idp.test/';
const APP_ORIGIN = 'https://app.example.com';
const AUDIENCE = 'domo-graph-tests';
const { sales: SALES, customers: CUSTOMERS, staging: STAGING } = DEMO_DATASETS;

const KEYS = {
  reader: 'reader-key-0123456789abcdef',
  writer: 'writer-key-0123456789abcdef',
  uploader: 'uploader-key-0123456789abcdef',
  sharer: 'sharer-key-0123456789abcdef',
  salesOnly: 'sales-only-key-0123456789abcdef',
  stagingUploader: 'staging-uploader-key-0123456789',
  finance: 'finance-tag-key-0123456789abcdef',
  revoked: 'revoked-key-0123456789abcdef',
};
const ENTRIES = [
  `sha256:${hashApiKey(KEYS.reader)}:read`,
  `sha256:${hashApiKey(KEYS.writer)}:read,write`,
  `sha256:${hashApiKey(KEYS.uploader)}:read,upload`,
  `sha256:${hashApiKey(KEYS.sharer)}:read,share`,
  `sha256:${hashApiKey(KEYS.salesOnly)}:read,write,upload:${SALES}`,
  `sha256:${hashApiKey(KEYS.stagingUploader)}:read,upload:${STAGING}`,
  `sha256:${hashApiKey(KEYS.finance)}:read:tag:finance`,
];

const bearer = (credential: string) => ({ authorization: `Bearer ${credential}` });
const codes = (errors: Array<{ extensions?: { code?: string } }> | undefined) =>
  (errors ?? []).map((e) => e.extensions?.code);

// --- a JWKS on loopback -------------------------------------------------------------------------
type KeyPair = Awaited<ReturnType<typeof generateKeyPair>>;
let jwks: Server;
let jwksUrl: string;
let published: JWK[] = [];
let jwksFetches = 0;
let keyA: KeyPair;
let keyB: KeyPair;
let unknownKey: KeyPair;

async function publicJwk(pair: KeyPair, kid: string): Promise<JWK> {
  return { ...(await exportJWK(pair.publicKey)), kid, alg: 'RS256', use: 'sig' };
}

function token(
  pair: KeyPair,
  kid: string,
  claims: Record<string, unknown> = { scope: 'read' },
  edit: (jwt: SignJWT) => SignJWT = (jwt) => jwt,
): Promise<string> {
  const jwt = new SignJWT(claims)
    .setProtectedHeader({ alg: 'RS256', kid })
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setSubject('user-1')
    .setIssuedAt()
    .setExpirationTime('5m');
  return edit(jwt).sign(pair.privateKey);
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

let stack: Stack;
const jwtSettings = (): JwtSettings => ({
  issuer: ISSUER,
  audience: [AUDIENCE],
  jwksUrl,
  publicKeyPem: null,
  algorithms: ['RS256', 'ES256'],
  scopeClaim: null,
  datasetsClaim: 'datasets',
  jwksCooldownMs: 0,
});

beforeAll(async () => {
  [keyA, keyB, unknownKey] = await Promise.all([
    generateKeyPair('RS256', { extractable: true }),
    generateKeyPair('RS256', { extractable: true }),
    generateKeyPair('RS256', { extractable: true }),
  ]);
  published = [await publicJwk(keyA, 'a')];
  jwks = createServer((_req, res) => {
    jwksFetches++;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ keys: published }));
  });
  jwks.listen(0, '127.0.0.1');
  await once(jwks, 'listening');
  jwksUrl = `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/.well-known/jwks.json`;
  stack = await startStack({
    serverCredentials: { kind: 'developer', token: SANDBOX_TOKEN },
    gatewayAuth: { apiKeys: parseApiKeyEntries(ENTRIES.join('\n')), jwt: jwtSettings() },
    corsOrigins: [APP_ORIGIN],
  });
});

afterAll(async () => {
  await stack?.close();
  jwks?.close();
});

/** Runs `act` and returns how many requests the sandbox received meanwhile. */
async function upstreamCalls(act: () => Promise<unknown>): Promise<number> {
  const before = stack.sandbox.requests.length;
  await act();
  return stack.sandbox.requests.length - before;
}

describe('unauthenticated callers', () => {
  it('get 401 UNAUTHENTICATED with a WWW-Authenticate challenge, before any upstream call', async () => {
    let response!: Response;
    const calls = await upstreamCalls(async () => {
      response = await fetch(`${stack.gatewayUrl}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: `{ dataset(id: "${SALES}") { name } }` }),
      });
    });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Bearer realm="domo-graph"');
    const body = (await response.json()) as { errors: Array<{ extensions: { code: string } }> };
    expect(codes(body.errors)).toEqual(['UNAUTHENTICATED']);
    expect(calls).toBe(0);
  });

  it('cannot use a Domo token in place of the gateway credential', async () => {
    const res = await stack.gql(`{ dataset(id: "${SALES}") { name } }`, undefined, {
      'x-domo-developer-token': SANDBOX_TOKEN,
    });
    expect(res.status).toBe(401);
  });

  it('get a GET operation refused too, while the GraphiQL page itself loads', async () => {
    // With the preflight header the CSRF guard asks of a GET operation (without it: 403 CSRF_PREVENTED).
    const get = await fetch(`${stack.gatewayUrl}/graphql?query=${encodeURIComponent('{ __typename }')}`, {
      headers: { accept: 'application/json', 'graphql-require-preflight': '1' },
    });
    expect(get.status).toBe(401);
    const page = await fetch(`${stack.gatewayUrl}/graphql`, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toMatch(/<html/i);
    // And its script, static code, without a credential.
    const script = html.match(/src="(\/graphiql\/graphiql\.[^"]+\.js)"/)?.[1];
    expect(script).toBeTruthy();
    expect((await fetch(`${stack.gatewayUrl}${script}`)).status).toBe(200);
    // GraphiQL's own requests carry the credential from its headers tab.
    const tab = await stack.gql('{ __typename }', undefined, bearer(KEYS.reader));
    expect(tab).toMatchObject({ status: 200, data: { __typename: 'Query' } });
  });

  it("lets a browser's CORS preflight through (it carries no credential), then needs the token", async () => {
    const preflight = await fetch(`${stack.gatewayUrl}/graphql`, {
      method: 'OPTIONS',
      headers: {
        origin: APP_ORIGIN,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization, content-type',
      },
    });
    expect(preflight.status).toBeLessThan(300);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(APP_ORIGIN);
    const res = await stack.gql('{ __typename }', undefined, { origin: APP_ORIGIN, ...bearer(KEYS.reader) });
    expect(res.status).toBe(200);
  });

  it.each([
    ['an unknown API key as bearer', bearer('nope-not-a-key')],
    ['an unknown API key as X-API-Key', { 'x-api-key': 'nope-not-a-key' }],
    ['a malformed Authorization', { authorization: 'Basic dXNlcjpwYXNz' }],
    ['two credentials at once', { ...bearer(KEYS.reader), 'x-api-key': KEYS.reader }],
  ])('refuse %s with 401', async (_, headers) => {
    const res = await fetch(`${stack.gatewayUrl}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(
      /^Bearer realm="domo-graph", error="invalid_(token|request)"$/,
    );
    const text = await res.text();
    expect(text).toContain('UNAUTHENTICATED');
    expect(text).not.toContain('nope-not-a-key');
  });
});

describe('a request reaching yoga another way (yoga.fetch, no door)', () => {
  it('is authenticated in the context: 401 with the challenge, or served with a key', async () => {
    const { yoga, server } = createGateway({
      config: {
        lane: testLane(),
        serverCredentials: { kind: 'developer', token: SANDBOX_TOKEN },
        upstream: {
          connectTimeoutMs: 5_000,
          headersTimeoutMs: 30_000,
          bodyTimeoutMs: 30_000,
          maxRetries: 0,
          retryBaseMs: 5,
          retryMaxDelayMs: 50,
          connections: 4,
          maxConcurrencyPerRequest: 4,
          maxCallsPerRequest: 100,
        },
        maxPageSize: 50,
        maxQueryRows: 1000,
        gatewayAuth: { apiKeys: parseApiKeyEntries(ENTRIES.join(' ')), jwt: null },
      },
      http: stack.http,
      logger: silentLogger,
    });
    const ask = (headers: Record<string, string>) =>
      yoga.fetch('http://gateway/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ query: `{ dataset(id: "${SALES}") { name } }` }),
      });
    const refused = await ask({});
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toBe('Bearer realm="domo-graph"');
    expect(JSON.stringify(await refused.json())).toContain('UNAUTHENTICATED');
    const served = await ask(bearer(KEYS.reader));
    expect(((await served.json()) as { data: { dataset: { name: string } } }).data.dataset.name).toBeTruthy();
    server.close();
  });
});

describe('API keys', () => {
  it('work as Authorization: Bearer and as X-API-Key, with the server token upstream', async () => {
    for (const headers of [bearer(KEYS.reader), { 'x-api-key': KEYS.reader }]) {
      const res = await stack.gql<{ dataset: { name: string } }>(
        `{ dataset(id: "${SALES}") { name } }`,
        undefined,
        headers,
      );
      expect(res.errors).toBeUndefined();
      expect(res.data?.dataset.name).toBeTruthy();
    }
  });

  it('a revoked API key (removed from the list) is refused, the others keep working', async () => {
    // A gateway that still lists the key, and the same gateway restarted with it removed.
    const before = await startGateway({
      apiKeys: parseApiKeyEntries([...ENTRIES, `sha256:${hashApiKey(KEYS.revoked)}:read`].join(' ')),
      jwt: null,
    });
    const after = await startGateway({ apiKeys: parseApiKeyEntries(ENTRIES.join(' ')), jwt: null });
    try {
      expect((await post(before.url, '{ __typename }', bearer(KEYS.revoked))).status).toBe(200);
      const refused = await post(after.url, '{ __typename }', bearer(KEYS.revoked));
      expect(refused.status).toBe(401);
      expect(refused.headers.get('www-authenticate')).toContain('invalid_token');
      expect((await post(after.url, '{ __typename }', bearer(KEYS.reader))).status).toBe(200);
    } finally {
      before.close();
      after.close();
    }
  });
});

async function startGateway(gatewayAuth: GatewayAuthSettings) {
  const { server } = createGateway({
    config: {
      lane: testLane(),
      serverCredentials: { kind: 'developer', token: SANDBOX_TOKEN },
      upstream: {
        connectTimeoutMs: 5_000,
        headersTimeoutMs: 30_000,
        bodyTimeoutMs: 30_000,
        maxRetries: 0,
        retryBaseMs: 5,
        retryMaxDelayMs: 50,
        connections: 4,
        maxConcurrencyPerRequest: 4,
        maxCallsPerRequest: 100,
      },
      maxPageSize: 50,
      maxQueryRows: 1000,
      gatewayAuth,
    },
    http: stack.http,
    logger: silentLogger,
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => {
      server.closeAllConnections();
      server.close();
    },
  };
}

function post(url: string, query: string, headers: Record<string, string>) {
  return fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query }),
  });
}

describe('JWTs against a JWKS on loopback', () => {
  const query = `{ dataset(id: "${SALES}") { name } }`;

  it('a valid token works', async () => {
    const res = await stack.gql(query, undefined, bearer(await token(keyA, 'a')));
    expect(res.errors).toBeUndefined();
    expect(res.status).toBe(200);
  });

  const refusedBy = async (jwt: string, reason: RegExp) => {
    let res!: Awaited<ReturnType<Stack['gql']>>;
    const calls = await upstreamCalls(async () => {
      res = await stack.gql(query, undefined, bearer(jwt));
    });
    expect(res.status).toBe(401);
    expect(codes(res.errors)).toEqual(['UNAUTHENTICATED']);
    expect(res.errors?.[0]?.message).toMatch(reason);
    expect(calls).toBe(0);
  };

  it('an expired token is refused', async () => {
    const past = Math.floor(Date.now() / 1000) - 120;
    await refusedBy(
      await token(keyA, 'a', { scope: 'read' }, (j) => j.setIssuedAt(past - 60).setExpirationTime(past)),
      /expired/,
    );
  });

  it('a token for another audience is refused', async () => {
    await refusedBy(
      await token(keyA, 'a', { scope: 'read' }, (j) => j.setAudience('someone-else')),
      /audience/,
    );
  });

  it('a token from another issuer is refused', async () => {
    await refusedBy(
      await token(keyA, 'a', { scope: 'read' }, (j) => j.setIssuer('https://evil.test/')),
      /issuer/,
    );
  });

  it('a token without exp is refused', async () => {
    const jwt = await new SignJWT({ scope: 'read' })
      .setProtectedHeader({ alg: 'RS256', kid: 'a' })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .sign(keyA.privateKey);
    await refusedBy(jwt, /exp/);
  });

  it('alg: none is refused', async () => {
    const now = Math.floor(Date.now() / 1000);
    const claims = { iss: ISSUER, aud: AUDIENCE, exp: now + 300, iat: now, scope: 'read write upload share' };
    await refusedBy(`${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.`, /algorithm|valid/);
  });

  it('an HS256 token signed with the public key as the secret is refused', async () => {
    const pem = await exportSPKI(keyA.publicKey);
    const forged = await new SignJWT({ scope: 'read write upload share' })
      .setProtectedHeader({ alg: 'HS256', kid: 'a' })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setExpirationTime('5m')
      .sign(new TextEncoder().encode(pem));
    await refusedBy(forged, /algorithm/);
  });

  it('a token signed by a key the provider does not publish is refused', async () => {
    await refusedBy(await token(unknownKey, 'a'), /signature/);
    await refusedBy(await token(unknownKey, 'never-published'), /key the identity provider does not publish/);
  });

  it('key rotation: a token with a new kid is verified after the JWKS is fetched again', async () => {
    published = [await publicJwk(keyA, 'a'), await publicJwk(keyB, 'b')];
    const fetchesBefore = jwksFetches;
    const res = await stack.gql(query, undefined, bearer(await token(keyB, 'b')));
    expect(res.errors).toBeUndefined();
    expect(jwksFetches).toBeGreaterThan(fetchesBefore);
    // Cached: the next token of the same key needs no fetch.
    const cached = jwksFetches;
    expect((await stack.gql(query, undefined, bearer(await token(keyB, 'b')))).errors).toBeUndefined();
    expect(jwksFetches).toBe(cached);
  });

  it('takes scopes from scp too, and the dataset allow-list from its claim', async () => {
    const jwt = await token(keyA, 'a', { scp: ['read'], datasets: [SALES] });
    expect((await stack.gql(query, undefined, bearer(jwt))).errors).toBeUndefined();
    const other = await stack.gql(`{ dataset(id: "${CUSTOMERS}") { name } }`, undefined, bearer(jwt));
    expect(codes(other.errors)).toEqual(['FORBIDDEN']);
    const readless = await token(keyA, 'a', { scope: 'openid profile' });
    expect(codes((await stack.gql(query, undefined, bearer(readless))).errors)).toEqual(['FORBIDDEN']);
  });

  it('refuses a malformed dataset allow-list claim', async () => {
    const jwt = await token(keyA, 'a', { scope: 'read', datasets: ['../etc/passwd'] });
    expect((await stack.gql(query, undefined, bearer(jwt))).status).toBe(401);
  });
});

describe('a PEM public key instead of a JWKS', () => {
  it('verifies RS256 tokens and refuses HS256 signed with the PEM as the secret', async () => {
    const pem = await exportSPKI(keyA.publicKey);
    const gateway = await startGateway({
      apiKeys: [],
      jwt: { ...jwtSettings(), jwksUrl: null, publicKeyPem: pem, algorithms: ['RS256'] },
    });
    try {
      expect((await post(gateway.url, '{ __typename }', bearer(await token(keyA, 'a')))).status).toBe(200);
      const forged = await new SignJWT({ scope: 'read' })
        .setProtectedHeader({ alg: 'HS256' })
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setExpirationTime('5m')
        .sign(new TextEncoder().encode(pem));
      expect((await post(gateway.url, '{ __typename }', bearer(forged))).status).toBe(401);
      expect((await post(gateway.url, '{ __typename }', bearer(await token(keyB, 'a')))).status).toBe(401);
    } finally {
      gateway.close();
    }
  });
});
