/**
 * The one door to Domo: undici with pooled keep-alive connections, timeouts, retries with backoff
 * for requests that are safe to repeat, and a single place where every failure becomes a DomoError
 * (http-errors.ts). What it is asked (DomoRequest, options, the pool) is http-request.ts.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { type Span, SpanStatusCode } from '@opentelemetry/api';
import type { Dispatcher } from 'undici';
import { redactText, secretHeaderValues } from '../errors/redact.ts';
import type { Logger } from '../log.ts';
import { silentLogger } from '../log.ts';
import { childSpan, currentScope, upstreamHeaders } from '../ops/scope.ts';
import { type Credentials, DEVELOPER_TOKEN_HEADER, SESSION_TOKEN_HEADER } from './auth.ts';
import { BodyReadError, type BodyReader, DEFAULT_MAX_RESPONSE_BYTES, readBounded } from './body.ts';
import { endpointTemplate } from './endpoint.ts';
import { DomoError } from './errors.ts';
import { abortedError, htmlTitle, looksLikeHtml, statusError, transportError } from './http-errors.ts';
import { createDispatcher, type DomoHttpOptions, type DomoRequest } from './http-request.ts';
import { readStreamed } from './http-stream.ts';
import { isRetryable, retryDelay } from './retry.ts';
import { eitherSignal } from './signals.ts';

export type { BodyReader } from './body.ts';
export {
  apiPath,
  createDispatcher,
  type DispatcherOptions,
  type DomoHttpOptions,
  type DomoRequest,
  type HttpMethod,
  type QueryValue,
} from './http-request.ts';

/** One logical upstream call across its attempts: what the last attempt got, for metrics and spans. */
interface CallRecord {
  status: number;
  span?: Span;
}

export class DomoHttp {
  readonly baseUrl: string;
  private readonly origin: string;
  /** A path prefix of the base URL (a proxy in front of Domo), without the trailing slash. */
  private readonly basePath: string;
  private readonly dispatcher: Dispatcher;
  private readonly logger: Logger;
  private readonly maxResponseBytes: number;
  /** Credential-looking values among the configured headers, found once (not per call). */
  private readonly headerSecrets: readonly string[];
  /** The configured headers, or none: spread into every call's headers. */
  private readonly extraHeaders: Record<string, string> | undefined;

  constructor(private readonly options: DomoHttpOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    const base = new URL(this.baseUrl);
    this.origin = base.origin;
    this.basePath = base.pathname.replace(/\/+$/, '');
    this.dispatcher = options.dispatcher ?? createDispatcher({ connectTimeoutMs: 10_000, connections: 32 });
    this.logger = options.logger ?? silentLogger;
    this.maxResponseBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
    this.headerSecrets = secretHeaderValues(options.headers ?? {});
    this.extraHeaders = options.headers && Object.keys(options.headers).length ? options.headers : undefined;
  }

  url(request: Pick<DomoRequest, 'path' | 'query'>): string {
    return this.origin + this.target(request);
  }

  /** Path and query below the origin. Built by hand: two URL parses per call showed in profiles. */
  private target(request: Pick<DomoRequest, 'path' | 'query'>): string {
    let search = '';
    if (request.query) {
      const params = new URLSearchParams();
      for (const [key, value] of Object.entries(request.query)) {
        if (value !== undefined && value !== null) params.set(key, String(value));
      }
      const text = params.toString();
      if (text) search = `?${text}`;
    }
    return this.basePath + request.path + search;
  }

  /** Sends a request with the given credentials; resolves to the parsed JSON body (undefined when empty). */
  async request<T>(credentials: Credentials, request: DomoRequest, callerSignal?: AbortSignal): Promise<T> {
    // A request's own signal (a stream whose consumer left) cancels it as the caller's does.
    const signal =
      request.signal && callerSignal
        ? eitherSignal(callerSignal, request.signal)
        : (callerSignal ?? request.signal);
    if (request.read) return this.stream<T>(credentials, request, signal);
    return this.retrying(request, signal, (attempt, call) =>
      this.attempt<T>(credentials, request, attempt, signal, call),
    );
  }

  /**
   * Sends a request whose 2xx body is read as it arrives by `request.read()` (a fresh reader per
   * attempt), with the same retries, timeouts and errors as request(). When the reader has enough,
   * the response is aborted and its connection closed rather than reused. A body cut by a broken
   * connection is a `connection` error, retried as any for an idempotent request; a body that
   * arrived whole but cut or garbled is an `upstream` error, never retried (a repeat would get the
   * same answer).
   */
  async stream<T>(credentials: Credentials, request: DomoRequest, signal?: AbortSignal): Promise<T> {
    const read = request.read;
    if (!read) throw new TypeError('DomoHttp.stream needs request.read');
    let reader: BodyReader<T> | undefined;
    return this.retrying(
      request,
      signal,
      (attempt, call) => {
        reader = read(this.maxResponseBytes) as BodyReader<T>;
        return this.streamAttempt(credentials, request, reader, attempt, signal, call);
      },
      () => reader?.passedOn === true,
    );
  }

  private async retrying<T>(
    request: DomoRequest,
    signal: AbortSignal | undefined,
    run: (attempt: number, call: CallRecord) => Promise<T>,
    /** True when the failed attempt must not be repeated whatever its kind (bytes were passed on). */
    final?: () => boolean,
  ): Promise<T> {
    const { retry } = this.options;
    const attempts = request.idempotent ? retry.maxRetries + 1 : 1;
    // The request's scope (src/ops/scope.ts): its id and trace go to Domo, the call to its metrics.
    const scope = currentScope();
    const endpoint = endpointTemplate(request.path);
    const call: CallRecord = {
      status: 0,
      span: childSpan(scope, `${request.method} ${endpoint}`, {
        'http.request.method': request.method,
        'url.template': endpoint,
      }),
    };
    const started = performance.now();
    let throttled = false;
    const settle = (attempt: number, error?: unknown) => {
      const status = error instanceof DomoError ? (error.status ?? 0) : call.status;
      if (scope) {
        scope.upstreamCalls++;
        scope.retries += attempt - 1;
        if (throttled) scope.throttled++;
        scope.ops.emit({
          type: 'upstream',
          endpoint,
          method: request.method,
          status,
          durationMs: performance.now() - started,
          retries: attempt - 1,
          throttled,
        });
      }
      if (call.span) {
        call.span.setAttribute('http.response.status_code', status);
        call.span.setAttribute('domo.retries', attempt - 1);
        if (error !== undefined)
          call.span.setStatus({
            code: SpanStatusCode.ERROR,
            message: error instanceof DomoError ? error.kind : 'error',
          });
        call.span.end();
      }
    };
    for (let attempt = 1; ; attempt++) {
      try {
        const value = await run(attempt, call);
        settle(attempt);
        return value;
      } catch (error) {
        if (error instanceof DomoError && error.status === 429) throttled = true;
        if (!(error instanceof DomoError)) {
          settle(attempt, error);
          throw error;
        }
        if (attempt >= attempts || !isRetryable(error) || signal?.aborted || final?.()) {
          settle(attempt, error);
          throw error;
        }
        const delay = retryDelay(attempt, retry, error.retryAfterMs);
        this.logger.warn('upstream retry', {
          method: request.method,
          path: request.path,
          status: error.status,
          kind: error.kind,
          attempt,
          delayMs: delay,
        });
        try {
          await sleep(delay, undefined, { signal });
        } catch {
          settle(attempt, error);
          throw abortedError(request);
        }
      }
    }
  }

  private async attempt<T>(
    credentials: Credentials,
    request: DomoRequest,
    attempt: number,
    signal: AbortSignal | undefined,
    call?: CallRecord,
  ): Promise<T> {
    const where = { method: request.method, path: request.path };
    const secrets = this.secrets(credentials);
    const response = await this.send(credentials, request, attempt, signal, signal, call);
    const status = response.statusCode;
    const text = await this.readText(response, where, signal);
    const contentType = String(response.headers['content-type'] ?? '');
    if (status >= 200 && status < 300) {
      if (text.trim() === '') return undefined as T;
      try {
        // A successful answer reaches clients too (a commit's answer, a name): the same redaction.
        return JSON.parse(redactText(text, secrets)) as T;
      } catch {
        throw new DomoError({
          ...where,
          kind: 'upstream',
          status,
          secrets,
          message: looksLikeHtml(text, contentType)
            ? `Domo answered with an HTML page (${htmlTitle(text) ?? 'no title'}) instead of JSON`
            : 'Domo answered with a body that is not JSON',
        });
      }
    }
    throw statusError(status, text, contentType, response.headers['retry-after'], where, secrets);
  }

  /**
   * What a call sent that a server echoing it back must not see leave: the token, and any
   * credential-looking header beside it (src/errors/redact.ts).
   */
  private secrets(credentials: Credentials): string[] {
    return this.headerSecrets.length ? [credentials.token, ...this.headerSecrets] : [credentials.token];
  }

  /**
   * One attempt of a streamed request: a non-2xx (or an HTML page) is read and becomes a DomoError
   * as in attempt(); a 2xx body goes to the reader chunk by chunk.
   */
  private async streamAttempt<T>(
    credentials: Credentials,
    request: DomoRequest,
    reader: BodyReader<T>,
    attempt: number,
    signal: AbortSignal | undefined,
    call?: CallRecord,
  ): Promise<T> {
    const where = { method: request.method, path: request.path };
    // Our own signal too: aborting it once the reader has enough makes undici destroy the socket
    // (a connection with an unread body cannot be reused).
    const done = new AbortController();
    const forward = () => done.abort(signal?.reason);
    signal?.addEventListener('abort', forward, { once: true });
    try {
      const response = await this.send(credentials, request, attempt, signal, done.signal, call);
      const status = response.statusCode;
      const contentType = String(response.headers['content-type'] ?? '');
      if (status < 200 || status >= 300 || contentType.includes('text/html')) {
        const text = await this.readText(response, where, signal);
        if (status >= 200 && status < 300) {
          throw new DomoError({
            ...where,
            kind: 'upstream',
            status,
            secrets: this.secrets(credentials),
            message: `Domo answered with an HTML page (${htmlTitle(text) ?? 'no title'}) instead of JSON`,
          });
        }
        throw statusError(
          status,
          text,
          contentType,
          response.headers['retry-after'],
          where,
          this.secrets(credentials),
        );
      }
      return await readStreamed(response, reader, done, where, signal);
    } finally {
      signal?.removeEventListener('abort', forward);
    }
  }

  /** Reads a body whole, up to maxResponseBytes: past it a 2xx is `too_large`, an error body is cut. */
  private async readText(
    response: Dispatcher.ResponseData,
    where: { method: string; path: string },
    signal: AbortSignal | undefined,
  ): Promise<string> {
    const status = response.statusCode;
    try {
      const cut = status < 200 || status >= 300;
      return await readBounded(response.body, response.headers['content-length'], this.maxResponseBytes, cut);
    } catch (error) {
      if (error instanceof BodyReadError)
        throw new DomoError({ ...where, kind: error.kind, status, message: error.message });
      throw transportError(error, where, signal);
    }
  }

  /** Sends one attempt and waits for the response headers; transport failures become DomoErrors. */
  private async send(
    credentials: Credentials,
    request: DomoRequest,
    attempt: number,
    signal: AbortSignal | undefined,
    requestSignal: AbortSignal | undefined = signal,
    call?: CallRecord,
  ): Promise<Dispatcher.ResponseData> {
    if (signal?.aborted) throw abortedError(request);
    this.options.onAttempt?.(request, attempt);
    // One object per call (undici keeps it): no intermediate spread of the auth headers.
    const headers: Record<string, string> = this.extraHeaders
      ? { accept: request.accept ?? 'application/json', ...this.extraHeaders }
      : { accept: request.accept ?? 'application/json' };
    // X-Request-Id and traceparent, so Domo's side of a call can be found from ours.
    const scope = currentScope();
    if (scope) Object.assign(headers, upstreamHeaders(scope, call?.span));
    headers[credentials.kind === 'developer' ? DEVELOPER_TOKEN_HEADER : SESSION_TOKEN_HEADER] =
      credentials.token;
    let body: string | Uint8Array | readonly Uint8Array[] | undefined;
    if (request.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(request.json);
    } else if (request.body) {
      headers['content-type'] = request.body.contentType;
      body = request.body.data;
      if (Array.isArray(body)) {
        // undici sends an iterable chunked unless told its length; parts go with a Content-Length.
        let length = 0;
        for (const chunk of body as readonly Uint8Array[]) length += chunk.byteLength;
        headers['content-length'] = String(length);
      }
    }
    const where = { method: request.method, path: request.path };
    let response: Dispatcher.ResponseData;
    try {
      response = await this.dispatcher.request({
        origin: this.origin,
        path: this.target(request),
        method: request.method,
        headers,
        // undici documents Iterable bodies (Dispatcher.md) though its typings omit them.
        body: body as Dispatcher.DispatchOptions['body'],
        signal: requestSignal,
        headersTimeout: this.options.headersTimeoutMs,
        bodyTimeout: this.options.bodyTimeoutMs,
      });
    } catch (error) {
      throw transportError(error, where, signal);
    }
    if (call) call.status = response.statusCode;
    return response;
  }
}
