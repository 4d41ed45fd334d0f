import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hashApiKey } from '../../src/auth/keys.ts';
import { ConfigError, isLoopbackHost, loadConfig } from '../../src/config.ts';

const fails = (env: Record<string, string>, message: RegExp) => {
  expect(() => loadConfig(env)).toThrow(ConfigError);
  expect(() => loadConfig(env)).toThrow(message);
};

const KEY_ENTRY = `sha256:${hashApiKey('k1')}:read`;
const DOMO = { DOMO_INSTANCE: 'acme', DOMO_DEVELOPER_TOKEN: 'server-token' };
const JWT = {
  GATEWAY_JWT_ISSUER: 'https://idp.example.com/',
  GATEWAY_JWT_AUDIENCE: 'domo-graph',
  GATEWAY_JWT_JWKS_URL: 'https://idp.example.com/.well-known/jwks.json',
};

describe('startup rule: a reachable gateway holding a Domo token needs gateway authentication', () => {
  it.each(['0.0.0.0', '::', '10.1.2.3', 'gateway.internal', '192.168.0.4'])(
    'refuses HOST=%s with a server token and no gateway authentication',
    (host) => {
      fails({ ...DOMO, HOST: host }, /ALLOW_ANONYMOUS=true/);
      fails({ ...DOMO, HOST: host }, /GATEWAY_API_KEYS or GATEWAY_JWT_/);
    },
  );

  it('counts the sandbox, whose token the gateway holds, as a server token', () => {
    fails({ HOST: '0.0.0.0' }, /holds a Domo token/);
    expect(loadConfig({ HOST: '0.0.0.0', ALLOW_ANONYMOUS: 'true' }).allowAnonymous).toBe(true);
  });

  it.each(['127.0.0.1', '127.8.9.10', '::1', 'localhost', 'api.localhost'])(
    'starts on the loopback host %s without gateway authentication',
    (host) => {
      expect(loadConfig({ ...DOMO, HOST: host }).gatewayAuth).toBeNull();
    },
  );

  it('starts on a reachable HOST with API keys, a JWT provider, or ALLOW_ANONYMOUS on purpose', () => {
    expect(
      loadConfig({ ...DOMO, HOST: '0.0.0.0', GATEWAY_API_KEYS: KEY_ENTRY }).gatewayAuth?.apiKeys,
    ).toHaveLength(1);
    expect(loadConfig({ ...DOMO, HOST: '0.0.0.0', ...JWT }).gatewayAuth?.jwt?.issuer).toBe(
      JWT.GATEWAY_JWT_ISSUER,
    );
    expect(loadConfig({ ...DOMO, HOST: '0.0.0.0', ALLOW_ANONYMOUS: 'true' })).toMatchObject({
      gatewayAuth: null,
      allowAnonymous: true,
    });
  });

  it('starts without a server token on any HOST: callers bring their own Domo tokens', () => {
    expect(loadConfig({ DOMO_INSTANCE: 'acme', HOST: '0.0.0.0' }).host).toBe('0.0.0.0');
  });

  it('takes only true or false for ALLOW_ANONYMOUS', () => {
    fails({ ALLOW_ANONYMOUS: 'yes' }, /ALLOW_ANONYMOUS must be true or false/);
    fails({ ...DOMO, HOST: '0.0.0.0', ALLOW_ANONYMOUS: 'false' }, /ALLOW_ANONYMOUS=true/);
  });

  it('knows loopback addresses from reachable ones', () => {
    for (const host of ['127.0.0.1', '127.255.255.254', '::1', 'localhost', '::ffff:127.0.0.1'])
      expect(isLoopbackHost(host)).toBe(true);
    for (const host of [
      '0.0.0.0',
      '::',
      '128.0.0.1',
      '10.0.0.1',
      'localhost.example.com',
      '127.0.0.1.nip.io',
    ])
      expect(isLoopbackHost(host)).toBe(false);
  });
});

describe('GATEWAY_API_KEYS', () => {
  it('reads hashed entries with scopes and an optional allow-list', () => {
    const id = '0b9a4f2e-58a2-4c5e-9b43-3f1d2e7c8a11';
    const config = loadConfig({
      GATEWAY_API_KEYS: `${KEY_ENTRY}; sha256:${hashApiKey('k2')}:read,upload:${id.toUpperCase()},tag:finance`,
    });
    expect(config.gatewayAuth?.apiKeys).toEqual([
      { id: hashApiKey('k1').slice(0, 12), sha256: hashApiKey('k1'), scopes: ['read'], datasets: null },
      {
        id: hashApiKey('k2').slice(0, 12),
        sha256: hashApiKey('k2'),
        scopes: ['read', 'upload'],
        datasets: { ids: [id], tags: ['finance'] },
      },
    ]);
  });

  it('reads a file of entries, one a line, with comments', () => {
    const file = join(tmpdir(), `gateway-keys-${process.pid}.txt`);
    writeFileSync(file, `# the dashboard\n${KEY_ENTRY}\n\nsha256:${hashApiKey('k2')}:share # ops\n`);
    expect(loadConfig({ GATEWAY_API_KEYS_FILE: file }).gatewayAuth?.apiKeys.map((k) => k.scopes)).toEqual([
      ['read'],
      ['share'],
    ]);
    fails({ GATEWAY_API_KEYS_FILE: `${file}.missing` }, /GATEWAY_API_KEYS_FILE must be/);
    fails({ GATEWAY_API_KEYS_FILE: file, GATEWAY_API_KEYS: KEY_ENTRY }, /not both/);
  });

  it.each([
    ['a key in clear', 'my-secret-key', /entry 1 is not sha256/],
    ['a short hash', 'sha256:abcd:read', /entry 1 is not sha256/],
    ['an unknown scope', `sha256:${hashApiKey('x')}:read,admin`, /unknown scope "admin"/],
    ['no scope', `sha256:${hashApiKey('x')}:`, /no scopes/],
    ['a bad allow-list entry', `sha256:${hashApiKey('x')}:read:not-a-uuid`, /allow-list entries/],
    ['a repeated key', `${KEY_ENTRY} ${KEY_ENTRY}`, /entry 2 repeats/],
    ['only a comment', '# nothing', /lists no key/],
  ])('refuses %s', (_, value, message) => {
    fails({ GATEWAY_API_KEYS: value }, message);
  });

  it('never echoes a key given in clear', () => {
    expect(() => loadConfig({ GATEWAY_API_KEYS: 'super-secret-value' })).not.toThrow(/super-secret/);
  });
});

describe('GATEWAY_JWT_*', () => {
  it('reads issuer, audiences, JWKS URL, algorithms and claim names', () => {
    const jwt = loadConfig({
      ...JWT,
      GATEWAY_JWT_AUDIENCE: 'a, b',
      GATEWAY_JWT_ALGORITHMS: 'ES256,RS256',
      GATEWAY_JWT_SCOPE_CLAIM: 'permissions',
      GATEWAY_JWT_DATASETS_CLAIM: 'https://example.com/datasets',
    }).gatewayAuth?.jwt;
    expect(jwt).toEqual({
      issuer: JWT.GATEWAY_JWT_ISSUER,
      audience: ['a', 'b'],
      jwksUrl: JWT.GATEWAY_JWT_JWKS_URL,
      publicKeyPem: null,
      algorithms: ['ES256', 'RS256'],
      scopeClaim: 'permissions',
      datasetsClaim: 'https://example.com/datasets',
    });
  });

  it('needs an issuer, an audience and exactly one key source', () => {
    fails(
      { GATEWAY_JWT_JWKS_URL: JWT.GATEWAY_JWT_JWKS_URL, GATEWAY_JWT_AUDIENCE: 'x' },
      /GATEWAY_JWT_ISSUER/,
    );
    fails(
      { GATEWAY_JWT_JWKS_URL: JWT.GATEWAY_JWT_JWKS_URL, GATEWAY_JWT_ISSUER: 'x' },
      /GATEWAY_JWT_AUDIENCE/,
    );
    fails({ GATEWAY_JWT_ISSUER: 'i', GATEWAY_JWT_AUDIENCE: 'a' }, /JWKS_URL or GATEWAY_JWT_PUBLIC_KEY/);
    fails({ GATEWAY_JWT_SCOPE_CLAIM: 'scp' }, /need GATEWAY_JWT_ISSUER/);
    fails({ ...JWT, GATEWAY_JWT_AUDIENCE: ' , ' }, /at least one audience/);
  });

  it.each(['none', 'HS256', 'HS512', 'rs256', 'RS1'])('refuses the algorithm %s', (alg) => {
    fails({ ...JWT, GATEWAY_JWT_ALGORITHMS: alg }, /asymmetric algorithms/);
  });

  it('fetches keys over https, plain http only on loopback', () => {
    fails({ ...JWT, GATEWAY_JWT_JWKS_URL: 'http://idp.example.com/jwks' }, /https URL/);
    fails({ ...JWT, GATEWAY_JWT_JWKS_URL: 'https://u:p@idp.example.com/jwks' }, /https URL/);
    fails({ ...JWT, GATEWAY_JWT_JWKS_URL: 'file:///etc/passwd' }, /https URL/);
    expect(
      loadConfig({ ...JWT, GATEWAY_JWT_JWKS_URL: 'http://127.0.0.1:9/jwks' }).gatewayAuth?.jwt?.jwksUrl,
    ).toBe('http://127.0.0.1:9/jwks');
  });

  it('takes a PEM public key inline (with \\n escapes) or from a file, never a private key', () => {
    const pem = '-----BEGIN PUBLIC KEY-----\\nMFkw\\n-----END PUBLIC KEY-----';
    const base = { GATEWAY_JWT_ISSUER: 'i', GATEWAY_JWT_AUDIENCE: 'a' };
    expect(loadConfig({ ...base, GATEWAY_JWT_PUBLIC_KEY: pem }).gatewayAuth?.jwt).toMatchObject({
      publicKeyPem: '-----BEGIN PUBLIC KEY-----\nMFkw\n-----END PUBLIC KEY-----',
      algorithms: ['RS256'],
    });
    const file = join(tmpdir(), `gateway-pem-${process.pid}.pem`);
    writeFileSync(file, '-----BEGIN PUBLIC KEY-----\nMFkw\n-----END PUBLIC KEY-----\n');
    expect(loadConfig({ ...base, GATEWAY_JWT_PUBLIC_KEY: file }).gatewayAuth?.jwt?.publicKeyPem).toContain(
      'MFkw',
    );
    fails(
      { ...base, GATEWAY_JWT_PUBLIC_KEY: '-----BEGIN PRIVATE KEY-----\nx\n-----END PRIVATE KEY-----' },
      /never a private key/,
    );
    fails({ ...base, GATEWAY_JWT_PUBLIC_KEY: '/nonexistent.pem' }, /readable PEM file/);
  });
});
