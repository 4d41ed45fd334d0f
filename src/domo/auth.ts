/**
 * Domo credentials: a developer (access) token or a session token, and the headers that carry them.
 * https://developer.domo.com/portal/1845fc11bbe5d-api-authentication
 */
export type Credentials = { kind: 'developer'; token: string } | { kind: 'session'; token: string };

export const DEVELOPER_TOKEN_HEADER = 'x-domo-developer-token';
export const SESSION_TOKEN_HEADER = 'x-domo-authentication';

export function authHeaders(credentials: Credentials): Record<string, string> {
  return credentials.kind === 'developer'
    ? { [DEVELOPER_TOKEN_HEADER]: credentials.token }
    : { [SESSION_TOKEN_HEADER]: credentials.token };
}

type HeaderSource = { get(name: string): string | null };

/**
 * The caller's own credentials, from `X-DOMO-Developer-Token`, `X-DOMO-Authentication` or
 * `Authorization: Bearer <developer token>`; null when the request carries none.
 * `authorization: false` when gateway authentication owns that header (src/auth): its credential
 * is the gateway's, never a Domo token to forward.
 */
export function credentialsFromHeaders(
  headers: HeaderSource,
  options: { authorization?: boolean } = {},
): Credentials | null {
  const developer = headers.get(DEVELOPER_TOKEN_HEADER)?.trim();
  if (developer) return { kind: 'developer', token: developer };
  const session = headers.get(SESSION_TOKEN_HEADER)?.trim();
  if (session) return { kind: 'session', token: session };
  if (options.authorization === false) return null;
  const authorization = headers.get('authorization')?.trim();
  const bearer = authorization?.match(/^Bearer\s+(\S+)$/i)?.[1];
  if (bearer) return { kind: 'developer', token: bearer };
  return null;
}
