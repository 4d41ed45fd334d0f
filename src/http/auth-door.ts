/**
 * Gateway authentication at the door (server.ts): the caller of each request is found once, at the
 * node handler, before any route runs; a refusal is answered there in the route's own error shape.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Authenticator } from '../auth/authenticate.ts';
import { AuthError } from '../auth/errors.ts';
import type { Principal } from '../auth/scopes.ts';
import { failure } from '../errors/codes.ts';
import type { Logger } from '../log.ts';
import { json } from './lifecycle.ts';

export interface Door {
  /** The principal found at the door for each request (none when authentication is off). */
  principals: WeakMap<IncomingMessage, Principal>;
  /** Runs `route` once the caller is authenticated (at once when no credential is needed), else refuses. */
  admit(req: IncomingMessage, res: ServerResponse, path: string, route: () => void): void;
  /** For a request that came another way (yoga.fetch): its principal, or a GraphQL error. */
  authenticateOrThrow(headers: Headers): Promise<Principal>;
}

export function createDoor(authenticator: Authenticator, logger: Logger): Door {
  const principals = new WeakMap<IncomingMessage, Principal>();

  const refuseUnauthenticated = (req: IncomingMessage, res: ServerResponse, path: string, error: unknown) => {
    if (!(error instanceof AuthError)) {
      logger.error('authentication failed', { error });
      const { httpStatus } = failure('internal');
      return json(res, httpStatus, { errors: [{ message: 'Unexpected error.' }] });
    }
    logger.debug('gateway authentication refused', { reason: error.message });
    res.writeHead(error.httpStatus, {
      'content-type': 'application/json',
      ...error.headers,
      // Answered before the body was read: close rather than read the rest.
      ...(req.complete ? {} : { connection: 'close' }),
    });
    const body = { message: error.message, extensions: { code: error.code } };
    res.end(
      JSON.stringify(
        UPLOAD_ROUTE.test(path)
          ? { error: { code: error.code, message: error.message } }
          : { errors: [body] },
      ),
    );
    req.resume();
  };

  return {
    principals,
    admit(req, res, path, route) {
      // The GraphiQL page itself (a browser's GET asking for HTML, which yoga answers without executing
      // anything) needs no credential; its operations do, from GraphiQL's headers tab. Nor does a CORS
      // preflight: browsers never send credentials with one, and it executes nothing.
      const graphiqlPage = req.method === 'GET' && /text\/html/.test(String(req.headers.accept ?? ''));
      if (!authenticator.enabled || graphiqlPage || req.method === 'OPTIONS') return route();
      authenticator.authenticate(headerSource(req)).then(
        (principal) => {
          principals.set(req, principal);
          route();
        },
        (error: unknown) => refuseUnauthenticated(req, res, path, error),
      );
    },
    async authenticateOrThrow(headers) {
      try {
        return await authenticator.authenticate(headers);
      } catch (error) {
        throw error instanceof AuthError ? error.toGraphQLError() : error;
      }
    },
  };
}

/** The upload PUT route answers errors as `{ error }`, as its other refusals (src/http/uploads.ts). */
const UPLOAD_ROUTE = /^\/v1\/datasets\/[^/]+\/upload\/?$/;

export function headerSource(req: IncomingMessage) {
  return {
    get(name: string): string | null {
      const value = req.headers[name.toLowerCase()];
      return Array.isArray(value) ? (value[0] ?? null) : (value ?? null);
    },
  };
}
