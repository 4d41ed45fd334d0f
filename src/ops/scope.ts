/**
 * What one request carries from the door to every upstream call it makes, without passing it
 * through each function: its request id, its W3C trace context, the span upstream calls hang under,
 * and the tallies its log line reports (upstream calls, retries, throttles, cache outcome, error
 * codes). Node's AsyncLocalStorage follows it through every await, so DomoHttp (src/domo/http.ts)
 * finds it with `currentScope()` on any transport (yoga's lane and the lean lane alike).
 * Pure Node: nothing of GraphQL, so src/domo may import it.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomFillSync, randomUUID } from 'node:crypto';
import { ROOT_CONTEXT, type Span, SpanKind, type Tracer, trace } from '@opentelemetry/api';
import type { CacheOutcome, OpsSink } from './events.ts';

export interface RequestScope {
  requestId: string;
  /** The caller's trace (from its `traceparent`), or a fresh one: 32 hex digits. */
  traceId: string;
  /** The caller's span id when it sent a traceparent (our spans' parent). */
  parentSpanId?: string;
  /** The caller's trace flags, two hex digits (`01`: sampled). */
  traceFlags: string;
  /** The span upstream calls are children of, and the tracer that makes them (tracing on). */
  span?: Span;
  tracer?: Tracer;
  /** Where this request's upstream calls are reported (the gateway's sink). */
  ops: OpsSink;
  /** Filled as the request runs; read by its log line. */
  operation?: { name: string | undefined; type: string };
  callerId?: string;
  upstreamCalls: number;
  retries: number;
  throttled: number;
  cache?: CacheOutcome;
  errorCodes: Set<string>;
}

const storage = new AsyncLocalStorage<RequestScope>();

export function currentScope(): RequestScope | undefined {
  return storage.getStore();
}

export function runInScope<T>(scope: RequestScope, fn: () => T): T {
  return storage.run(scope, fn);
}

/**
 * Random hex ids (trace and span ids) cut from a pool refilled 4 KB at a time: one syscall for
 * hundreds of ids instead of one per id (crypto.randomUUID buffers the same way).
 */
const POOL = Buffer.alloc(4096);
let poolAt = POOL.length;
function randomHex(bytes: number): string {
  if (poolAt + bytes > POOL.length) {
    randomFillSync(POOL);
    poolAt = 0;
  }
  const hex = POOL.toString('hex', poolAt, poolAt + bytes);
  poolAt += bytes;
  return hex;
}

type HeaderValue = string | string[] | undefined;
const first = (value: HeaderValue) => (Array.isArray(value) ? value[0] : value);

/** A request id we echo and pass on: printable, no spaces or separators that break a log or header. */
const REQUEST_ID = /^[A-Za-z0-9._:@/+=-]{1,128}$/;
/** W3C Trace Context: version 00, non-zero trace and parent ids, two hex flag digits. */
const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

export interface TraceParent {
  traceId: string;
  spanId: string;
  flags: string;
}

export function parseTraceparent(value: string | undefined): TraceParent | undefined {
  const m = value ? TRACEPARENT.exec(value.trim()) : null;
  if (!m) return undefined;
  const [, version, traceId, spanId, flags] = m as unknown as [string, string, string, string, string];
  if (version === 'ff' || /^0+$/.test(traceId) || /^0+$/.test(spanId)) return undefined;
  return { traceId, spanId, flags };
}

export function validRequestId(value: string | undefined): string | undefined {
  const id = value?.trim();
  return id && REQUEST_ID.test(id) ? id : undefined;
}

/** A new scope from a request's headers: its X-Request-Id and traceparent when valid, fresh ones otherwise. */
export function scopeFromHeaders(headers: Record<string, HeaderValue>, ops: OpsSink): RequestScope {
  const parent = parseTraceparent(first(headers.traceparent));
  const requestId = validRequestId(first(headers['x-request-id'])) ?? parent?.traceId ?? randomUUID();
  return {
    requestId,
    traceId: parent?.traceId ?? randomHex(16),
    parentSpanId: parent?.spanId,
    traceFlags: parent?.flags ?? '00',
    ops,
    upstreamCalls: 0,
    retries: 0,
    throttled: 0,
    errorCodes: new Set(),
  };
}

/**
 * The headers an upstream call carries: the request id, and a traceparent whose parent is the
 * call's own span when tracing is on (else a fresh span id in the caller's trace).
 */
export function upstreamHeaders(scope: RequestScope, span: Span | undefined): Record<string, string> {
  const context = span?.spanContext();
  const traceparent = context
    ? `00-${context.traceId}-${context.spanId}-${context.traceFlags.toString(16).padStart(2, '0')}`
    : `00-${scope.traceId}-${randomHex(8)}-${scope.traceFlags}`;
  return { 'x-request-id': scope.requestId, traceparent };
}

/** A child of the request's span (tracing on), or undefined. */
export function childSpan(
  scope: RequestScope | undefined,
  name: string,
  attributes: Record<string, string | number>,
): Span | undefined {
  if (!scope?.tracer || !scope.span) return undefined;
  return scope.tracer.startSpan(
    name,
    { kind: SpanKind.CLIENT, attributes },
    trace.setSpan(ROOT_CONTEXT, scope.span),
  );
}
