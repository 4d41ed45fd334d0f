/**
 * Starts the real sandbox and the real gateway on loopback port 0, as integration tests need them.
 */
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import type { GraphQLSchema } from 'graphql';
import type { Agent, Dispatcher } from 'undici';
import type { GatewayAuthSettings } from '../../src/auth/settings.ts';
import type { Config, ServerSettings } from '../../src/config.ts';
import type { Credentials } from '../../src/domo/auth.ts';
import { createDomoClient } from '../../src/domo/client.ts';
import { createDispatcher, DomoHttp, type DomoRequest } from '../../src/domo/http.ts';
import { DEFAULT_LIMITS, type OperationLimits } from '../../src/graph/limits.ts';
import { schema } from '../../src/graph/schema.ts';
import {
  readColumns,
  type TypedDatasetSetting,
  TypedSchemas,
} from '../../src/graph/types/rows/typed-registry.ts';
import { DEFAULT_LIVE_SETTINGS, type LiveSettings } from '../../src/live/hub.ts';
import { type Logger, silentLogger } from '../../src/log.ts';
import type { OpsSink } from '../../src/ops/events.ts';
import type { RowColumn } from '../../src/rows/values.ts';
import { createSandbox, type Sandbox, type SandboxOptions } from '../../src/sandbox/server.ts';
import { createGateway, DEFAULT_SERVER_SETTINGS, type Gateway } from '../../src/server.ts';
import { testLane } from './lane.ts';

export const SANDBOX_TOKEN = 'test-token';

export interface StackOptions {
  /** The schema to serve instead of the static one (e.g. the federation subgraph's). */
  schema?: GraphQLSchema;
  /** GraphiQL's tabs (the sandbox's, as `npm start` has them). */
  exampleTabs?: Array<{ query: string }>;
  sandbox?: Partial<SandboxOptions>;
  /** An already running sandbox to share (a second gateway in front of it); close() leaves it running. */
  sharedSandbox?: Sandbox;
  /** Response cache, rate limits, trusted documents, Redis (src/ops); default all off. */
  ops?: Partial<Config['ops']>;
  /** Where the gateway reports cache outcomes, rate limits, upstream calls (default nowhere). */
  opsSink?: OpsSink;
  /** Server-side credentials; default none, so tests send the token themselves. */
  serverCredentials?: Credentials | null;
  maxRetries?: number;
  maxPageSize?: number;
  maxQueryRows?: number;
  /** `pages` under @stream (MAX_STREAM_ROWS, MAX_STREAM_PAGE_SIZE); default 1,000,000 and 10,000. */
  stream?: { maxRows: number; maxPageSize: number };
  maxConcurrencyPerRequest?: number;
  /** Upstream calls one GraphQL request may make (default 500, as DOMO_MAX_CALLS_PER_REQUEST). */
  maxCallsPerRequest?: number;
  /** Operation limits (default: MAX_DEPTH, MAX_ALIASES and MAX_TOKENS's defaults). */
  limits?: Partial<OperationLimits>;
  /** Browser origins allowed cross-origin (CORS_ORIGINS); default none. */
  corsOrigins?: string[];
  headersTimeoutMs?: number;
  /** The gateway's logger (default silent). */
  logger?: Logger;
  /** How long the gateway reuses a readiness answer (default 0: probe every time). */
  readyTtlMs?: number;
  /** The gateway's request body limit in bytes. */
  maxRequestBodyBytes?: number;
  /** INTROSPECTION and field suggestions (default both on, as in development). */
  introspection?: boolean;
  fieldSuggestions?: boolean;
  /** Socket timeouts of the gateway's own server (default DEFAULT_SERVER_SETTINGS). */
  server?: Partial<ServerSettings>;
  /** Subscriptions: limits, idle timeout, poll backoff (src/live); default DEFAULT_LIVE_SETTINGS. */
  live?: Partial<LiveSettings>;
  /** Gateway authentication (API keys, JWT); default none. */
  gatewayAuth?: GatewayAuthSettings | null;
  /** The lane /graphql is served on (default: this run's, GATEWAY_LANE via test/helpers/lane.ts). */
  lane?: 'lean' | 'yoga';
  /** graphql-jit on or off (default: this run's, GATEWAY_JIT). */
  jit?: boolean;
  /** Typed roots for these datasets, their columns read from the sandbox unless `read` says otherwise. */
  typed?: {
    datasets: TypedDatasetSetting[];
    read?: (datasetId: string, fromSandbox: () => Promise<RowColumn[]>) => Promise<RowColumn[]>;
  };
}

export interface Stack {
  sandbox: Sandbox;
  gatewayUrl: string;
  http: DomoHttp;
  /** Upstream attempts the gateway made, in order. */
  attempts: Array<{ request: DomoRequest; attempt: number }>;
  /** The typed roots' schemas, when `typed` was given (reload them with `typed.reload()`). */
  typed?: TypedSchemas;
  /** Sends a GraphQL operation with the sandbox token (unless headers say otherwise). */
  gql<T = Record<string, unknown>>(
    query: string,
    variables?: Record<string, unknown>,
    headers?: Record<string, string>,
  ): Promise<GqlResponse<T>>;
  close(): Promise<void>;
  /** The gateway itself (drain, the node server). */
  gateway: Gateway;
}

export interface GqlError {
  message: string;
  path?: Array<string | number>;
  extensions?: Record<string, unknown> & { code?: string };
}

export interface GqlResponse<T> {
  status: number;
  data: T | null | undefined;
  errors: GqlError[] | undefined;
}

export function authHeader(token = SANDBOX_TOKEN): Record<string, string> {
  return { 'x-domo-developer-token': token };
}

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const sandbox =
    options.sharedSandbox ??
    (await createSandbox({ token: SANDBOX_TOKEN, largeRows: 2_000, ...options.sandbox }));
  const dispatcher: Agent = createDispatcher({ connectTimeoutMs: 5_000, connections: 16 });
  const attempts: Stack['attempts'] = [];
  const http = new DomoHttp({
    baseUrl: sandbox.url,
    dispatcher: dispatcher as Dispatcher,
    headersTimeoutMs: options.headersTimeoutMs ?? 30_000,
    bodyTimeoutMs: 30_000,
    retry: { maxRetries: options.maxRetries ?? 2, baseMs: 5, maxDelayMs: 50 },
    onAttempt: (request, attempt) => attempts.push({ request, attempt }),
  });
  let typed: TypedSchemas | undefined;
  if (options.typed) {
    const client = createDomoClient(http, { credentials: { kind: 'developer', token: SANDBOX_TOKEN } });
    const read = options.typed.read;
    typed = new TypedSchemas(schema, options.typed.datasets, (id) =>
      read ? read(id, () => readColumns(client, id)) : readColumns(client, id),
    );
    await typed.reload();
  }
  const gateway = createGateway({
    schema: options.schema ?? (typed && (() => typed.current())),
    exampleTabs: options.exampleTabs,
    config: {
      lane: {
        ...testLane(),
        ...(options.lane && { mode: options.lane }),
        ...(options.jit !== undefined && { jit: options.jit }),
      },
      serverCredentials: options.serverCredentials ?? null,
      upstream: {
        connectTimeoutMs: 5_000,
        headersTimeoutMs: 30_000,
        bodyTimeoutMs: 30_000,
        maxRetries: options.maxRetries ?? 2,
        retryBaseMs: 5,
        retryMaxDelayMs: 50,
        connections: 16,
        maxConcurrencyPerRequest: options.maxConcurrencyPerRequest ?? 8,
        maxCallsPerRequest: options.maxCallsPerRequest ?? 500,
      },
      limits: { ...DEFAULT_LIMITS, ...options.limits },
      corsOrigins: options.corsOrigins ?? [],
      maxPageSize: options.maxPageSize ?? 50,
      maxQueryRows: options.maxQueryRows ?? 10_000,
      stream: options.stream ?? { maxRows: 1_000_000, maxPageSize: 10_000 },
      introspection: options.introspection ?? true,
      fieldSuggestions: options.fieldSuggestions ?? true,
      useSandbox: true,
      server: { ...DEFAULT_SERVER_SETTINGS, ...options.server },
      gatewayAuth: options.gatewayAuth ?? null,
      ops: options.ops,
      live: options.live && { ...DEFAULT_LIVE_SETTINGS, ...options.live },
    },
    ops: options.opsSink,
    http,
    logger: options.logger ?? silentLogger,
    readyTtlMs: options.readyTtlMs ?? 0,
    maxRequestBodyBytes: options.maxRequestBodyBytes,
  });
  const { server } = gateway;
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const gatewayUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    sandbox,
    gatewayUrl,
    http,
    attempts,
    gateway,
    typed,
    async gql(query, variables, headers = authHeader()) {
      const response = await fetch(`${gatewayUrl}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json', ...headers },
        body: JSON.stringify({ query, variables }),
      });
      const body = (await response.json()) as { data?: unknown; errors?: GqlError[] };
      return { status: response.status, data: body.data as never, errors: body.errors };
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      // The drain also closes the gateway's Redis connection.
      if (options.ops?.redisUrl) await gateway.drain(0);
      await dispatcher.close();
      if (!options.sharedSandbox) await sandbox.close();
    },
  };
}
