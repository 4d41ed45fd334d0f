/**
 * Who is calling the gateway: an API key (`X-API-Key`, or `Authorization: Bearer <key>`) or a JWT
 * (`Authorization: Bearer <jwt>`). Independent of Domo credentials, which callers may still send in
 * X-DOMO-Developer-Token / X-DOMO-Authentication: with gateway authentication on, `Authorization`
 * is the gateway's and never forwarded to Domo (src/domo/auth.ts `credentialsFromHeaders`).
 */
import { unauthenticated } from './errors.ts';
import { createJwtVerifier, type JwtVerifier } from './jwt.ts';
import { ApiKeyStore } from './keys.ts';
import { ANONYMOUS, type Principal } from './scopes.ts';
import type { GatewayAuthSettings } from './settings.ts';

type HeaderSource = { get(name: string): string | null };

export interface Authenticator {
  /** False: no gateway authentication, every caller is ANONYMOUS (all scopes, as before). */
  readonly enabled: boolean;
  /** The caller, or an AuthError (UNAUTHENTICATED) when the credential is missing or refused. */
  authenticate(headers: HeaderSource): Promise<Principal>;
}

/** Three base64url segments: a compact JWS. API keys from hash-key.ts never hold a dot. */
const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*$/;
/** Longest credential read: a JWT with many claims fits; anything longer is refused unread. */
const MAX_CREDENTIAL_LENGTH = 16_384;

export const API_KEY_HEADER = 'x-api-key';

export function createAuthenticator(settings: GatewayAuthSettings | null | undefined): Authenticator {
  if (!settings || (settings.apiKeys.length === 0 && !settings.jwt)) {
    return { enabled: false, authenticate: async () => ANONYMOUS };
  }
  const keys = new ApiKeyStore(settings.apiKeys);
  const jwt: JwtVerifier | undefined = settings.jwt ? createJwtVerifier(settings.jwt) : undefined;
  const accepted = [
    keys.size ? 'an API key (Authorization: Bearer <key>, or X-API-Key: <key>)' : '',
    jwt ? 'a JWT from the identity provider (Authorization: Bearer <token>)' : '',
  ]
    .filter(Boolean)
    .join(' or ');

  const byKey = (key: string): Principal => {
    if (!keys.size) throw unauthenticated('the bearer credential is not a JWT', 'invalid_token');
    const entry = keys.find(key);
    // Same words for an unknown and a revoked key: the answer tells nothing about which keys exist.
    if (!entry) throw unauthenticated('the API key is not valid', 'invalid_token');
    return { kind: 'api-key', id: `key:${entry.id}`, scopes: entry.scopes, datasets: entry.datasets };
  };

  return {
    enabled: true,
    async authenticate(headers) {
      const apiKey = headers.get(API_KEY_HEADER)?.trim();
      const authorization = headers.get('authorization')?.trim();
      if (!apiKey && !authorization) {
        throw unauthenticated(`the gateway requires authentication: send ${accepted}`);
      }
      if (apiKey && authorization) {
        throw unauthenticated(
          'send one gateway credential: X-API-Key or Authorization, not both',
          'invalid_request',
        );
      }
      let credential: string;
      if (apiKey) credential = apiKey;
      else {
        const bearer = /^Bearer[ \t]+(\S+)$/i.exec(authorization!);
        if (!bearer) throw unauthenticated('Authorization must be "Bearer <credential>"', 'invalid_request');
        credential = bearer[1]!;
      }
      if (credential.length > MAX_CREDENTIAL_LENGTH)
        throw unauthenticated('the credential is too long', 'invalid_token');
      if (!apiKey && jwt && JWT_SHAPE.test(credential)) return jwt(credential);
      return byKey(credential);
    },
  };
}
