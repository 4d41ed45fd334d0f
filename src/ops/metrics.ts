/**
 * Prometheus metrics of one gateway (prom-client, on a registry of its own so two gateways in one
 * process never mix figures): operations by name, type and outcome with their latency, HTTP
 * requests in flight and by route, upstream calls by endpoint template, method and status with
 * their latency, retries and throttles, upload and export bytes and rows, cache outcomes, rate
 * limits, and Node's own (event loop lag, heap, GC). Fed by the OpsSink events features already
 * emit (src/ops/events.ts) and by the request observer (src/ops/observe.ts).
 * Every label value comes from a bounded set: operation names are capped (the first
 * MAX_OPERATION_NAMES distinct valid names, then `other`), endpoints are templates
 * (src/domo/endpoint.ts), routes and outcomes fixed words. No token, id value or SQL text.
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { OpsEvent, OpsSink } from './events.ts';

/** Distinct operation names given a label of their own; later names count as `other`. */
export const MAX_OPERATION_NAMES = 100;
const GRAPHQL_NAME = /^[_A-Za-z][_0-9A-Za-z]{0,63}$/;
const OPERATION_TYPES = new Set(['query', 'mutation', 'subscription']);
const SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export type Route = 'graphql' | 'upload' | 'export' | 'other';

export interface Metrics {
  registry: Registry;
  sink: OpsSink;
  /** A request entered (`+1`) or left (`-1`) the gateway. */
  inFlight(delta: 1 | -1): void;
  http(route: Route, status: number): void;
  operation(name: string | undefined, type: string | undefined, ok: boolean, seconds: number): void;
  /** The exposition text and its content type. */
  render(): Promise<{ contentType: string; body: string }>;
}

/** An operation's name as a label: a valid GraphQL name among the first `max` seen, else a fixed word. */
export function operationLabel(
  seen: Set<string>,
  name: string | undefined,
  max = MAX_OPERATION_NAMES,
): string {
  if (!name) return 'anonymous';
  if (!GRAPHQL_NAME.test(name)) return 'invalid';
  if (seen.has(name)) return name;
  if (seen.size >= max) return 'other';
  seen.add(name);
  return name;
}

const statusLabel = (status: number) =>
  Number.isInteger(status) && status >= 100 && status <= 599 ? String(status) : '0';

export function createMetrics(
  options: { defaultMetrics?: boolean; maxOperationNames?: number } = {},
): Metrics {
  const registry = new Registry();
  const registers = [registry];
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: 'domo_graph_' });
  const names = new Set<string>();
  const max = options.maxOperationNames ?? MAX_OPERATION_NAMES;

  const operations = new Counter({
    name: 'domo_graph_operations_total',
    help: 'GraphQL operations by name, type and outcome (ok or error)',
    labelNames: ['name', 'type', 'outcome'],
    registers,
  });
  const operationSeconds = new Histogram({
    name: 'domo_graph_operation_duration_seconds',
    help: 'GraphQL operation latency, from the request to the last byte of its answer',
    labelNames: ['name', 'type'],
    buckets: SECONDS,
    registers,
  });
  const inFlight = new Gauge({
    name: 'domo_graph_http_requests_in_flight',
    help: 'HTTP requests being served',
    registers,
  });
  const httpRequests = new Counter({
    name: 'domo_graph_http_requests_total',
    help: 'HTTP requests by route and status',
    labelNames: ['route', 'status'],
    registers,
  });
  const upstream = new Counter({
    name: 'domo_graph_upstream_requests_total',
    help: 'Calls to Domo by endpoint template, method and final status (0: no answer)',
    labelNames: ['endpoint', 'method', 'status'],
    registers,
  });
  const upstreamSeconds = new Histogram({
    name: 'domo_graph_upstream_duration_seconds',
    help: 'Latency of calls to Domo, retries included',
    labelNames: ['endpoint', 'method'],
    buckets: SECONDS,
    registers,
  });
  const retries = new Counter({
    name: 'domo_graph_upstream_retries_total',
    help: 'Repeated attempts of calls to Domo',
    labelNames: ['endpoint', 'method'],
    registers,
  });
  const throttles = new Counter({
    name: 'domo_graph_upstream_throttled_total',
    help: 'Calls to Domo that were answered 429 at least once',
    labelNames: ['endpoint', 'method'],
    registers,
  });
  const uploadBytes = new Counter({
    name: 'domo_graph_upload_bytes_total',
    help: 'CSV bytes uploaded',
    registers,
  });
  const uploadRows = new Counter({ name: 'domo_graph_upload_rows_total', help: 'Rows uploaded', registers });
  const exportBytes = new Counter({
    name: 'domo_graph_export_bytes_total',
    help: 'Bytes exported, by format',
    labelNames: ['format'],
    registers,
  });
  const exportRows = new Counter({
    name: 'domo_graph_export_rows_total',
    help: 'Rows exported, by format',
    labelNames: ['format'],
    registers,
  });
  const cache = new Counter({
    name: 'domo_graph_cache_total',
    help: 'Response cache lookups by outcome (hit, miss, bypass)',
    labelNames: ['outcome'],
    registers,
  });
  const rateLimited = new Counter({
    name: 'domo_graph_rate_limited_total',
    help: 'Operations refused by a rate limit, by scope (caller, upstream)',
    labelNames: ['scope'],
    registers,
  });

  const method = (m: string) => (/^[A-Z]{3,7}$/.test(m) ? m : 'OTHER');
  const format = (f: string) => (f === 'csv' || f === 'ndjson' ? f : 'other');
  const sink: OpsSink = {
    emit(event: OpsEvent) {
      switch (event.type) {
        case 'upstream': {
          const labels = { endpoint: event.endpoint, method: method(event.method) };
          upstream.inc({ ...labels, status: statusLabel(event.status) });
          upstreamSeconds.observe(labels, event.durationMs / 1000);
          if (event.retries > 0) retries.inc(labels, event.retries);
          if (event.throttled) throttles.inc(labels);
          return;
        }
        case 'cache':
          return cache.inc({ outcome: event.outcome });
        case 'upload':
          uploadBytes.inc(event.bytes);
          uploadRows.inc(event.rows);
          return;
        case 'export':
          exportBytes.inc({ format: format(event.format) }, event.bytes);
          exportRows.inc({ format: format(event.format) }, event.rows);
          return;
        case 'rate-limited':
          return rateLimited.inc({ scope: event.scope });
      }
    },
  };

  return {
    registry,
    sink,
    inFlight: (delta) => inFlight.inc(delta),
    http: (route, status) => httpRequests.inc({ route, status: statusLabel(status) }),
    operation(name, type, ok, seconds) {
      const labels = {
        name: operationLabel(names, name, max),
        type: type && OPERATION_TYPES.has(type) ? type : 'unknown',
      };
      operations.inc({ ...labels, outcome: ok ? 'ok' : 'error' });
      operationSeconds.observe(labels, seconds);
    },
    render: async () => ({ contentType: registry.contentType, body: await registry.metrics() }),
  };
}

/** Every sink given, in order. */
export function fanOut(...sinks: OpsSink[]): OpsSink {
  return {
    emit(event) {
      for (const sink of sinks) sink.emit(event);
    },
  };
}
