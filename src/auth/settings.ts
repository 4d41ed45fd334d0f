/** Gateway authentication settings, as src/config.ts reads them from the environment. */
import type { ApiKeyEntry } from './keys.ts';

/** Asymmetric signature algorithms only: never `none`, never HS* (a public key is no secret). */
export const JWT_ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
] as const;
export type JwtAlgorithm = (typeof JWT_ALGORITHMS)[number];

export interface JwtSettings {
  /** The `iss` every token must carry. */
  issuer: string;
  /** Accepted `aud` values; a token must name one of them. */
  audience: string[];
  /** The identity provider's JWKS (keys cached, refetched when a token names an unknown `kid`). */
  jwksUrl: string | null;
  /** Or one public key, PEM (SPKI), when the provider publishes no JWKS. */
  publicKeyPem: string | null;
  algorithms: JwtAlgorithm[];
  /** Claim holding the scopes (a space-separated string or an array); null: `scope`, else `scp`. */
  scopeClaim: string | null;
  /** Claim holding the dataset allow-list (ids and `tag:<name>`); null: tokens carry none. */
  datasetsClaim: string | null;
  /** Shortest time between two JWKS fetches forced by an unknown `kid` (default 30 s). */
  jwksCooldownMs?: number;
}

export interface GatewayAuthSettings {
  /** Accepted API keys (hashes); empty when only JWTs are accepted. */
  apiKeys: ApiKeyEntry[];
  jwt: JwtSettings | null;
}
