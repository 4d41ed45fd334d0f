/**
 * Settings of what an operator watches (src/ops/observe.ts): Prometheus metrics and OpenTelemetry
 * traces. Read by opsSettings (config-ops.ts), every name unconditionally.
 */
import { ConfigError, type Env, flag, integer, text } from './config-values.ts';

export interface ObserveSettings {
  metrics: {
    /** METRICS_ENABLED (default true): `/metrics` is served. */
    enabled: boolean;
    /** METRICS_TOKEN: `/metrics` answers only `Authorization: Bearer <token>`; null: anyone who reaches it. */
    token: string | null;
    /** METRICS_PORT: a listener of its own (on HOST) for `/metrics`; null: the gateway's port. */
    port: number | null;
  };
  tracing: {
    /** OTEL_EXPORTER_OTLP_ENDPOINT: the collector's base URL (spans go to `<url>/v1/traces`); null: off. */
    endpoint: string | null;
  };
}

export function observeSettings(env: Env): ObserveSettings {
  const enabledRaw = text(env, 'METRICS_ENABLED');
  const enabled = enabledRaw === undefined ? true : flag(env, 'METRICS_ENABLED');
  const token = text(env, 'METRICS_TOKEN') ?? null;
  if (token !== null && token.length < 16) {
    throw new ConfigError('METRICS_TOKEN must be at least 16 characters (a random string)');
  }
  const portRaw = text(env, 'METRICS_PORT');
  const port = portRaw === undefined ? null : integer(env, 'METRICS_PORT', 0, 0, 65535);
  if (!enabled && (token !== null || port !== null)) {
    throw new ConfigError('METRICS_TOKEN and METRICS_PORT need METRICS_ENABLED=true');
  }
  return { metrics: { enabled, token, port }, tracing: { endpoint: otlpEndpoint(env) } };
}

function otlpEndpoint(env: Env): string | null {
  const name = 'OTEL_EXPORTER_OTLP_ENDPOINT';
  const raw = text(env, 'OTEL_EXPORTER_OTLP_ENDPOINT');
  if (raw === undefined) return null;
  let url: URL | undefined;
  try {
    url = new URL(raw);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.search || url.hash) {
    throw new ConfigError(`${name} must be an http:// or https:// URL, such as http://127.0.0.1:4318`);
  }
  return raw.replace(/\/+$/, '');
}
