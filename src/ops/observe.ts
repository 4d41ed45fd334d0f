/**
 * The operator's view of one gateway: a JSON log line per operation (and per upload or export),
 * Prometheus metrics and OpenTelemetry spans. Two hooks, one per level, so every transport shares
 * them:
 * - `handle` wraps a node request (server.ts's handler; the lean lane calls it too): it opens the
 *   request scope (src/ops/scope.ts: request id from X-Request-Id or traceparent, echoed back and
 *   sent to Domo), counts the request in flight, starts the request span, and when the response
 *   ends writes the line and the figures;
 * - `plugin` (envelop, in the gateway's plugin list) tells the scope the operation's name, type,
 *   caller and error codes, and names the span after the operation.
 * Features report through `sink` (cache outcomes, upstream calls, exports, uploads, rate limits).
 * No line, label or span carries a token, a header, variables, SQL text or a result.
 */
import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { isAsyncIterable, type Plugin } from '@envelop/core';
import { ROOT_CONTEXT, type Span, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { type ExecutionResult, type GraphQLError, getOperationAST } from 'graphql';
import type { ObserveSettings } from '../config-observe.ts';
import { registerSecret } from '../errors/redact.ts';
import type { Logger } from '../log.ts';
import type { OpsEvent, OpsSink } from './events.ts';
import { createMetrics, fanOut, type Metrics, type Route } from './metrics.ts';
import { currentScope, type RequestScope, runInScope, scopeFromHeaders } from './scope.ts';
import { createTracing, type Tracing } from './tracing.ts';

export interface Observer {
  /** What features report to: the gateway's own sink, the metrics, the request's tallies. */
  sink: OpsSink;
  metrics?: Metrics;
  /** Runs `next` in the request's scope; logs and counts the request when its response ends. */
  handle(
    req: IncomingMessage,
    res: ServerResponse,
    route: Route,
    callerId: () => string | undefined,
    next: () => void,
  ): void;
  /**
   * A node handler around `next`: `/metrics` (unless METRICS_PORT has its own listener), then every
   * other request through `handle`, its route told by its path.
   */
  wrap(
    callerId: (req: IncomingMessage) => string | undefined,
    next: (req: IncomingMessage, res: ServerResponse) => void,
  ): (req: IncomingMessage, res: ServerResponse) => void;
  /** Serves `/metrics` on the gateway's own port (true when it answered the request). */
  serveMetrics(req: IncomingMessage, res: ServerResponse, path: string): boolean;
  /** The listener of METRICS_PORT, not yet listening (main.ts listens). */
  metricsServer?: Server;
  plugin: Plugin<{ caller?: { id: string } }>;
  /** Sends the spans still buffered (tests; shutdown does it too). */
  flush(): Promise<void>;
  close(): Promise<void>;
}

/** The route label of a path: GraphQL, the upload and export routes, or anything else. */
export function routeOf(path: string): Route {
  if (path === '/graphql') return 'graphql';
  if (/^\/v1\/datasets\/[^/]+\/upload\/?$/.test(path)) return 'upload';
  if (/^\/v1\/datasets\/[^/]+\/export\/?$/.test(path)) return 'export';
  return 'other';
}

const OFF: ObserveSettings = {
  metrics: { enabled: false, token: null, port: null },
  tracing: { endpoint: null },
};

/** The cache outcome the request's line reports, besides the metrics. */
function tallies(event: OpsEvent): void {
  if (event.type !== 'cache') return;
  const scope = currentScope();
  if (scope) scope.cache = event.outcome;
}

export function createObserver(
  settings: ObserveSettings | undefined,
  deps: { logger: Logger; ops: OpsSink },
): Observer {
  const { metrics: metricSettings, tracing: tracingSettings } = settings ?? OFF;
  const metrics = metricSettings.enabled ? createMetrics() : undefined;
  const tracing: Tracing | undefined = tracingSettings.endpoint
    ? createTracing(tracingSettings.endpoint)
    : undefined;
  const sink = fanOut(deps.ops, { emit: tallies }, ...(metrics ? [metrics.sink] : []));
  const { logger } = deps;
  registerSecret(metricSettings.token ?? undefined);

  const answerMetrics = (req: IncomingMessage, res: ServerResponse) => {
    if (!metrics) return;
    if (metricSettings.token !== null && !bearerMatches(req.headers.authorization, metricSettings.token)) {
      res.writeHead(401, { 'content-type': 'text/plain', 'www-authenticate': 'Bearer' });
      res.end('metrics need Authorization: Bearer <METRICS_TOKEN>\n');
      return;
    }
    void metrics.render().then(
      ({ contentType, body }) => {
        res.writeHead(200, { 'content-type': contentType, 'cache-control': 'no-store' });
        res.end(body);
      },
      (error: unknown) => {
        logger.error('metrics not rendered', { error });
        res.writeHead(500).end();
      },
    );
  };

  const metricsServer =
    metrics && metricSettings.port !== null
      ? createServer((req, res) => {
          if ((req.url ?? '/').split('?')[0] === '/metrics' && req.method === 'GET')
            return answerMetrics(req, res);
          res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
        })
      : undefined;

  const handle: Observer['handle'] = (req, res, route, callerId, next) => {
    const scope = scopeFromHeaders(req.headers, sink);
    res.setHeader('x-request-id', scope.requestId);
    if (tracing) {
      scope.tracer = tracing.tracer;
      scope.span = requestSpan(tracing, scope, req.method ?? 'GET', route);
    }
    metrics?.inFlight(1);
    const started = performance.now();
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      metrics?.inFlight(-1);
      const durationMs = performance.now() - started;
      // A response cut before its end (the client left, the stream broke) is not a success.
      const status = res.writableFinished ? res.statusCode : res.headersSent ? res.statusCode : 499;
      const cut = !res.writableFinished;
      const ok = !cut && status < 400 && scope.errorCodes.size === 0;
      metrics?.http(route, status);
      const operation = scope.operation;
      // GraphiQL's page and the like are not operations.
      const isOperation = route === 'graphql' && (operation !== undefined || !ok);
      if (isOperation) metrics?.operation(operation?.name, operation?.type, ok, durationMs / 1000);
      if (scope.span) {
        scope.span.setAttribute('http.response.status_code', status);
        scope.span.setAttribute('domo.upstream_calls', scope.upstreamCalls);
        scope.span.setAttribute('domo.retries', scope.retries);
        if (!ok)
          scope.span.setStatus({ code: SpanStatusCode.ERROR, message: [...scope.errorCodes].join(',') });
        scope.span.end();
      }
      if (route === 'other' && !isOperation) return;
      logger.info(isOperation ? 'operation' : route, {
        requestId: scope.requestId,
        traceId: scope.traceId,
        ...(isOperation && { operation: operation?.name ?? null, operationType: operation?.type ?? null }),
        method: req.method,
        route,
        status,
        ...(cut && { cut: true }),
        durationMs: Math.round(durationMs * 10) / 10,
        errors: [...scope.errorCodes],
        upstream: { calls: scope.upstreamCalls, retries: scope.retries, throttled: scope.throttled },
        cache: scope.cache ?? null,
        caller: scope.callerId ?? safely(callerId) ?? null,
      });
    };
    res.once('finish', finish);
    res.once('close', finish);
    runInScope(scope, next);
  };

  const plugin: Observer['plugin'] = {
    onParse() {
      return ({ result }) => {
        if (result instanceof Error) currentScope()?.errorCodes.add('GRAPHQL_PARSE_FAILED');
      };
    },
    onValidate() {
      return ({ valid }) => {
        if (!valid) currentScope()?.errorCodes.add('GRAPHQL_VALIDATION_FAILED');
      };
    },
    onExecute({ args }) {
      const scope = currentScope();
      if (!scope) return;
      const ast = getOperationAST(args.document, args.operationName ?? undefined);
      const name = ast?.name?.value ?? args.operationName ?? undefined;
      const type = ast?.operation ?? 'unknown';
      scope.operation = { name, type };
      const caller = (args.contextValue as { caller?: { id: string } }).caller;
      if (caller) scope.callerId = caller.id;
      if (scope.span) {
        scope.span.updateName(`${type} ${name ?? 'anonymous'}`);
        scope.span.setAttribute('graphql.operation.type', type);
        if (name) scope.span.setAttribute('graphql.operation.name', name);
      }
      return {
        onExecuteDone(payload) {
          const note = (result: ExecutionResult) => codesOf(result.errors, scope.errorCodes);
          if (isAsyncIterable(payload.result)) return { onNext: ({ result }) => note(result) };
          note(payload.result as ExecutionResult);
          return undefined;
        },
      };
    },
  };

  const serveMetrics: Observer['serveMetrics'] = (req, res, path) => {
    if (path !== '/metrics' || !metrics || metricsServer) return false;
    answerMetrics(req, res);
    return true;
  };

  return {
    sink,
    metrics,
    handle,
    wrap: (callerId, next) => (req, res) => {
      const path = (req.url ?? '/').split('?')[0] ?? '/';
      if (serveMetrics(req, res, path)) return;
      handle(
        req,
        res,
        routeOf(path),
        () => callerId(req),
        () => next(req, res),
      );
    },
    serveMetrics,
    metricsServer,
    plugin,
    flush: async () => tracing?.flush(),
    close: async () => {
      metricsServer?.close();
      await tracing?.close();
    },
  };
}

/** The request's span, a child of the caller's span when its traceparent named one. */
function requestSpan(tracing: Tracing, scope: RequestScope, method: string, route: Route): Span {
  const parent = scope.parentSpanId
    ? trace.setSpanContext(ROOT_CONTEXT, {
        traceId: scope.traceId,
        spanId: scope.parentSpanId,
        traceFlags: Number.parseInt(scope.traceFlags, 16),
        isRemote: true,
      })
    : undefined;
  return tracing.tracer.startSpan(
    `${method} ${route}`,
    { kind: SpanKind.SERVER, attributes: { 'http.request.method': method, 'http.route': route } },
    parent,
  );
}

function codesOf(errors: readonly GraphQLError[] | undefined, into: Set<string>): void {
  for (const error of errors ?? []) {
    const code = error.extensions?.code;
    into.add(typeof code === 'string' && /^[A-Z_]{1,64}$/.test(code) ? code : 'INTERNAL_SERVER_ERROR');
  }
}

function safely(fn: () => string | undefined): string | undefined {
  try {
    return fn();
  } catch {
    return undefined;
  }
}

function bearerMatches(header: string | undefined, token: string): boolean {
  const given = /^Bearer\s+(.+)$/i.exec(header ?? '')?.[1]?.trim();
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}
