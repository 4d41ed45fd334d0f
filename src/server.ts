/**
 * createGateway: the yoga server, its per-request context and the node HTTP server around it
 * (health and readiness beside /graphql). Opens no socket: main.ts and the tests listen.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { GraphQLSchema } from 'graphql';
import { createYoga, maskError as defaultMaskError, type YogaServerInstance } from 'graphql-yoga';
import { useBodyLimit } from './body-limit.ts';
import type { Config } from './config.ts';
import { credentialsFromHeaders } from './domo/auth.ts';
import { createDomoClient } from './domo/client.ts';
import type { DomoHttp } from './domo/http.ts';
import type { GraphContext } from './graph/context.ts';
import { clientFacingError } from './graph/errors.ts';
import { useBadUserInput } from './graph/input-errors.ts';
import { DEFAULT_LIMITS, useOperationLimits } from './graph/limits.ts';
import { schema } from './graph/schema.ts';
import { isCsrfSuspect, PREFLIGHT_HEADERS } from './http/csrf.ts';
import { createUploadHandler } from './http/uploads.ts';
import type { Logger } from './log.ts';

export interface GatewayDeps {
  config: Pick<Config, 'serverCredentials' | 'upstream' | 'maxPageSize' | 'maxQueryRows'> &
    Partial<Pick<Config, 'limits' | 'corsOrigins' | 'rows'>>;
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
}

const READY_TTL_MS = 5_000;
/** Yoga's own default; uploads may want more. */
const MAX_REQUEST_BODY_BYTES = 25_000_000;

export function createGateway(deps: GatewayDeps): Gateway {
  const { config, http, logger } = deps;
  const settings = {
    maxPageSize: config.maxPageSize,
    maxQueryRows: config.maxQueryRows,
    rows: config.rows && { timeZone: config.rows.timeZone, maxPageSize: config.rows.maxPageSize },
  };
  const served = deps.schema ?? schema;

  const shutdown = new AbortController();
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
        return defaultMaskError(error, message, isDev);
      },
    },
    // Keep useBodyLimit last: it wraps the request parser the plugins before it chose.
    plugins: [
      useOperationLimits(config.limits ?? DEFAULT_LIMITS),
      useBadUserInput(),
      useBodyLimit(deps.maxRequestBodyBytes ?? MAX_REQUEST_BODY_BYTES),
    ],
    context: ({ request, streamedFiles, uploadSignal }): GraphContext => ({
      domo: createDomoClient(http, {
        // The caller's own credentials win over the server's.
        credentials: credentialsFromHeaders(request.headers) ?? config.serverCredentials,
        signal: request.signal,
        maxConcurrency: config.upstream.maxConcurrencyPerRequest,
        maxCalls: config.upstream.maxCallsPerRequest,
      }),
      settings,
      uploads: {
        files: streamedFiles as Map<string, AsyncIterable<Uint8Array>> | undefined,
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
    shutdown: shutdown.signal,
  });

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
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/health') return json(res, 200, { status: 'ok' });
    if (path === '/ready') {
      void checkReady().then((ok) =>
        json(res, ok ? 200 : 503, { status: ok ? 'ready' : 'upstream unreachable' }),
      );
      return;
    }
    if (isCsrfSuspect(req)) {
      return json(res, 403, {
        errors: [
          {
            message: `a form-encoded, multipart or text/plain POST must carry one of these headers: ${PREFLIGHT_HEADERS.join(', ')} (cross-site request forgery guard)`,
            extensions: { code: 'CSRF_PREVENTED' },
          },
        ],
      });
    }
    if (uploads(req, res)) return;
    void yoga.handle(req, res);
  });

  return { server, yoga, abortUploads: () => shutdown.abort(new Error('the server is shutting down')) };
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
