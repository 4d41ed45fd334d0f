/**
 * Errors a client can act on reach it with a stable `extensions.code` (and Domo's `toe` when there
 * is one); anything else is masked by yoga and logged in full on the server. The codes come from
 * the one table (src/errors/codes.ts); this file only builds the GraphQLErrors.
 */
import { GraphQLError } from 'graphql';
import { CallBudgetError, DomoError } from '../domo/errors.ts';
import { datasetIdMessage, isDatasetId } from '../domo/ids.ts';
import { type ErrorCode, failure } from '../errors/codes.ts';
import { redactDeep, redactText } from '../errors/redact.ts';

export type { ErrorCode } from '../errors/codes.ts';

/** A client error the gateway raises itself (bad input, a missing object). */
export class ClientError extends GraphQLError {
  constructor(code: ErrorCode, message: string, extensions: Record<string, unknown> = {}) {
    super(message, { extensions: { code, ...extensions } });
  }
}

export const badUserInput = (message: string, field?: string) =>
  new ClientError(failure('bad_input').code, message, field ? { field } : {});

export const notFound = (message: string) => new ClientError(failure('not_found').code, message);

/**
 * Domo's 404 as the graph says it (`what` names the object: "dataset <id>"); any other error as
 * it is. The one place a missing object becomes NOT_FOUND.
 */
export function asNotFound(error: unknown, what: string): Error {
  if (error instanceof DomoError && error.kind === 'not_found') {
    return notFound(`${what} was not found or is not visible to you`);
  }
  return error instanceof Error ? error : new Error(String(error));
}

/** The GraphQL error for an upstream failure: code, upstream status and toe, never the request's headers. */
export function domoErrorToGraphQL(error: DomoError, located?: GraphQLError): GraphQLError {
  const { code } = failure(error.kind);
  const extensions: Record<string, unknown> = { code };
  if (error.status !== undefined) extensions.upstreamStatus = error.status;
  if (error.toe) extensions.toe = error.toe;
  if (error.retryAfterMs !== undefined) extensions.retryAfterSeconds = Math.ceil(error.retryAfterMs / 1000);
  // As the operation limits (limits.ts) name theirs.
  if (error instanceof CallBudgetError)
    Object.assign(extensions, { limit: 'DOMO_MAX_CALLS_PER_REQUEST', max: error.maxCalls });
  if (error.kind === 'too_large') extensions.limit = 'DOMO_MAX_RESPONSE_BYTES';
  const message =
    code === 'UPSTREAM_ERROR' || code === 'UPSTREAM_TIMEOUT' || code === 'UPSTREAM_RESPONSE_TOO_LARGE'
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

/**
 * The error a client may see, or undefined when it must be masked. The one way out of the graph
 * for errors (yoga's mask function and its error logging both call it): message and extensions
 * leave with the server's secrets redacted, whatever built them.
 */
export function clientFacingError(error: unknown): GraphQLError | undefined {
  const visible = visibleError(error);
  return visible && redactedError(visible);
}

/**
 * The error with the server's secrets redacted from its message and extensions (itself when
 * clean). Typed as yoga's mask function answers, an Error; a GraphQL error in practice.
 */
export function redactedError<E extends Error>(error: E): E | GraphQLError {
  if (!isGraphQLError(error)) return error;
  const message = redactText(error.message);
  const extensions = redactDeep(error.extensions) as Record<string, unknown>;
  if (message === error.message && JSON.stringify(extensions) === JSON.stringify(error.extensions)) {
    return error;
  }
  return new GraphQLError(message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    path: error.path,
    extensions,
  });
}

function visibleError(error: unknown): GraphQLError | undefined {
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
