/**
 * The gateway's own refusals: no or bad gateway credentials (UNAUTHENTICATED, HTTP 401 with a
 * WWW-Authenticate challenge), or a call outside the caller's scopes or dataset allow-list
 * (FORBIDDEN, 403). Decided before any call to Domo. `kind` is what the error table maps.
 */
import { GraphQLError } from 'graphql';
import { failure } from '../errors/codes.ts';

export type AuthErrorKind = 'unauthenticated' | 'forbidden';

/** RFC 6750 §3: the realm, and why a presented token was refused (`invalid_token`). */
const REALM = 'domo-graph';

export class AuthError extends Error {
  override name = 'AuthError';
  readonly code: 'UNAUTHENTICATED' | 'FORBIDDEN';
  readonly httpStatus: 401 | 403;

  constructor(
    readonly kind: AuthErrorKind,
    message: string,
    /** For a 401: `invalid_token` when a credential was sent but refused (none when nothing was sent). */
    readonly challengeError?: 'invalid_token' | 'invalid_request',
    /** For a 403: the scope the call needed, when a scope was missing. */
    readonly scope?: string,
  ) {
    super(message);
    // The one table (src/errors/codes.ts) says what each refusal answers.
    const { code, httpStatus } = failure(
      kind === 'unauthenticated' ? 'gateway_unauthenticated' : 'scope_forbidden',
    );
    this.code = code as 'UNAUTHENTICATED' | 'FORBIDDEN';
    this.httpStatus = httpStatus as 401 | 403;
  }

  /** The `WWW-Authenticate` header of a 401 (RFC 6750 §3). Never quotes the credential. */
  get challenge(): string {
    const parts = [`Bearer realm="${REALM}"`];
    if (this.challengeError) parts.push(`error="${this.challengeError}"`);
    if (this.kind === 'forbidden') parts.push('error="insufficient_scope"');
    if (this.scope) parts.push(`scope="${this.scope}"`);
    return parts.join(', ');
  }

  /** Headers of the HTTP answer: the challenge on a 401 (and on a scope 403, as RFC 6750 says). */
  get headers(): Record<string, string> {
    return this.kind === 'unauthenticated' || this.scope ? { 'www-authenticate': this.challenge } : {};
  }

  /** As GraphQL sends it: `extensions.code`, plus the HTTP status and challenge for yoga's answer. */
  toGraphQLError(): GraphQLError {
    return new GraphQLError(this.message, {
      extensions: {
        code: this.code,
        ...(this.scope ? { scope: this.scope } : {}),
        ...(this.kind === 'unauthenticated' ? { http: { status: 401, headers: this.headers } } : {}),
      },
    });
  }
}

export const unauthenticated = (message: string, challengeError?: 'invalid_token' | 'invalid_request') =>
  new AuthError('unauthenticated', message, challengeError);

export const forbidden = (message: string, scope?: string) =>
  new AuthError('forbidden', message, undefined, scope);
