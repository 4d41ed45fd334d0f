/**
 * createGateway: the yoga server, its per-request context and the node HTTP server around it
 * (health and readiness beside /graphql). Opens no socket: main.ts and the tests listen.
 * The node server bounds slow and idle sockets (ServerSettings) and drains on shutdown; readiness
 * and the drain are src/http/lifecycle.ts, gateway authentication at the door src/http/auth-door.ts.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { useDeferStream } from '@graphql-yoga/plugin-defer-stream';
import { useGraphQLSSE } from '@graphql-yoga/plugin-graphql-sse';
import type { GraphQLSchema } from 'graphql';
import { createYoga, maskError as defaultMaskError, type YogaServerInstance } from 'graphql-yoga';
import { createAuthenticator } from './auth/authenticate.ts';
import { exportRefusal, uploadRefusal, useGatewayScopes } from './auth/operation.ts';
import type { Principal } from './auth/scopes.ts';
import { useBodyLimit } from './body-limit.ts';
import type { Config, ServerSettings } from './config.ts';
import { credentialsFromHeaders } from './domo/auth.ts';
import { createDomoClient } from './domo/client.ts';
import type { DomoHttp } from './domo/http.ts';
import { eitherSignal } from './domo/signals.ts';
import { failure } from './errors/codes.ts';
import { registerSecret } from './errors/redact.ts';
import type { GraphContext } from './graph/context.ts';
import { useCostLimit } from './graph/cost.ts';
import { DEFAULT_DOCUMENT_CACHE, DocumentCache } from './graph/document-cache.ts';
import { clientFacingError, redactedError } from './graph/errors.ts';
import { useSchemaExposure } from './graph/exposure.ts';
import { type MaskError, useIncrementalErrorMasking } from './graph/incremental-errors.ts';
import { useBadUserInput } from './graph/input-errors.ts';
import { useJit } from './graph/jit.ts';
import { DEFAULT_LIMITS, useOperationLimits } from './graph/limits.ts';
import { schema } from './graph/schema.ts';
import { useStreamFlow } from './graph/stream-flow.ts';
import { createDoor, headerSource } from './http/auth-door.ts';
import { csrfRefusal } from './http/csrf.ts';
import { createExportHandler } from './http/export.ts';
import { createGraphiQL, type GraphiQLTab } from './http/graphiql.ts';
import { createLeanLane, type LeanLaneCounts } from './http/lean.ts';
import { createLifecycle, createReadiness, json } from './http/lifecycle.ts';
import { createUploadHandler } from './http/uploads.ts';
import { memoryBus, redisBus } from './live/bus.ts';
import { createLiveHub, DEFAULT_LIVE_SETTINGS, type LiveHub } from './live/hub.ts';
import type { Logger } from './log.ts';
import { callerOf } from './ops/caller.ts';
import { noOps, type OpsSink } from './ops/events.ts';
import { createOperations } from './ops/index.ts';
import { createObserver, type Observer } from './ops/observe.ts';
import { uploadPolicy } from './upload/policy.ts';

export interface GatewayDeps {
  config: Pick<Config, 'serverCredentials' | 'upstream' | 'maxPageSize' | 'maxQueryRows'> &
    Partial<Pick<Config, 'limits' | 'corsOrigins' | 'uploads'>> &
    Partial<
      Pick<
        Config,
        | 'server'
        | 'introspection'
        | 'fieldSuggestions'
        | 'useSandbox'
        | 'gatewayAuth'
        | 'rows'
        | 'stream'
        | 'live'
        | 'lane'
      >
    > & {
      /** Response cache, rate limits, trusted documents, Redis; each part absent is off (tests). */
      ops?: Partial<Config['ops']>;
    };
  /**
   * The schema to serve (default: the static one); a function is asked on every request, so typed
   * roots reloaded at run time (src/graph/types/rows-typed) take effect without a restart.
   */
  schema?: GraphQLSchema | (() => GraphQLSchema);
  http: DomoHttp;
  logger: Logger;
  /** Where features report what happened, for logs, metrics and traces (src/ops); default: nowhere. */
  ops?: OpsSink;
  /** The GraphiQL tab's first operation. */
  exampleQuery?: string;
  /** GraphiQL's tabs (default: one, exampleQuery's). */
  exampleTabs?: GraphiQLTab[];
  /** How long a readiness answer is reused (default 5 s). */
  readyTtlMs?: number;
  /** Largest request body, in bytes (default 25 MB). */
  maxRequestBodyBytes?: number;
}

export interface Gateway {
  server: Server;
  yoga: YogaServerInstance<Record<string, unknown>, GraphContext>;
  /** Subscriptions' pollers (src/live): stats for tests and operators. */
  live: LiveHub;
  /** Requests the lean lane served and handed to yoga (undefined with GATEWAY_LANE=yoga). */
  lean?: LeanLaneCounts;
  /** Stops every running upload, uncommitted (call on shutdown, before closing the server). */
  abortUploads(): void;
  /**
   * Graceful stop: /ready answers 503 at once, new requests get 503 SHUTTING_DOWN, running ones
   * get `timeoutMs` to finish; then the rest (uploads included) are cut and every socket closed.
   * Resolves once the server is closed, with whether anything had to be cut. Idempotent.
   */
  drain(timeoutMs: number): Promise<{ cut: number }>;
  /** Request logs, metrics and traces (src/ops/observe.ts); its metricsServer is METRICS_PORT's. */
  observer: Observer;
}

/** Node's own defaults, but headers within 20 s (Node: 60 s); config.ts reads the same. */
export const DEFAULT_SERVER_SETTINGS: ServerSettings = {
  headersTimeoutMs: 20_000,
  requestTimeoutMs: 300_000,
  keepAliveTimeoutMs: 5_000,
  maxRequestsPerSocket: 1_000,
  shutdownTimeoutMs: 25_000,
};

const READY_TTL_MS = 5_000;
/** Yoga's own default; uploads may want more. */
const MAX_REQUEST_BODY_BYTES = 25_000_000;

export function createGateway(deps: GatewayDeps): Gateway {
  const { config, http, logger } = deps;
  // Request lines, metrics and spans; every feature reports through its sink (src/ops/observe.ts).
  const observer = createObserver(config.ops?.observe, { logger, ops: deps.ops ?? noOps });
  const ops = observer.sink;
  // The server's own token is redacted from every log line and every error from now on.
  registerSecret(config.serverCredentials?.token);
  const settings = {
    maxPageSize: config.maxPageSize,
    maxQueryRows: config.maxQueryRows,
    rows: config.rows && { timeZone: config.rows.timeZone, maxPageSize: config.rows.maxPageSize },
    stream: config.stream,
  };
  const policy = uploadPolicy(config.upstream, config.uploads);
  const served = deps.schema ?? schema;

  const shutdown = new AbortController();
  // Gateway authentication (src/auth): the caller of each request, found once at the door.
  const authenticator = createAuthenticator(config.gatewayAuth);
  const door = createDoor(authenticator, logger);
  const principals = door.principals;
  // With it on, Authorization carries the gateway credential; Domo tokens come in X-DOMO-* only.
  const domoCredentials = (headers: { get(name: string): string | null }) =>
    credentialsFromHeaders(headers, { authorization: !authenticator.enabled }) ?? config.serverCredentials;
  // Trusted documents, rate limits, the response cache, on the Redis replicas share (src/ops).
  const operations = createOperations(config.ops ?? {}, {
    schema: typeof served === 'function' ? served() : served,
    logger,
    ops,
  });
  const { redis } = operations;
  // Subscriptions (src/live): pollers shared by subscribers, and by replicas over the same Redis.
  const liveSettings = { ...DEFAULT_LIVE_SETTINGS, ...config.live };
  const live = createLiveHub(
    redis ? redisBus(redis, liveSettings.idleMs) : memoryBus(),
    liveSettings,
    logger,
  );
  const maxBodyBytes = deps.maxRequestBodyBytes ?? MAX_REQUEST_BODY_BYTES;
  const lane = {
    maxEntries: config.lane?.documentCacheSize ?? DEFAULT_DOCUMENT_CACHE.maxEntries,
    maxBytes: config.lane?.documentCacheBytes ?? DEFAULT_DOCUMENT_CACHE.maxBytes,
  };
  const maskError: MaskError = (error, message, isDev) => {
    const visible = clientFacingError(error);
    if (visible) return visible;
    logger.error('unexpected error', { error });
    // In development yoga copies the original error's message into the answer: redacted too.
    return redactedError(defaultMaskError(error, message, isDev));
  };
  const graphiql = createGraphiQL(logger);
  const yoga = createYoga<Record<string, unknown>, GraphContext>({
    schema: typeof served === 'function' ? () => served() : served,
    // Multipart requests never reach yoga, which would buffer the files: src/http/uploads.ts streams them.
    multipart: false,
    graphqlEndpoint: '/graphql',
    // yoga's default answers every origin, credentials included: any web page a user opens could
    // then read Domo through a gateway holding its own token. Only listed origins get CORS headers.
    cors: config.corsOrigins?.length ? { origin: config.corsOrigins } : false,
    // Enforced by useBodyLimit (last in plugins), which skips yoga's per-request stream copy.
    maxRequestBodySize: false,
    landingPage: false,
    // GraphiQL from the installed package, not yoga's default CDN (unpkg): it works offline and behind
    // firewalls. A small page; the bundle is compressed, cached assets (src/http/graphiql.ts).
    renderGraphiQL: (options) => graphiql.render(options),
    graphiql: operations.graphiql && {
      title: 'domo-graph',
      defaultTabs: deps.exampleTabs ?? (deps.exampleQuery ? [{ query: deps.exampleQuery }] : undefined),
      additionalHeaders: operations.graphiqlHeaders,
    },
    logging: {
      debug: (...args) => logger.debug(String(args[0]), { args: args.slice(1) }),
      info: (...args) => logger.info(String(args[0]), { args: args.slice(1) }),
      warn: (...args) => logger.warn(String(args[0]), { args: args.slice(1) }),
      error: (...args) => {
        // Yoga logs every error the mask function rewrote, outcomes a client can act on included:
        // those go to debug (warn when Domo failed), so `error` is left to real failures.
        const visible = args[0] instanceof Error ? clientFacingError(args[0]) : undefined;
        if (!visible) return logger.error(String(args[0]), { args: args.slice(1) });
        const code = String(visible.extensions.code ?? '');
        const level = /^(UPSTREAM_|RATE_LIMITED)/.test(code) ? 'warn' : 'debug';
        logger[level]('graphql error', { code, message: visible.message, path: visible.path });
      },
    },
    maskedErrors: { maskError },
    // Parsed and validated once per distinct document, bounded (GATEWAY_DOCUMENT_CACHE_*): both lanes.
    parserAndValidationCache: { documentCache: new DocumentCache(lane), errorCache: new DocumentCache(lane) },
    // Keep useBodyLimit last: it wraps the request parser the plugins before it chose.
    plugins: [
      ...(operations.trusted ? [operations.trusted] : []),
      observer.plugin,
      useSchemaExposure({
        introspection: config.introspection ?? true,
        fieldSuggestions: config.fieldSuggestions ?? true,
      }),
      useOperationLimits(config.limits ?? DEFAULT_LIMITS),
      useCostLimit({ maxCalls: config.upstream.maxCallsPerRequest, maxPageSize: config.maxPageSize }),
      useGatewayScopes(),
      useBadUserInput(),
      // graphql-jit for what it can run, graphql-js for the rest (GATEWAY_JIT).
      ...(config.lane?.jit ? [useJit()] : []),
      ...operations.plugins,
      // @defer and @stream over multipart and SSE; the flow holds a stream's source to its consumer.
      useDeferStream(),
      // The graphql-sse protocol on /graphql/stream, beside yoga's own SSE on /graphql.
      useGraphQLSSE(),
      useStreamFlow(),
      useIncrementalErrorMasking(maskError),
      useBodyLimit(maxBodyBytes),
    ],
    context: async ({ request, streamedFiles, uploadSignal, gatewayPrincipal }): Promise<GraphContext> => {
      // Found at the door (below); authenticated here for a request that came another way (yoga.fetch).
      const auth =
        (gatewayPrincipal as Principal | undefined) ?? (await door.authenticateOrThrow(request.headers));
      // The caller's own credentials win over the server's.
      const credentials = domoCredentials(request.headers);
      return {
        auth,
        caller: callerOf(request.headers, credentials, auth),
        domo: createDomoClient(http, {
          credentials,
          signal: request.signal,
          maxConcurrency: config.upstream.maxConcurrencyPerRequest,
          maxCalls: config.upstream.maxCallsPerRequest,
        }),
        settings,
        ops,
        signal: request.signal,
        live: {
          hub: live,
          // A poller outlives the request that started it: its own signal, no per-request budget.
          client: (signal) =>
            createDomoClient(http, {
              credentials,
              signal,
              maxConcurrency: config.upstream.maxConcurrencyPerRequest,
            }),
        },
        uploads: {
          files: streamedFiles as Map<string, AsyncIterable<Uint8Array>> | undefined,
          policy,
          // Lazy: only upload resolvers read it. Not AbortSignal.any: on Node 20, combining yoga's
          // request.signal that way stops it from cancelling the request's upstream calls.
          get signal() {
            return (uploadSignal as AbortSignal | undefined) ?? eitherSignal(request.signal, shutdown.signal);
          },
        },
      };
    },
  });
  const uploads = createUploadHandler({
    http,
    logger,
    yoga,
    serverCredentials: config.serverCredentials,
    maxConcurrency: config.upstream.maxConcurrencyPerRequest,
    policy,
    shutdown: shutdown.signal,
    authorize: !authenticator.enabled
      ? undefined
      : (req, datasetId) =>
          uploadRefusal(
            principals.get(req),
            datasetId,
            createDomoClient(http, { credentials: domoCredentials(headerSource(req)), maxCalls: 2 }),
          ),
  });

  const exports = createExportHandler({
    http,
    logger,
    ops,
    credentials: (req) => domoCredentials(headerSource(req)),
    maxConcurrency: config.upstream.maxConcurrencyPerRequest,
    shutdown: shutdown.signal,
    timeZone: config.rows?.timeZone ?? 'UTC',
    authorize: !authenticator.enabled
      ? undefined
      : (req, datasetId) =>
          exportRefusal(
            principals.get(req),
            datasetId,
            createDomoClient(http, { credentials: domoCredentials(headerSource(req)), maxCalls: 2 }),
          ),
  });

  // JSON queries and mutations from node:http through the same yoga pipeline (src/http/lean.ts).
  const lean =
    (config.lane?.mode ?? 'lean') === 'lean'
      ? createLeanLane({ yoga, corsOrigins: config.corsOrigins ?? [], maxBodyBytes, logger })
      : undefined;

  // /ready: one upstream check at a time, its answer reused for readyTtlMs (src/http/lifecycle.ts).
  const readyTtlMs = deps.readyTtlMs ?? READY_TTL_MS;
  const checkReady = createReadiness(http, config.upstream.connectTimeoutMs, readyTtlMs, redis);

  // Said on /ready, so an operator sees at once when the gateway serves demo data.
  const upstream = config.useSandbox ? 'sandbox' : 'domo';
  const allowedOrigins = config.corsOrigins ?? [];
  const serverSettings = config.server ?? DEFAULT_SERVER_SETTINGS;
  const lifecycle = createLifecycle(checkReady, upstream);
  // The request line's caller: the same hash the cache and rate limits key on, never the token.
  const callerId = (req: IncomingMessage) =>
    callerOf(headerSource(req), domoCredentials(headerSource(req)), principals.get(req)).id;

  const server = createServer(
    {
      headersTimeout: serverSettings.headersTimeoutMs,
      requestTimeout: serverSettings.requestTimeoutMs,
      // Node checks both timeouts on this interval (default 30 s): check often enough to honour them.
      connectionsCheckingInterval: Math.max(50, Math.min(1_000, serverSettings.headersTimeoutMs / 4)),
    },
    // /metrics, then every request in its scope (request id, trace), logged and counted as it ends.
    observer.wrap(callerId, (req: IncomingMessage, res: ServerResponse) => {
      const path = (req.url ?? '/').split('?')[0];
      if (path === '/health') return json(res, 200, { status: 'ok' });
      if (path === '/ready') {
        return lifecycle.ready(res);
      }
      if (lifecycle.refuseWhileDraining(res)) return;
      // One guard for every route below, whatever its transport (src/http/csrf.ts).
      const csrf = csrfRefusal(req, allowedOrigins);
      if (csrf) {
        const refusal = failure('csrf');
        return json(res, refusal.httpStatus, {
          errors: [{ message: csrf, extensions: { code: refusal.code } }],
        });
      }
      lifecycle.track(res);
      // GraphiQL's static assets: code anyone may read, so before authentication (not before the
      // CSRF guard: another site may not load them).
      if (operations.graphiql && graphiql.serve(req, res, path ?? '')) return;
      const route = () => {
        if (uploads(req, res) || exports(req, res)) return;
        const serverContext = { gatewayPrincipal: principals.get(req) };
        if (lean && path === '/graphql') return lean(req, res, serverContext);
        void yoga.handle(req, res, serverContext);
      };
      door.admit(req, res, path ?? '', route);
    }),
  );

  server.keepAliveTimeout = serverSettings.keepAliveTimeoutMs;
  server.maxRequestsPerSocket = serverSettings.maxRequestsPerSocket;

  const abortUploads = () => shutdown.abort(new Error('the server is shutting down'));
  const drain = async (timeoutMs: number) => {
    // Subscriptions never finish on their own: they complete now, so the drain need not cut them.
    await live.close();
    const outcome = await lifecycle.drain(server, timeoutMs, abortUploads);
    await operations.close();
    await observer.close();
    return outcome;
  };

  return { server, yoga, live, lean: lean?.counts, abortUploads, drain, observer };
}
