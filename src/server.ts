/**
 * createGateway: the yoga server, its per-request context and the node HTTP server around it
 * (health and readiness beside /graphql). Opens no socket: main.ts and the tests listen.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createYoga, maskError as defaultMaskError, type YogaServerInstance } from 'graphql-yoga';
import type { Config } from './config.ts';
import { credentialsFromHeaders } from './domo/auth.ts';
import { createDomoClient } from './domo/client.ts';
import type { DomoHttp } from './domo/http.ts';
import type { GraphContext } from './graph/context.ts';
import { clientFacingError } from './graph/errors.ts';
import { schema } from './graph/schema.ts';
import { createUploadHandler } from './http/uploads.ts';
import type { Logger } from './log.ts';

export interface GatewayDeps {
  config: Pick<Config, 'serverCredentials' | 'upstream' | 'maxPageSize' | 'maxQueryRows'>;
  http: DomoHttp;
  logger: Logger;
  /** The GraphiQL tab's first operation. */
  exampleQuery?: string;
}

export interface Gateway {
  server: Server;
  yoga: YogaServerInstance<Record<string, unknown>, GraphContext>;
  /** Stops every running upload, uncommitted (call on shutdown, before closing the server). */
  abortUploads(): void;
}

const READY_TTL_MS = 5_000;

export function createGateway(deps: GatewayDeps): Gateway {
  const { config, http, logger } = deps;
  const settings = { maxPageSize: config.maxPageSize, maxQueryRows: config.maxQueryRows };

  const shutdown = new AbortController();
  const yoga = createYoga<Record<string, unknown>, GraphContext>({
    schema,
    // Multipart requests never reach yoga, which would buffer the files: src/http/uploads.ts streams them.
    multipart: false,
    graphqlEndpoint: '/graphql',
    landingPage: false,
    graphiql: {
      title: 'domo-graph',
      defaultQuery: deps.exampleQuery,
    },
    logging: {
      debug: (...args) => logger.debug(String(args[0]), { args: args.slice(1) }),
      info: (...args) => logger.info(String(args[0]), { args: args.slice(1) }),
      warn: (...args) => logger.warn(String(args[0]), { args: args.slice(1) }),
      error: (...args) => logger.error(String(args[0]), { args: args.slice(1) }),
    },
    maskedErrors: {
      maskError(error, message, isDev) {
        const visible = clientFacingError(error);
        if (visible) return visible;
        logger.error('unexpected error', { error });
        return defaultMaskError(error, message, isDev);
      },
    },
    context: ({ request, streamedFiles, uploadSignal }): GraphContext => ({
      domo: createDomoClient(http, {
        // The caller's own credentials win over the server's.
        credentials: credentialsFromHeaders(request.headers) ?? config.serverCredentials,
        signal: request.signal,
        maxConcurrency: config.upstream.maxConcurrencyPerRequest,
      }),
      settings,
      uploads: {
        files: streamedFiles as Map<string, AsyncIterable<Uint8Array>> | undefined,
        signal:
          (uploadSignal as AbortSignal | undefined) ?? AbortSignal.any([request.signal, shutdown.signal]),
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

  let readyAt = 0;
  let ready = false;
  const checkReady = async (): Promise<boolean> => {
    if (Date.now() - readyAt < READY_TTL_MS) return ready;
    try {
      // Any HTTP answer (even 401) proves the upstream is reachable.
      const response = await fetch(http.url({ path: '/api/content/v2/users/me' }), {
        signal: AbortSignal.timeout(config.upstream.connectTimeoutMs),
      });
      await response.body?.cancel();
      ready = response.status < 500;
    } catch {
      ready = false;
    }
    readyAt = Date.now();
    return ready;
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
    if (uploads(req, res)) return;
    void yoga.handle(req, res);
  });

  return { server, yoga, abortUploads: () => shutdown.abort(new Error('the server is shutting down')) };
}
