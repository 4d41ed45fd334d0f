/**
 * JWTs from an identity provider, verified with jose: signature (JWKS or one PEM key), `iss`,
 * `aud`, `exp`/`nbf`, and only the configured asymmetric algorithms.
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import { createRemoteJWKSet, errors, type JWTPayload, jwtVerify } from 'jose';
import { unauthenticated } from './errors.ts';
import { type Principal, parseAllowList, parseScopes, SCOPES, type Scope } from './scopes.ts';
import type { JwtSettings } from './settings.ts';

export type JwtVerifier = (token: string) => Promise<Principal>;

/** Seconds of clock skew between the provider and the gateway that `exp` and `nbf` forgive. */
const CLOCK_TOLERANCE_S = 5;

export function createJwtVerifier(settings: JwtSettings): JwtVerifier {
  const key: ReturnType<typeof createRemoteJWKSet> | KeyObject = settings.jwksUrl
    ? createRemoteJWKSet(new URL(settings.jwksUrl), {
        cooldownDuration: settings.jwksCooldownMs ?? 30_000,
        cacheMaxAge: 10 * 60_000,
        timeoutDuration: 5_000,
      })
    : createPublicKey(settings.publicKeyPem ?? '');
  const options = {
    issuer: settings.issuer,
    audience: settings.audience,
    algorithms: [...settings.algorithms],
    requiredClaims: ['exp'],
    clockTolerance: CLOCK_TOLERANCE_S,
  };

  return async (token) => {
    let payload: JWTPayload;
    try {
      ({ payload } =
        typeof key === 'function'
          ? await jwtVerify(token, key, options)
          : await jwtVerify(token, key, options));
    } catch (error) {
      throw unauthenticated(reason(error), 'invalid_token');
    }
    return principalOf(payload, settings);
  };
}

/** Why a token was refused, in words that name no part of it. */
function reason(error: unknown): string {
  if (error instanceof errors.JWTExpired) return 'the token has expired';
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'iss') return 'the token was not issued by the configured issuer';
    if (error.claim === 'aud') return 'the token is not meant for this gateway (audience)';
    if (error.claim === 'nbf') return 'the token is not valid yet';
    return `the token's ${error.claim} claim is missing or wrong`;
  }
  if (error instanceof errors.JOSEAlgNotAllowed) return "the token's signature algorithm is not accepted";
  if (error instanceof errors.JWKSNoMatchingKey)
    return 'the token is signed by a key the identity provider does not publish';
  if (error instanceof errors.JWSSignatureVerificationFailed) return "the token's signature does not verify";
  if (error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid)
    return "the identity provider's keys could not be fetched to verify the token";
  if (error instanceof errors.JOSEError) return 'the token is not a valid signed JWT';
  return "the identity provider's keys could not be fetched to verify the token";
}

function claimList(value: unknown): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value.split(/[\s,]+/).filter(Boolean);
  if (Array.isArray(value)) return value.map(String);
  return [];
}

function principalOf(payload: JWTPayload, settings: JwtSettings): Principal {
  const raw = settings.scopeClaim
    ? payload[settings.scopeClaim]
    : payload.scope !== undefined
      ? payload.scope
      : payload.scp;
  // Identity providers put their own scopes (openid, profile, …) beside ours: unknown ones are ignored.
  const scopes: Scope[] = parseScopes(
    (claimList(raw) ?? []).filter((s) => (SCOPES as readonly string[]).includes(s)),
  );
  let datasets: Principal['datasets'] = null;
  if (settings.datasetsClaim) {
    const entries = claimList(payload[settings.datasetsClaim]);
    if (entries !== undefined) {
      try {
        datasets = parseAllowList(entries);
      } catch (error) {
        throw unauthenticated(
          `the token's ${settings.datasetsClaim} claim: ${(error as Error).message}`,
          'invalid_token',
        );
      }
    }
  }
  const subject = typeof payload.sub === 'string' ? payload.sub.slice(0, 80) : 'unknown';
  return { kind: 'jwt', id: `jwt:${subject}`, scopes, datasets };
}
