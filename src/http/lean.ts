/**
 * The lean lane (GATEWAY_LANE=lean): JSON `POST /graphql`, and `GET /graphql?query=…`, answered
 * from node:http without the Fetch-API round trip (no whatwg Request, no Response, no body stream
 * copies). One pipeline, two transports: the operation runs through the SAME yoga instance's
 * `getResultForParams`, so every plugin in server.ts's list (trusted documents on onParams, limits,
 * cost, scopes, masking, the response cache, rate limits, and whatever is added there later) runs
 * here exactly as on yoga's lane, with the same context factory. Only the HTTP edges differ:
 * reading the body, choosing the media type, writing the answer, CORS headers, abort on disconnect.
 *
 * What is yoga's alone is handed over to it, decided before any work: GraphiQL (Accept: text/html),
 * SSE and multipart answers (Accept), other content types and methods (OPTIONS preflight included),
 * batches, and documents that may stream (subscription, @defer, @stream: a cheap textual check
 * that errs toward yoga). A POST whose body was read before the hand-over is given to yoga as a
 * Fetch request built from that body (error paths only: bad JSON, batches, streaming documents).
 */
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { getCORSHeadersByRequestAndOptions } from '@whatwg-node/server';
import type { ExecutionResult } from 'graphql';
import { isAsyncIterable, processRegularResult, type YogaServerInstance } from 'graphql-yoga';
import { failure } from '../errors/codes.ts';
import type { GraphContext } from '../graph/context.ts';
import type { Logger } from '../log.ts';
import { currentScope, runInScope } from '../ops/scope.ts';

export interface LeanLaneOptions {
  yoga: YogaServerInstance<Record<string, unknown>, GraphContext>;
  /** CORS_ORIGINS, as yoga's `cors` option gets them (empty: no CORS headers). */
  corsOrigins: readonly string[];
  /** Largest request body, in bytes. */
  maxBodyBytes: number;
  logger: Logger;
}

/** Serves one request on the lean lane, or hands it to yoga. */
export type LeanLane = ((
  req: IncomingMessage,
  res: ServerResponse,
  serverContext: Record<string, unknown>,
) => void) & { counts: LeanLaneCounts };

/** How many requests the lane answered itself, and how many it handed to yoga (a metric's source). */
export interface LeanLaneCounts {
  served: number;
  handedOver: number;
}

/** Documents that may answer with a stream of results: yoga's (a word match, so it errs toward yoga). */
const STREAMING = /\bsubscription\b|@defer\b|@stream\b/;
const JSON_TYPE = /^application\/(?:graphql\+)?json\s*(?:;|$)/i;

/**
 * The request as plugins see it (`context.request`): the fields they read, over node's headers.
 * Not a Fetch Request: building one per call is the cost this lane exists to avoid.
 */
class LeanHeaders {
  constructor(private readonly raw: IncomingHttpHeaders) {}
  get(name: string): string | null {
    const value = this.raw[name.toLowerCase()];
    if (value === undefined) return null;
    return Array.isArray(value) ? value.join(', ') : value;
  }
  has(name: string): boolean {
    return this.raw[name.toLowerCase()] !== undefined;
  }
  forEach(callback: (value: string, name: string) => void): void {
    for (const name in this.raw) {
      const value = this.get(name);
      if (value !== null) callback(value, name);
    }
  }
  *entries(): IterableIterator<[string, string]> {
    for (const name in this.raw) {
      const value = this.get(name);
      if (value !== null) yield [name, value];
    }
  }
  [Symbol.iterator]() {
    return this.entries();
  }
}

/** What yoga's JSON processor hands its `Response`: kept as is, written to node's response. */
class Captured {
  constructor(
    readonly body: string,
    readonly init: { status: number; headers: Record<string, string> },
  ) {}
}
const CAPTURE = { Response: Captured } as unknown as Parameters<typeof processRegularResult>[1];

class LeanRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: LeanHeaders;
  constructor(
    req: IncomingMessage,
    readonly signal: AbortSignal,
    private readonly body: unknown,
  ) {
    this.method = req.method ?? 'GET';
    this.url = `http://${req.headers.host ?? 'localhost'}${req.url ?? '/'}`;
    this.headers = new LeanHeaders(req.headers);
  }
  /** The body, parsed once already (yoga's JSON request parser asks for it). */
  json(): Promise<unknown> {
    return Promise.resolve(this.body);
  }
}

type Params = Record<string, unknown> & { query?: unknown };

/** The two steps of yoga.handle the lean lane runs itself (public on the instance, untyped). */
interface YogaInternals {
  parseRequest(
    request: LeanRequest,
    serverContext: Record<string, unknown>,
  ): Promise<{ response?: Response; requestParserResult?: Params | Params[] }>;
  getResultForParams(
    payload: { params: Params; request: LeanRequest },
    context: Record<string, unknown>,
  ): Promise<ExecutionResult | AsyncIterable<unknown>> | ExecutionResult;
}

/** The media type the answer is written in, or undefined when the client wants what only yoga writes. */
function answerType(accept: string | undefined): string | undefined {
  if (accept === undefined || accept === '' || accept === '*/*') return 'application/json';
  // Yoga's order: the last listed acceptable type wins (getMediaTypesForRequestInOrder reverses them).
  let chosen: string | undefined;
  for (const part of accept.toLowerCase().split(',')) {
    const [type, ...params] = part.trim().split(';');
    const charset = params.find((param) => param.includes('charset='));
    if (charset !== undefined && charset.replace(/\s/g, '') !== 'charset=utf-8') continue;
    if (type === 'text/event-stream' || type === 'multipart/mixed' || type === 'text/html') return undefined;
    if (type === 'application/graphql-response+json' || type === 'application/json') chosen ??= type;
    else if (type === '*/*' || type === 'application/*') chosen ??= 'application/json';
  }
  return chosen;
}

export function createLeanLane(options: LeanLaneOptions): LeanLane {
  const { yoga, maxBodyBytes, logger } = options;
  const cors = options.corsOrigins.length ? { origin: [...options.corsOrigins] } : undefined;
  const tooLarge = failure('body_too_large');
  const malformed = failure('malformed_request');
  const internal = yoga as unknown as YogaInternals;
  const counts: LeanLaneCounts = { served: 0, handedOver: 0 };
  const toYoga = (req: IncomingMessage, res: ServerResponse, serverContext: Record<string, unknown>) => {
    counts.handedOver++;
    return yoga.handle(req, res, serverContext);
  };

  const refuse = (res: ServerResponse, status: number, code: string, message: string) => {
    const body = JSON.stringify({ errors: [{ message, extensions: { code } }] });
    res.writeHead(status, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(body),
      connection: 'close',
    });
    res.end(body);
  };

  /** Yoga answers a request whose body was already read (the rare paths above). */
  const handOverWithBody = async (
    req: IncomingMessage,
    res: ServerResponse,
    body: Buffer,
    serverContext: Record<string, unknown>,
  ) => {
    counts.handedOver++;
    const headers = new yoga.fetchAPI.Headers();
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined && name !== 'content-length' && name !== 'transfer-encoding') {
        headers.set(name, Array.isArray(value) ? value.join(', ') : value);
      }
    }
    const controller = new AbortController();
    res.once('close', () => controller.abort());
    const request = new yoga.fetchAPI.Request(`http://${req.headers.host ?? 'localhost'}${req.url ?? '/'}`, {
      method: req.method,
      headers,
      body: body.toString('utf8'),
      signal: controller.signal,
    });
    const response = await yoga.handleRequest(request, { req, res, ...serverContext });
    const answer = Buffer.from(await response.arrayBuffer());
    const out: Record<string, string> = {};
    response.headers.forEach((value, name) => {
      out[name] = value;
    });
    out['content-length'] = String(answer.byteLength);
    res.writeHead(response.status, out);
    res.end(answer);
  };

  const run = async (
    req: IncomingMessage,
    res: ServerResponse,
    body: unknown,
    type: string,
    serverContext: Record<string, unknown>,
    raw: Buffer | undefined,
  ) => {
    // Cancellation on disconnect: the client going away aborts the operation's upstream calls.
    const controller = new AbortController();
    res.once('close', () => {
      if (!res.writableFinished) controller.abort(new DOMException('The client went away', 'AbortError'));
    });
    const request = new LeanRequest(req, controller.signal, body);
    const context = { req, res, ...serverContext };
    // Yoga's request-parse hooks, on this stand-in (the schema factory, the method and batch checks,
    // the body limit, and any plugin's): `json()` answers the body already read.
    let parsed: Awaited<ReturnType<YogaInternals['parseRequest']>>;
    try {
      parsed = await internal.parseRequest(request, context);
    } catch {
      // Yoga's own answer, with its error shapes (bad GET variables, refused methods, …).
      return raw === undefined
        ? void toYoga(req, res, serverContext)
        : handOverWithBody(req, res, raw, serverContext);
    }
    const params = parsed.requestParserResult;
    if (
      parsed.response ||
      params === undefined ||
      Array.isArray(params) ||
      (typeof params.query === 'string' && STREAMING.test(params.query))
    ) {
      return raw === undefined
        ? void toYoga(req, res, serverContext)
        : handOverWithBody(req, res, raw, serverContext);
    }
    counts.served++;
    let result: ExecutionResult | AsyncIterable<unknown>;
    try {
      result = await internal.getResultForParams({ params, request }, context);
    } catch (error) {
      // getResultForParams masks what it catches itself; what escapes (an onParams refusal) is a
      // GraphQLError a plugin built to be seen, answered as yoga.handle answers it.
      result = { errors: [error as never] };
    }
    if (res.destroyed) return;
    if (isAsyncIterable(result)) {
      // A trusted document chosen by hash that streams: yoga's JSON processor answers the same.
      res.writeHead(406, {
        accept: 'application/json; charset=utf-8, application/graphql-response+json; charset=utf-8',
      });
      res.end();
      return;
    }
    // Yoga's own JSON processor: the status from the errors' `extensions.http`, internals omitted,
    // one serialisation (a result's own `stringify`, graphql-jit's, when it has one), captured
    // by a Response stand-in instead of a Fetch Response.
    const processed = processRegularResult(result, CAPTURE, type) as unknown as Captured;
    const headers = processed.init.headers;
    if (cors) {
      const corsHeaders = getCORSHeadersByRequestAndOptions(request as never, cors);
      if (corsHeaders) Object.assign(headers, corsHeaders);
    }
    headers['content-length'] = String(Buffer.byteLength(processed.body));
    res.writeHead(processed.init.status, headers);
    res.end(processed.body);
  };

  const lane = (req: IncomingMessage, res: ServerResponse, serverContext: Record<string, unknown>) => {
    const method = req.method;
    const type = answerType(req.headers.accept);
    const contentType = req.headers['content-type'];
    if (type === undefined || req.headers.upgrade !== undefined) {
      return void toYoga(req, res, serverContext);
    }
    if (method === 'GET') {
      if (!req.url?.includes('?')) return void toYoga(req, res, serverContext);
      return void run(req, res, undefined, type, serverContext, undefined).catch((error) => fail(res, error));
    }
    if (method !== 'POST' || contentType === undefined || !JSON_TYPE.test(contentType)) {
      return void toYoga(req, res, serverContext);
    }
    const length = req.headers['content-length'];
    if (length !== undefined) {
      if (!/^\d+$/.test(length)) {
        return refuse(res, malformed.httpStatus, malformed.code, 'Content-Length header is invalid.');
      }
      if (Number(length) > maxBodyBytes) {
        req.resume();
        return refuse(res, tooLarge.httpStatus, tooLarge.code, 'Request body too large');
      }
    }
    const chunks: Buffer[] = [];
    let read = 0;
    const onData = (chunk: Buffer) => {
      read += chunk.byteLength;
      if (read > maxBodyBytes) {
        req.off('data', onData);
        req.resume();
        refuse(res, tooLarge.httpStatus, tooLarge.code, 'Request body too large');
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    // Run in this request's scope: 'end' is emitted from the socket's async context, which would
    // lose the scope (its id, its upstream calls, its log line) the observer opened around us.
    // (Re-entering the scope costs far less than AsyncResource.bind, which builds a resource and
    // a deprecation getter per call.)
    const scope = currentScope();
    req.once(
      'end',
      inScope(scope, () => {
        if (read > maxBodyBytes || res.headersSent) return;
        const raw = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
        let body: unknown;
        try {
          body = JSON.parse(raw.toString('utf8'));
        } catch {
          // Yoga's own answer to a body that is not JSON.
          return void handOverWithBody(req, res, raw, serverContext).catch((error) => fail(res, error));
        }
        if (body === null || typeof body !== 'object' || Array.isArray(body)) {
          return void handOverWithBody(req, res, raw, serverContext).catch((error) => fail(res, error));
        }
        void run(req, res, body, type, serverContext, raw).catch((error) => fail(res, error));
      }),
    );
  };

  return Object.assign(lane, { counts });

  function inScope(scope: ReturnType<typeof currentScope>, fn: () => void): () => void {
    return scope === undefined ? fn : () => runInScope(scope, fn);
  }

  function fail(res: ServerResponse, error: unknown) {
    logger.error('lean lane failed', { error });
    if (res.headersSent) return void res.destroy();
    const internalError = failure('internal');
    refuse(res, internalError.httpStatus, internalError.code, 'Unexpected error.');
  }
}
