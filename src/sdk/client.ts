/**
 * A tiny typed client for the domo-graph gateway. Operations come from `npm run codegen`
 * (src/sdk/generated, from sdk/operations/*.graphql) as TypedDocumentNodes, so results and variables
 * are typed end to end:
 *
 *   const client = createDomoGraphClient({ url: 'http://localhost:4000/graphql', token });
 *   const { dataset } = await client.request(DatasetDocument, { id });
 *
 * It depends on nothing but `graphql` (to print documents) and a fetch (global fetch by default),
 * and knows nothing of the gateway's internals: it speaks GraphQL over HTTP like any other client.
 */
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { type DocumentNode, Kind, print } from 'graphql';

export interface DomoGraphClientOptions {
  /** The gateway's GraphQL endpoint, e.g. http://localhost:4000/graphql. */
  url: string;
  /** A Domo developer (access) token, sent as X-DOMO-Developer-Token. Omit when the gateway holds its own. */
  token?: string;
  /** Extra headers on every request (X-DOMO-Authentication for a session token, tracing headers…). */
  headers?: Record<string, string>;
  /** The fetch to use; default the global one (undici's in Node). */
  fetch?: typeof globalThis.fetch;
}

export interface RequestOptions {
  /** Cancels the request. */
  signal?: AbortSignal;
  /** Headers for this request only; they win over the client's. */
  headers?: Record<string, string>;
}

/** One GraphQL error as the gateway sends it; `extensions.code` is stable (see the README's Errors). */
export interface DomoGraphErrorEntry {
  message: string;
  path?: ReadonlyArray<string | number>;
  locations?: ReadonlyArray<{ line: number; column: number }>;
  extensions?: { code?: string; [key: string]: unknown };
}

/**
 * A request that did not give clean data: GraphQL errors in the response (`errors`, with any partial
 * `data`), or no GraphQL response at all (`errors` empty; `status` the HTTP status, 0 when the
 * request never got an answer). Its message never carries the token.
 */
export class DomoGraphError extends Error {
  override readonly name = 'DomoGraphError';
  /** The GraphQL errors, as the gateway sent them. */
  readonly errors: readonly DomoGraphErrorEntry[];
  /** Whatever data came with the errors (fields that did resolve), or null. */
  readonly data: unknown;
  /** HTTP status of the response; 0 when there was none. */
  readonly status: number;
  /** The operation that failed. */
  readonly operationName: string | undefined;

  constructor(
    message: string,
    init: {
      errors?: readonly DomoGraphErrorEntry[];
      data?: unknown;
      status: number;
      operationName?: string;
      cause?: unknown;
    },
  ) {
    super(message, init.cause === undefined ? undefined : { cause: init.cause });
    this.errors = init.errors ?? [];
    this.data = init.data ?? null;
    this.status = init.status;
    this.operationName = init.operationName;
  }

  /** `extensions.code` of the first error (BAD_USER_INPUT, NOT_FOUND, UNAUTHENTICATED, …). */
  get code(): string | undefined {
    return this.errors[0]?.extensions?.code;
  }

  /** Every distinct `extensions.code` in the response. */
  get codes(): string[] {
    return [...new Set(this.errors.flatMap((e) => (e.extensions?.code ? [e.extensions.code] : [])))];
  }
}

export interface DomoGraphClient {
  /** Runs one operation; resolves to its data, or throws DomoGraphError. */
  request<TResult, TVariables extends Record<string, unknown>>(
    document: TypedDocumentNode<TResult, TVariables>,
    variables: TVariables,
    options?: RequestOptions,
  ): Promise<TResult>;
}

interface Printed {
  query: string;
  operationName: string | undefined;
}

export function createDomoGraphClient(options: DomoGraphClientOptions): DomoGraphClient {
  const doFetch = options.fetch ?? globalThis.fetch;
  const token = options.token;
  // Only the endpoint's origin and path in messages: a query string or user-info could hold secrets.
  const endpoint = (() => {
    const u = new URL(options.url);
    return `${u.origin}${u.pathname}`;
  })();
  const printed = new WeakMap<DocumentNode, Printed>();

  /** Belt and braces: the gateway never echoes a token, but a message must never carry one. */
  const redact = (text: string): string =>
    token && text.includes(token) ? text.split(token).join('[redacted]') : text;

  const printOnce = (document: DocumentNode): Printed => {
    let p = printed.get(document);
    if (!p) {
      const operation = document.definitions.find((d) => d.kind === Kind.OPERATION_DEFINITION);
      p = { query: print(document), operationName: operation?.name?.value };
      printed.set(document, p);
    }
    return p;
  };

  return {
    async request(document, variables, requestOptions = {}) {
      const { query, operationName } = printOnce(document);
      const headers: Record<string, string> = {
        'content-type': 'application/json',
        accept: 'application/graphql-response+json, application/json',
        ...options.headers,
        ...(token ? { 'x-domo-developer-token': token } : {}),
        ...requestOptions.headers,
      };
      const fail = (message: string, init: ConstructorParameters<typeof DomoGraphError>[1]) =>
        new DomoGraphError(redact(`${operationName ?? 'operation'}: ${message}`), { operationName, ...init });

      let response: Response;
      try {
        response = await doFetch(options.url, {
          method: 'POST',
          headers,
          body: JSON.stringify({ query, variables, operationName }),
          signal: requestOptions.signal,
        });
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        throw fail(`request to ${endpoint} failed: ${reason}`, { status: 0, cause: error });
      }

      const text = await response.text();
      let body: { data?: unknown; errors?: DomoGraphErrorEntry[] } | undefined;
      try {
        body = JSON.parse(text) as typeof body;
      } catch {
        body = undefined;
      }
      if (!body || typeof body !== 'object' || (!('data' in body) && !Array.isArray(body.errors))) {
        throw fail(`HTTP ${response.status} from ${endpoint} without a GraphQL response`, {
          status: response.status,
        });
      }
      if (Array.isArray(body.errors) && body.errors.length > 0) {
        const errors = body.errors.map((e) => ({ ...e, message: redact(String(e.message)) }));
        const first = errors[0]!;
        const code = first.extensions?.code ? ` [${first.extensions.code}]` : '';
        const more = errors.length > 1 ? ` (and ${errors.length - 1} more)` : '';
        throw fail(`${first.message}${code}${more}`, {
          errors,
          data: body.data,
          status: response.status,
        });
      }
      if (body.data === null || body.data === undefined) {
        throw fail(`HTTP ${response.status} from ${endpoint} with no data`, { status: response.status });
      }
      return body.data as never;
    },
  };
}
