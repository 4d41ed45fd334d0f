/**
 * Cross-site request forgery guard. A browser sends a form (urlencoded, multipart or text/plain
 * body) to any origin without a CORS preflight, with whatever the gateway then does on the server's
 * own Domo credentials. yoga accepts urlencoded and our upload route multipart bodies, so such a
 * request must carry a header a plain form cannot set: a Domo token header, Authorization, or one
 * of the usual preflight markers (as Apollo and yoga's own CSRF plugin ask).
 */
import type { IncomingMessage } from 'node:http';

const SIMPLE_TYPES = ['application/x-www-form-urlencoded', 'multipart/form-data', 'text/plain'];

export const PREFLIGHT_HEADERS = [
  'x-domo-developer-token',
  'x-domo-authentication',
  'authorization',
  'graphql-require-preflight',
  'apollo-require-preflight',
  'x-apollo-operation-name',
  'x-graphql-yoga-csrf',
] as const;

/** True when a request could have come from a cross-site form and carries none of PREFLIGHT_HEADERS. */
export function isCsrfSuspect(req: Pick<IncomingMessage, 'method' | 'headers'>): boolean {
  if (req.method !== 'POST') return false;
  const type = String(req.headers['content-type'] ?? '')
    .split(';')[0]!
    .trim()
    .toLowerCase();
  if (type !== '' && !SIMPLE_TYPES.includes(type)) return false;
  return !PREFLIGHT_HEADERS.some((name) => req.headers[name] !== undefined);
}
