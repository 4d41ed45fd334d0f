/**
 * createGateway: the yoga server, its per-request context and the node HTTP server around it
 * (health and readiness beside /graphql). Opens no socket: main.ts and the tests listen.
 * The node server bounds slow and idle sockets (ServerSettings) and drains on shutdown: `drain`
 * turns /ready to 503, refuses new work, lets running requests finish for a while, then cuts them.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { GraphQLSchema } from 'graphql';
import { createYoga, maskError as defaultMaskError, type YogaServerInstance } from 'graphql-yoga';
import { createAuthenticator } from './auth/authenticate.ts';
import { AuthError } from './auth/errors.ts';
import { uploadRefusal, useGatewayScopes } from './auth/operation.ts';
import type { Principal } from './auth/scopes.ts';
import { useBodyLimit } from './body-limit.ts';
import type { Config, ServerSettings } from './config.ts';
import { credentialsFromHeaders } from './domo/auth.ts';
import { createDomoClient } from './domo/client.ts';
import type { DomoHttp } from './domo/http.ts';
import { failure } from './errors/codes.ts';
import { registerSecret } from './errors/redact.ts';
import type { GraphContext } from './graph/context.ts';
import { useCostLimit } from './graph/cost.ts';
import { clientFacingError, redactedError } from './graph/errors.ts';
import { useSchemaExposure } from './graph/exposure.ts';
import { useBadUserInput } from './graph/input-errors.ts';
import { DEFAULT_LIMITS, useOperationLimits } from './graph/limits.ts';
import { schema } from './graph/schema.ts';
import { csrfRefusal } from './http/csrf.ts';
import { createUploadHandler } from './http/uploads.ts';
import type { Logger } from './log.ts';
import { uploadPolicy } from './upload/policy.ts';

export interface GatewayDeps {
  config: Pick<Config, 'serverCredentials' | 'upstream' | 'maxPageSize' | 'maxQueryRows'> &
    Partial<Pick<Config, 'limits' | 'corsOrigins' | 'uploads'>> &
    Partial<
      Pick<Config, 'server' | 'introspection' | 'fieldSuggestions' | 'useSandbox' | 'gatewayAuth' | 'rows'>
    >;
  /**
   * The schema to serve (default: the static one); a function is asked on every request, so typed
   * roots reloaded at run time (src/graph/types/rows-typed) take effect without a restart.
   */
  schema?: GraphQLSchema | (() => GraphQLSchema);
  http: DomoHttp;
  logger: Logger;
  /** The GraphiQL tab's first operation. */
  exampleQuery?: string;
  /** How long a readiness answer is reused (default 5 s). */
  readyTtlMs?: number;
  /** Largest request body, in bytes (default 25 MB). */
  maxRequestBodyBytes?: number;
}

export interface Gateway {
  server: Server;
  yoga: YogaServerInstance<Record<string, unknown>, GraphContext>;
  /** Stops every running upload, uncommitted (call on shutdown, before closing the server). */
  abortUploads(): void;
  /**
   * Graceful stop: /ready answers 503 at once, new requests get 503 SHUTTING_DOWN, running ones
   * get `timeoutMs` to finish; then the rest (uploads included) are cut and every socket closed.
   * Resolves once the server is closed, with whether anything had to be cut. Idempotent.
   */
  drain(timeoutMs: number): Promise<{ cut: number }>;
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
  // The server's own token is redacted from every log line and every error from now on.
  registerSecret(config.serverCredentials?.token);
  const settings = {
    maxPageSize: config.maxPageSize,
    maxQueryRows: config.maxQueryRows,
    rows: config.rows && { timeZone: config.rows.timeZone, maxPageSize: config.rows.maxPageSize },
  };
  const policy = uploadPolicy(config.upstream, config.uploads);
  const served = deps.schema ?? schema;

  const shutdown = new AbortController();
  // Gateway authentication (src/auth): the caller of each request, found once at the door.
  const authenticator = createAuthenticator(config.gatewayAuth);
  const principals = new WeakMap<IncomingMessage, Principal>();
  // With it on, Authorization carries the gateway credential; Domo tokens come in X-DOMO-* only.
  const domoCredentials = (headers: { get(name: string): string | null }) =>
    credentialsFromHeaders(headers, { authorization: !authenticator.enabled }) ?? config.serverCredentials;
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
    // firewalls. Loaded on the first GraphiQL request, so the multi-megabyte bundle costs no startup.
    renderGraphiQL: async (options) =>
      (await import('@graphql-yoga/render-graphiql')).renderGraphiQL(options),
    graphiql: {
      title: 'domo-graph',
      defaultQuery: deps.exampleQuery,
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
    maskedErrors: {
      maskError(error, message, isDev) {
        const visible = clientFacingError(error);
        if (visible) return visible;
        logger.error('unexpected error', { error });
        // In development yoga copies the original error's message into the answer: redacted too.
        return redactedError(defaultMaskError(error, message, isDev));
      },
    },
    // Keep useBodyLimit last: it wraps the request parser the plugins before it chose.
    plugins: [
      useSchemaExposure({
        introspection: config.introspection ?? true,
        fieldSuggestions: config.fieldSuggestions ?? true,
      }),
      useOperationLimits(config.limits ?? DEFAULT_LIMITS),
      useCostLimit({ maxCalls: config.upstream.maxCallsPerRequest, maxPageSize: config.maxPageSize }),
      useGatewayScopes(),
      useBadUserInput(),
      useBodyLimit(deps.maxRequestBodyBytes ?? MAX_REQUEST_BODY_BYTES),
    ],
    context: async ({ request, streamedFiles, uploadSignal, gatewayPrincipal }): Promise<GraphContext> => ({
      // Found at the door (below); authenticated here for a request that came another way (yoga.fetch).
      auth: (gatewayPrincipal as Principal | undefined) ?? (await authenticateOrThrow(request.headers)),
      domo: createDomoClient(http, {
        // The caller's own credentials win over the server's.
        credentials: domoCredentials(request.headers),
        signal: request.signal,
        maxConcurrency: config.upstream.maxConcurrencyPerRequest,
        maxCalls: config.upstream.maxCallsPerRequest,
      }),
      settings,
      uploads: {
        files: streamedFiles as Map<string, AsyncIterable<Uint8Array>> | undefined,
        policy,
        // Lazy: only upload resolvers read it. Not AbortSignal.any: on Node 20, combining yoga's
        // request.signal that way stops it from cancelling the request's upstream calls.
        get signal() {
          return (uploadSignal as AbortSignal | undefined) ?? eitherSignal(request.signal, shutdown.signal);
        },
      },
    }),
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

  const authenticateOrThrow = async (headers: Headers): Promise<Principal> => {
    try {
      return await authenticator.authenticate(headers);
    } catch (error) {
      throw error instanceof AuthError ? error.toGraphQLError() : error;
    }
  };

  // Readiness probes can arrive often and from many places: one upstream check at a time, its answer
  // reused for readyTtlMs.
  const readyTtlMs = deps.readyTtlMs ?? READY_TTL_MS;
  let readyAt = Number.NEGATIVE_INFINITY;
  let ready = false;
  let checking: Promise<boolean> | undefined;
  const probe = async (): Promise<boolean> => {
    try {
      // Any HTTP answer below 500 (even 401) proves the upstream is reachable.
      const response = await fetch(http.url({ path: '/api/content/v2/users/me' }), {
        signal: AbortSignal.timeout(config.upstream.connectTimeoutMs),
      });
      await response.body?.cancel();
      return response.status < 500;
    } catch {
      return false;
    }
  };
  const checkReady = (): Promise<boolean> => {
    if (Date.now() - readyAt < readyTtlMs) return Promise.resolve(ready);
    checking ??= probe().then((ok) => {
      ready = ok;
      readyAt = Date.now();
      checking = undefined;
      return ok;
    });
    return checking;
  };

  const json = (res: ServerResponse, status: number, body: unknown) => {
    // A probe answered by drain() meanwhile, or a caller gone: nothing to send.
    if (res.headersSent || res.destroyed) return;
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };

  // Said on /ready, so an operator sees at once when the gateway serves demo data.
  const upstream = config.useSandbox ? 'sandbox' : 'domo';
  const allowedOrigins = config.corsOrigins ?? [];
  const serverSettings = config.server ?? DEFAULT_SERVER_SETTINGS;
  const running = new Set<ServerResponse>();
  const waitingReady = new Set<ServerResponse>();
  let draining = false;
  let onIdle: (() => void) | undefined;

  const server = createServer(
    {
      headersTimeout: serverSettings.headersTimeoutMs,
      requestTimeout: serverSettings.requestTimeoutMs,
      // Node checks both timeouts on this interval (default 30 s): check often enough to honour them.
      connectionsCheckingInterval: Math.max(50, Math.min(1_000, serverSettings.headersTimeoutMs / 4)),
    },
    (req: IncomingMessage, res: ServerResponse) => {
      const path = (req.url ?? '/').split('?')[0];
      if (path === '/health') return json(res, 200, { status: 'ok' });
      if (path === '/ready') {
        if (draining) return json(res, 503, { status: 'shutting down', upstream });
        // A probe still waiting on the upstream when the drain starts is answered by drain().
        waitingReady.add(res);
        void checkReady().then((ok) => {
          if (!waitingReady.delete(res)) return;
          json(res, ok ? 200 : 503, { status: ok ? 'ready' : 'upstream unreachable', upstream });
        });
        return;
      }
      if (draining) {
        res.setHeader('connection', 'close');
        const refusal = failure('shutting_down');
        return json(res, refusal.httpStatus, {
          errors: [
            {
              message: 'the server is shutting down: send the request again (to another instance)',
              extensions: { code: refusal.code },
            },
          ],
        });
      }
      // One guard for every route below, whatever its transport (src/http/csrf.ts).
      const csrf = csrfRefusal(req, allowedOrigins);
      if (csrf) {
        const refusal = failure('csrf');
        return json(res, refusal.httpStatus, {
          errors: [{ message: csrf, extensions: { code: refusal.code } }],
        });
      }
      running.add(res);
      res.once('close', () => {
        running.delete(res);
        if (running.size === 0) onIdle?.();
      });
      const route = () => {
        if (uploads(req, res)) return;
        void yoga.handle(req, res, { gatewayPrincipal: principals.get(req) });
      };
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
        (error: unknown) => refuseUnauthenticated(req, res, path ?? '', error),
      );
    },
  );

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
  server.keepAliveTimeout = serverSettings.keepAliveTimeoutMs;
  server.maxRequestsPerSocket = serverSettings.maxRequestsPerSocket;

  const abortUploads = () => shutdown.abort(new Error('the server is shutting down'));
  let drained: Promise<{ cut: number }> | undefined;
  const drain = (timeoutMs: number) => {
    drained ??= (async () => {
      // Keep listening while draining: probes and callers get a 503 they can act on rather than a
      // refused connection. Idle keep-alive sockets go now, so their clients reconnect elsewhere.
      draining = true;
      for (const res of waitingReady) json(res, 503, { status: 'shutting down', upstream });
      waitingReady.clear();
      server.closeIdleConnections();
      let timer: NodeJS.Timeout | undefined;
      const finished = await new Promise<boolean>((resolve) => {
        if (running.size === 0) return resolve(true);
        onIdle = () => resolve(true);
        timer = setTimeout(() => resolve(false), timeoutMs);
      });
      clearTimeout(timer);
      const cut = finished ? 0 : running.size;
      if (!finished) {
        // Cut: uploads stop uncommitted, and closing the sockets aborts every request's signal,
        // which cancels its upstream calls.
        abortUploads();
      }
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
      return { cut };
    })();
    return drained;
  };

  return { server, yoga, abortUploads, drain };
}

/** The upload PUT route answers errors as `{ error }`, as its other refusals (src/http/uploads.ts). */
const UPLOAD_ROUTE = /^\/v1\/datasets\/[^/]+\/upload\/?$/;

function headerSource(req: IncomingMessage) {
  return {
    get(name: string): string | null {
      const value = req.headers[name.toLowerCase()];
      return Array.isArray(value) ? (value[0] ?? null) : (value ?? null);
    },
  };
}

/** A signal that aborts when the request ends or the server shuts down, whichever comes first. */
function eitherSignal(request: AbortSignal, shutdown: AbortSignal): AbortSignal {
  const controller = new AbortController();
  if (request.aborted || shutdown.aborted) {
    controller.abort(request.aborted ? request.reason : shutdown.reason);
    return controller.signal;
  }
  const onShutdown = () => controller.abort(shutdown.reason);
  shutdown.addEventListener('abort', onShutdown, { once: true });
  request.addEventListener(
    'abort',
    () => {
      shutdown.removeEventListener('abort', onShutdown);
      controller.abort(request.reason);
    },
    { once: true },
  );
  return controller.signal;
}
