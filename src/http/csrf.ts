/**
 * Cross-site request forgery guard, for every route but /health and /ready (src/server.ts runs it
 * before routing). A gateway holding its own Domo token acts with that token for whoever reaches
 * it, so a web page the user happens to open must not be able to make it act. Three rules:
 * - a request the browser marks `Sec-Fetch-Site: cross-site` is refused unless its Origin is listed
 *   in CORS_ORIGINS: this covers every transport at once (GraphQL GET and POST, the upload PUT and
 *   multipart POST, any later route), whatever its method or content type;
 * - a GET (or HEAD) that carries an operation (`?query=`, `?extensions=` …) must carry one of
 *   PREFLIGHT_HEADERS: an `<img src>` or a link cannot set a header, so a query it smuggles in the
 *   URL never runs (yoga's CSRF plugin and Apollo Router ask the same). The GraphiQL page itself is
 *   a GET without an operation; GraphiQL sends its operations as same-origin JSON POSTs (it uses GET
 *   only for subscriptions and `@live` queries, neither of which this schema has);
 * - an export (`GET /v1/datasets/:id/export`) must carry one of them too: it runs a query (`sql`,
 *   `where`) and a whole download for whoever can make a browser load its URL;
 * - a POST a plain form can send (urlencoded, multipart or text/plain body) must carry one of them
 *   too: browsers that send no Sec-Fetch-Site still cannot add a header to a form.
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
  // A gateway API key: a custom header, which a cross-site form cannot set.
  'x-api-key',
] as const;

/** Query parameters by which a GET carries an operation (GraphQL over HTTP, persisted documents). */
const OPERATION_PARAMS = ['query', 'extensions', 'documentId', 'doc_id', 'id'] as const;

/** The export route (src/http/export.ts): every GET of it reads data as a query does. */
const EXPORT_PATH = /^\/v1\/datasets\/[^/]+\/export\/?$/;

type RequestLike = Pick<IncomingMessage, 'method' | 'headers' | 'url'>;

const hasPreflightHeader = (req: Pick<IncomingMessage, 'headers'>): boolean =>
  PREFLIGHT_HEADERS.some((name) => req.headers[name] !== undefined);

/** True when a request could have come from a cross-site form and carries none of PREFLIGHT_HEADERS. */
export function isCsrfSuspect(req: Pick<IncomingMessage, 'method' | 'headers'>): boolean {
  if (req.method !== 'POST') return false;
  const type = String(req.headers['content-type'] ?? '')
    .split(';')[0]!
    .trim()
    .toLowerCase();
  if (type !== '' && !SIMPLE_TYPES.includes(type)) return false;
  return !hasPreflightHeader(req);
}

/** True for a GET or HEAD whose query string carries an operation and which has no preflight header. */
export function isUnguardedGetOperation(req: RequestLike): boolean {
  if (req.method !== 'GET' && req.method !== 'HEAD') return false;
  const url = new URL(req.url ?? '/', 'http://gateway.invalid');
  const search = url.searchParams;
  if (!OPERATION_PARAMS.some((name) => search.has(name)) && !EXPORT_PATH.test(url.pathname)) return false;
  return !hasPreflightHeader(req);
}

/** True when the browser says the request comes from another site whose origin is not allowed. */
export function isForeignCrossSite(req: Pick<IncomingMessage, 'headers'>, allowedOrigins: readonly string[]) {
  const site = String(req.headers['sec-fetch-site'] ?? '').toLowerCase();
  if (site !== 'cross-site') return false;
  if (allowedOrigins.includes('*')) return false;
  const origin = req.headers.origin;
  return typeof origin !== 'string' || !allowedOrigins.includes(origin);
}

/**
 * Why a request is refused as a possible forgery, or undefined when it may go on. The message is
 * for the caller: it says what to send instead, and names no secret.
 */
export function csrfRefusal(req: RequestLike, allowedOrigins: readonly string[]): string | undefined {
  if (isForeignCrossSite(req, allowedOrigins)) {
    const origin = typeof req.headers.origin === 'string' ? ` from ${req.headers.origin}` : '';
    return `a cross-site request${origin} is refused: list the web app's origin in CORS_ORIGINS to allow it (cross-site request forgery guard)`;
  }
  if (isUnguardedGetOperation(req)) {
    return `a GET that carries an operation must carry one of these headers: ${PREFLIGHT_HEADERS.join(', ')}, or be sent as a JSON POST (cross-site request forgery guard)`;
  }
  if (isCsrfSuspect(req)) {
    return `a form-encoded, multipart or text/plain POST must carry one of these headers: ${PREFLIGHT_HEADERS.join(', ')} (cross-site request forgery guard)`;
  }
  return undefined;
}
