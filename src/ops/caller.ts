/**
 * Who a request is, for the response cache and rate limits, without its secret: a SHA-256 of the
 * credential in use (the caller's Domo token, the gateway principal, or the server's own token).
 * Transport-neutral: yoga's context factory and the lean lane both call `callerOf`.
 */
import { hash } from 'node:crypto';
import type { Principal } from '../auth/scopes.ts';
import type { Credentials } from '../domo/auth.ts';

export interface Caller {
  /** Hex SHA-256 of the principal and the Domo credential: the same caller, the same id; never the token. */
  id: string;
  /** The client asked for a fresh answer (`Cache-Control: no-cache` or `no-store`, `Pragma: no-cache`). */
  noCache: boolean;
}

type HeaderSource = { get(name: string): string | null };

export function callerOf(
  headers: HeaderSource,
  credentials: Credentials | null,
  principal: Principal | undefined,
): Caller {
  // The principal's kind and id (an API key's hash prefix, a JWT's issuer-scoped sub) and the Domo
  // credential together: two principals sharing the server's token never share an entry.
  // Its scopes and allow-list too: two JWTs of one subject may carry different claims.
  // One-shot crypto.hash (Node >= 20.12): no Hash object per request.
  const material =
    `${principal?.kind ?? 'anonymous'}\0${principal?.id ?? ''}\0` +
    `${JSON.stringify(principal?.scopes ?? null)}\0${JSON.stringify(principal?.datasets ?? null)}\0` +
    (credentials ? `${credentials.kind}\0${credentials.token}` : 'none');
  return { id: hash('sha256', material, 'hex'), noCache: asksNoCache(headers) };
}

function asksNoCache(headers: HeaderSource): boolean {
  const control = headers.get('cache-control')?.toLowerCase() ?? '';
  if (/(?:^|,)\s*(?:no-cache|no-store|max-age=0)\s*(?:,|$)/.test(control)) return true;
  return (headers.get('pragma') ?? '').toLowerCase().includes('no-cache');
}
