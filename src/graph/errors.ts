/**
 * Errors a client can act on reach it with a stable `extensions.code` (and Domo's `toe` when there
 * is one); anything else is masked by yoga and logged in full on the server.
 */
import { GraphQLError } from 'graphql';
import { CallBudgetError, DomoError, type DomoErrorKind } from '../domo/errors.ts';
import { datasetIdMessage, isDatasetId } from '../domo/ids.ts';

export type ErrorCode =
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'BAD_USER_INPUT'
  | 'RATE_LIMITED'
  | 'UPSTREAM_TIMEOUT'
  | 'UPSTREAM_ERROR'
  | 'CANCELLED'
  | 'OPERATION_TOO_COMPLEX';

const CODES: Record<DomoErrorKind, ErrorCode> = {
  unauthenticated: 'UNAUTHENTICATED',
  forbidden: 'FORBIDDEN',
  not_found: 'NOT_FOUND',
  bad_request: 'BAD_USER_INPUT',
  rate_limited: 'RATE_LIMITED',
  timeout: 'UPSTREAM_TIMEOUT',
  connection: 'UPSTREAM_ERROR',
  aborted: 'CANCELLED',
  upstream: 'UPSTREAM_ERROR',
  over_budget: 'OPERATION_TOO_COMPLEX',
};

/** A client error the gateway raises itself (bad input, a missing object). */
export class ClientError extends GraphQLError {
  constructor(code: ErrorCode, message: string, extensions: Record<string, unknown> = {}) {
    super(message, { extensions: { code, ...extensions } });
  }
}

export const badUserInput = (message: string, field?: string) =>
  new ClientError('BAD_USER_INPUT', message, field ? { field } : {});

export const notFound = (message: string) => new ClientError('NOT_FOUND', message);

/** The GraphQL error for an upstream failure: code, upstream status and toe, never the request's headers. */
export function domoErrorToGraphQL(error: DomoError, located?: GraphQLError): GraphQLError {
  const code = CODES[error.kind];
  const extensions: Record<string, unknown> = { code };
  if (error.status !== undefined) extensions.upstreamStatus = error.status;
  if (error.toe) extensions.toe = error.toe;
  if (error.retryAfterMs !== undefined) extensions.retryAfterSeconds = Math.ceil(error.retryAfterMs / 1000);
  // As the operation limits (limits.ts) name theirs.
  if (error instanceof CallBudgetError)
    Object.assign(extensions, { limit: 'DOMO_MAX_CALLS_PER_REQUEST', max: error.maxCalls });
  const message =
    code === 'UPSTREAM_ERROR' || code === 'UPSTREAM_TIMEOUT'
      ? `Domo request failed: ${error.message} (${error.method} ${error.path})`
      : error.message;
  return new GraphQLError(message, {
    nodes: located?.nodes,
    source: located?.source,
    positions: located?.positions,
    path: located?.path,
    extensions,
  });
}

/** The error a client may see, or undefined when it must be masked. */
export function clientFacingError(error: unknown): GraphQLError | undefined {
  // Duck-typed: graphql's CommonJS and ESM builds can both be loaded, each with its own GraphQLError.
  const located = isGraphQLError(error) ? error : undefined;
  const original = located?.originalError ?? error;
  if (original instanceof DomoError) return domoErrorToGraphQL(original, located);
  if (original instanceof ClientError) {
    if (located && located !== original) {
      const error = located;
      return new GraphQLError(original.message, {
        nodes: error.nodes,
        source: error.source,
        positions: error.positions,
        path: error.path,
        extensions: original.extensions,
      });
    }
    return original;
  }
  // Validation and parse errors carry no original error and are safe to show.
  if (located && !located.originalError) return located;
  return undefined;
}

function isGraphQLError(error: unknown): error is GraphQLError {
  return (
    error instanceof GraphQLError ||
    (error instanceof Error && error.name === 'GraphQLError' && 'extensions' in error)
  );
}

/** Domo dataset ids are UUIDs (src/domo/ids.ts); anything else is refused before an upstream call. */
export function assertDatasetId(id: string, field = 'id'): string {
  if (!isDatasetId(id)) throw badUserInput(datasetIdMessage(field, id), field);
  return id.toLowerCase();
}
