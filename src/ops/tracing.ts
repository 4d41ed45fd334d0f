/**
 * OpenTelemetry traces, off unless OTEL_EXPORTER_OTLP_ENDPOINT is set: spans go over OTLP/HTTP
 * (JSON) to `<endpoint>/v1/traces` in batches. A provider of the gateway's own (not registered
 * globally), so two gateways in one process keep apart; its tracer makes the request span
 * (src/ops/observe.ts) and the upstream call spans (src/domo/http.ts, through the request scope).
 * Spans carry names, templates, statuses and counts only: no variables, results, SQL or headers.
 */
import type { Tracer } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';

export interface Tracing {
  tracer: Tracer;
  /** Sends what is buffered. */
  flush(): Promise<void>;
  /** Sends what is buffered and stops. */
  close(): Promise<void>;
}

export function createTracing(endpoint: string, serviceVersion = '0.1.0'): Tracing {
  const exporter = new OTLPTraceExporter({ url: `${endpoint}/v1/traces` });
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'domo-graph', 'service.version': serviceVersion }),
    spanProcessors: [new BatchSpanProcessor(exporter, { scheduledDelayMillis: 2_000 })],
  });
  return {
    tracer: provider.getTracer('domo-graph'),
    flush: () => provider.forceFlush(),
    close: () => provider.shutdown(),
  };
}
