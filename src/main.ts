/**
 * Entry: config → sandbox (when no Domo is configured) → gateway → graceful shutdown (the drain
 * itself is createGateway's; this file only bounds what comes after it, so the process always exits).
 */
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { type Config, ConfigError, loadConfig } from './config.ts';
import type { Credentials } from './domo/auth.ts';
import { createDomoClient } from './domo/client.ts';
import { createDispatcher, DomoHttp } from './domo/http.ts';
import { schema } from './graph/schema.ts';
import { readColumns, TypedSchemas } from './graph/types/rows/typed-registry.ts';
import { createLogger, type Logger } from './log.ts';
import { routeConsole } from './ops/console.ts';
import type { Sandbox } from './sandbox/server.ts';
import { createGateway } from './server.ts';

async function main() {
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  routeConsole(logger);

  let sandbox: Sandbox | undefined;
  let baseUrl = config.domoBaseUrl;
  let serverCredentials = config.serverCredentials;
  let exampleTabs: Array<{ query: string }> | undefined;
  let typedDatasets = config.rows.typedDatasets;
  if (!baseUrl) {
    // No Domo configured: run the built-in sandbox and use its token as the server's credentials.
    // Imported here only: the sandbox (and example.ts, which reads its seed ids) pulls in DuckDB,
    // tens of MB of native code a gateway in front of Domo must not carry.
    const { createSandbox } = await import('./sandbox/server.ts');
    const example = await import('./example.ts');
    exampleTabs = example.exampleTabs;
    typedDatasets ??= example.DEMO_TYPED_DATASETS;
    sandbox = await createSandbox({ ...config.sandbox, host: '127.0.0.1', recordRequests: false });
    baseUrl = sandbox.url;
    serverCredentials = { kind: 'developer', token: sandbox.token };
    // warn, not info: whoever reads the log must see that the graph serves demo data, not Domo's.
    logger.warn('upstream is the built-in sandbox (demo data, not Domo)', {
      url: sandbox.url,
      data: config.sandbox.dbPath ?? 'in memory',
      why: config.nodeEnv === 'production' ? 'SANDBOX=true' : 'no DOMO_INSTANCE or DOMO_BASE_URL is set',
    });
  }

  const dispatcher = createDispatcher({
    connectTimeoutMs: config.upstream.connectTimeoutMs,
    connections: config.upstream.connections,
  });
  const http = new DomoHttp({
    baseUrl,
    dispatcher,
    logger,
    headersTimeoutMs: config.upstream.headersTimeoutMs,
    bodyTimeoutMs: config.upstream.bodyTimeoutMs,
    maxResponseBytes: config.upstream.maxResponseBytes,
    retry: {
      maxRetries: config.upstream.maxRetries,
      baseMs: config.upstream.retryBaseMs,
      maxDelayMs: config.upstream.retryMaxDelayMs,
    },
    headers: { 'user-agent': 'domo-graph/0.1' },
  });
  // FEDERATION=true: the subgraph schema, without typed roots (their SDL would be missing from
  // `_service { sdl }`, so a router could never plan them).
  const federated = config.federation ? (await import('./graph/federation.ts')).subgraphSchema() : undefined;
  if (federated && config.rows.typedDatasets?.length)
    logger.warn('typed roots are not served with FEDERATION=true');
  const typed = federated
    ? undefined
    : await startTypedSchemas(typedDatasets ?? [], http, serverCredentials, config, logger);
  const gateway = createGateway({
    config: { ...config, serverCredentials },
    http,
    logger,
    exampleTabs,
    schema: federated ?? (typed && (() => typed.current())),
  });
  const { server } = gateway;
  server.listen(config.port, config.host);
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  const url = `http://${host === '0.0.0.0' || host === '[::]' ? 'localhost' : host}:${port}/graphql`;
  const { metricsServer } = gateway.observer;
  let metrics: string | null = config.ops.observe.metrics.enabled
    ? url.replace(/\/graphql$/, '/metrics')
    : null;
  if (metricsServer) {
    metricsServer.listen(config.ops.observe.metrics.port ?? 0, config.host);
    await once(metricsServer, 'listening');
    metrics = url.replace(/:\d+\/graphql$/, `:${(metricsServer.address() as AddressInfo).port}/metrics`);
  }
  logger.info('domo-graph ready', {
    graphql: url,
    upstream: sandbox ? `sandbox at ${sandbox.url} (demo data)` : baseUrl,
    credentials: serverCredentials ? `server ${serverCredentials.kind} token` : 'forwarded from callers only',
    // Who may call: an operator should see at a glance that an exposed gateway checks its callers.
    gatewayAuth: config.gatewayAuth
      ? [config.gatewayAuth.apiKeys.length ? 'api keys' : null, config.gatewayAuth.jwt ? 'jwt' : null]
          .filter(Boolean)
          .join(' + ')
      : 'off (anonymous callers)',
    metrics: metrics ?? 'off',
    tracing: config.ops.observe.tracing.endpoint ? 'otlp/http' : 'off',
  });
  process.stdout.write(`\ndomo-graph is running: open ${url} for GraphiQL\n\n`);

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) {
      // A second signal (Ctrl-C again): stop now.
      process.exit(1);
    }
    stopping = true;
    const timeoutMs = config.server.shutdownTimeoutMs;
    logger.info('shutting down', { signal, timeoutMs });
    // Whatever hangs below (a stuck upstream socket, an engine that ignores interrupts), exit anyway.
    setTimeout(() => process.exit(1), timeoutMs + 10_000).unref();
    const { cut } = await gateway.drain(timeoutMs);
    if (cut > 0) logger.warn('requests cut at shutdown', { cut, timeoutMs });
    await within(dispatcher.close(), 2_000).catch(() => dispatcher.destroy());
    await within(sandbox?.close() ?? Promise.resolve(), 5_000).catch(() => undefined);
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
}

/** `promise`, or a rejection after `ms`. */
function within<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`not done within ${ms} ms`)), ms);
  });
  return Promise.race([promise, expired]).finally(() => clearTimeout(timer));
}

/**
 * Typed roots for pinned datasets: their schemas read now with the server's credentials, and again
 * every TYPED_RELOAD_SECONDS and on SIGHUP, so a column added in Domo appears without a restart.
 */
async function startTypedSchemas(
  datasets: Array<{ name: string; datasetId: string }>,
  http: DomoHttp,
  credentials: Credentials | null,
  config: Config,
  logger: Logger,
): Promise<TypedSchemas | undefined> {
  if (datasets.length === 0) return undefined;
  const client = createDomoClient(http, { credentials });
  const typed = new TypedSchemas(
    schema,
    datasets,
    (id) => readColumns(client, id),
    (d, error) =>
      logger.warn('typed dataset schema not read', {
        dataset: d.name,
        error: error instanceof Error ? error.message : String(error),
      }),
  );
  await typed.reload();
  const reload = (why: string) =>
    void typed.reload().then((changed) => changed && logger.info('typed datasets reloaded', { why }));
  if (config.rows.reloadSeconds > 0)
    setInterval(() => reload('interval'), config.rows.reloadSeconds * 1000).unref();
  process.on('SIGHUP', () => reload('SIGHUP'));
  logger.info('typed datasets', { roots: typed.snapshot().map((d) => d.name) });
  return typed;
}

main().catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(
    `${error instanceof ConfigError ? 'configuration error: ' : 'failed to start: '}${message}\n`,
  );
  process.exit(1);
});
