/** Gateway authentication settings (API keys, JWTs) and the rule for a reachable gateway holding a token. */
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { type ApiKeyEntry, parseApiKeyEntries } from './auth/keys.ts';
import { JWT_ALGORITHMS, type JwtAlgorithm, type JwtSettings } from './auth/settings.ts';
import type { Config } from './config.ts';
import { ConfigError, type Env, flag, text } from './config-values.ts';

/** A PEM given inline (`\n` escapes allowed, for one-line environments) or the path of a PEM file. */
function pem(env: Env, name: string): string | undefined {
  const raw = text(env, name);
  if (raw === undefined) return undefined;
  let value = raw.replace(/\\n/g, '\n');
  if (!value.startsWith('-----BEGIN')) {
    try {
      value = readFileSync(value, 'utf8');
    } catch {
      throw new ConfigError(`${name} must be a PEM public key or the path of a readable PEM file`);
    }
  }
  if (!/-----BEGIN PUBLIC KEY-----/.test(value)) {
    throw new ConfigError(
      `${name} must hold a PEM public key (-----BEGIN PUBLIC KEY-----), never a private key`,
    );
  }
  return value;
}

function apiKeys(env: Env): ApiKeyEntry[] {
  const inline = text(env, 'GATEWAY_API_KEYS');
  const file = text(env, 'GATEWAY_API_KEYS_FILE');
  if (inline && file) throw new ConfigError('set GATEWAY_API_KEYS or GATEWAY_API_KEYS_FILE, not both');
  let source = inline;
  if (file) {
    try {
      source = readFileSync(file, 'utf8');
    } catch {
      throw new ConfigError('GATEWAY_API_KEYS_FILE must be the path of a readable file');
    }
  }
  if (source === undefined) return [];
  try {
    const entries = parseApiKeyEntries(source);
    if (entries.length === 0) throw new Error('it lists no key');
    return entries;
  } catch (error) {
    throw new ConfigError(
      `${file ? 'GATEWAY_API_KEYS_FILE' : 'GATEWAY_API_KEYS'}: ${(error as Error).message}`,
    );
  }
}

const LOOPBACK_NAMES = ['localhost', '::1', '0:0:0:0:0:0:0:1'];

/** Only this machine can reach a socket bound here. */
export function isLoopbackHost(host: string): boolean {
  const name = host.toLowerCase();
  if (LOOPBACK_NAMES.includes(name) || name.endsWith('.localhost')) return true;
  const v4 = name.startsWith('::ffff:') ? name.slice(7) : name;
  return isIP(v4) === 4 && v4.startsWith('127.');
}

function jwtSettings(env: Env): JwtSettings | null {
  const issuer = text(env, 'GATEWAY_JWT_ISSUER');
  const audience = text(env, 'GATEWAY_JWT_AUDIENCE');
  const jwksUrl = text(env, 'GATEWAY_JWT_JWKS_URL');
  const publicKeyPem = pem(env, 'GATEWAY_JWT_PUBLIC_KEY');
  const algorithms = text(env, 'GATEWAY_JWT_ALGORITHMS');
  const scopeClaim = text(env, 'GATEWAY_JWT_SCOPE_CLAIM');
  const datasetsClaim = text(env, 'GATEWAY_JWT_DATASETS_CLAIM');
  if (!issuer && !audience && !jwksUrl && !publicKeyPem) {
    if (algorithms || scopeClaim || datasetsClaim) {
      throw new ConfigError(
        'GATEWAY_JWT_* settings need GATEWAY_JWT_ISSUER, GATEWAY_JWT_AUDIENCE and a key source',
      );
    }
    return null;
  }
  // A token checked against no issuer or audience would accept any token the provider signs for anyone.
  if (!issuer || !audience) {
    throw new ConfigError('JWT authentication needs both GATEWAY_JWT_ISSUER and GATEWAY_JWT_AUDIENCE');
  }
  if (!jwksUrl === !publicKeyPem) {
    throw new ConfigError(
      'JWT authentication needs GATEWAY_JWT_JWKS_URL or GATEWAY_JWT_PUBLIC_KEY (one of them)',
    );
  }
  if (jwksUrl) {
    let url: URL | undefined;
    try {
      url = new URL(jwksUrl);
    } catch {
      url = undefined;
    }
    // Keys fetched over plain HTTP could be swapped on the way: only on this machine.
    const ok =
      url &&
      !url.username &&
      !url.password &&
      (url.protocol === 'https:' ||
        (url.protocol === 'http:' && isLoopbackHost(url.hostname.replace(/^\[|\]$/g, ''))));
    if (!ok)
      throw new ConfigError('GATEWAY_JWT_JWKS_URL must be an https URL (http only on a loopback host)');
  }
  const algs = (algorithms ?? (publicKeyPem ? 'RS256' : 'RS256,PS256,ES256,EdDSA'))
    .split(',')
    .map((a) => a.trim())
    .filter(Boolean);
  for (const alg of algs) {
    if (!(JWT_ALGORITHMS as readonly string[]).includes(alg)) {
      throw new ConfigError(
        `GATEWAY_JWT_ALGORITHMS must list asymmetric algorithms from ${JWT_ALGORITHMS.join(', ')} (never none or HS*); got "${alg.slice(0, 20)}"`,
      );
    }
  }
  const claim = /^[A-Za-z_][A-Za-z0-9_:./-]{0,99}$/;
  for (const [name, value] of [
    ['GATEWAY_JWT_SCOPE_CLAIM', scopeClaim],
    ['GATEWAY_JWT_DATASETS_CLAIM', datasetsClaim],
  ] as const) {
    if (value !== undefined && !claim.test(value)) throw new ConfigError(`${name} must be a claim name`);
  }
  const audiences = audience
    .split(',')
    .map((a) => a.trim())
    .filter(Boolean);
  // An empty list would refuse every token; say so at start instead.
  if (audiences.length === 0) throw new ConfigError('GATEWAY_JWT_AUDIENCE must name at least one audience');
  return {
    issuer,
    audience: audiences,
    jwksUrl: jwksUrl ?? null,
    publicKeyPem: publicKeyPem ?? null,
    algorithms: algs as JwtAlgorithm[],
    scopeClaim: scopeClaim ?? null,
    datasetsClaim: datasetsClaim ?? null,
  };
}

/** The gateway's own authentication, and the rule that a reachable gateway holding a token needs it. */
export function gatewayAuthSettings(
  env: Env,
  host: string,
  holdsToken: boolean,
): Pick<Config, 'gatewayAuth' | 'allowAnonymous'> {
  const keys = apiKeys(env);
  const jwt = jwtSettings(env);
  const gatewayAuth = keys.length || jwt ? { apiKeys: keys, jwt } : null;
  const allowAnonymous = flag(env, 'ALLOW_ANONYMOUS');
  if (holdsToken && !gatewayAuth && !allowAnonymous && !isLoopbackHost(host)) {
    throw new ConfigError(
      `HOST=${host} can be reached from other machines and the gateway holds a Domo token (DOMO_DEVELOPER_TOKEN, DOMO_SESSION_TOKEN or the sandbox's): anyone reaching it would use that token. Require gateway authentication (GATEWAY_API_KEYS or GATEWAY_JWT_*), or set ALLOW_ANONYMOUS=true to serve anonymous callers on purpose`,
    );
  }
  return { gatewayAuth, allowAnonymous };
}
