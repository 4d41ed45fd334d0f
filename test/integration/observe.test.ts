/**
 * Request logs, metrics and traces on the real gateway: in front of the real sandbox (1,000
 * distinct operation names and dataset ids, then the series counted; spans received by a loopback
 * OTLP/HTTP collector and decoded), and in front of a scripted loopback upstream that answers 429
 * once, to see the request id and traceparent Domo gets and the retry and throttle counted.
 */
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ObserveSettings } from '../../src/config-observe.ts';
import { createDispatcher, DomoHttp } from '../../src/domo/http.ts';
import { DEFAULT_LIMITS } from '../../src/graph/limits.ts';
import { createLogger } from '../../src/log.ts';
import { createGateway, type Gateway } from '../../src/server.ts';
import { fakeUpstream, json } from '../helpers/fake-upstream.ts';
import { testLane } from '../helpers/lane.ts';
import { SANDBOX_TOKEN, type Stack, startStack } from '../helpers/stack.ts';

const SALES = '3f5a1b2c-7d4e-4f60-9a8b-1c2d3e4f5a60';

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  attributes: Array<{ key: string; value: { stringValue?: string; intValue?: number | string } }>;
}

/** A stand-in OTLP/HTTP collector: keeps every span POSTed to /v1/traces (JSON encoding). */
async function collector(): Promise<{ url: string; spans: OtlpSpan[]; bodies: string[]; server: Server }> {
  const spans: OtlpSpan[] = [];
  const bodies: string[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => {
      if (req.method === 'POST' && req.url === '/v1/traces') {
        bodies.push(body);
        const decoded = JSON.parse(body) as {
          resourceSpans: Array<{ scopeSpans: Array<{ spans: OtlpSpan[] }> }>;
        };
        for (const r of decoded.resourceSpans) for (const s of r.scopeSpans) spans.push(...s.spans);
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, spans, bodies, server };
}

const attr = (span: OtlpSpan, key: string) => {
  const value = span.attributes.find((a) => a.key === key)?.value;
  return value?.stringValue ?? (value?.intValue === undefined ? undefined : Number(value.intValue));
};

const observe = (
  endpoint: string | null,
  metrics: Partial<ObserveSettings['metrics']> = {},
): ObserveSettings => ({
  metrics: { enabled: true, token: null, port: null, ...metrics },
  tracing: { endpoint },
});

async function post(url: string, query: string, headers: Record<string, string> = {}) {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-domo-developer-token': SANDBOX_TOKEN, ...headers },
    body: JSON.stringify({ query }),
  });
  return { response, body: (await response.json()) as { data?: unknown; errors?: unknown[] } };
}

describe('observability in front of the sandbox', () => {
  let stack: Stack;
  let otlp: Awaited<ReturnType<typeof collector>>;
  const logs: string[] = [];

  beforeAll(async () => {
    otlp = await collector();
    stack = await startStack({
      ops: { observe: observe(otlp.url) },
      logger: createLogger('info', (line) => logs.push(line)),
    });
  });
  afterAll(async () => {
    await stack.close();
    otlp.server.close();
  });

  it('writes one JSON line per operation, reusing a valid X-Request-Id and echoing it', async () => {
    const { response } = await post(
      stack.gatewayUrl,
      `query SalesName { dataset(id: "${SALES}") { name } }`,
      {
        'x-request-id': 'obs-test-1',
      },
    );
    expect(response.headers.get('x-request-id')).toBe('obs-test-1');
    const line = logs.map((l) => JSON.parse(l)).find((l) => l.requestId === 'obs-test-1');
    expect(line).toMatchObject({
      level: 'info',
      message: 'operation',
      operation: 'SalesName',
      operationType: 'query',
      status: 200,
      route: 'graphql',
      errors: [],
      upstream: { calls: 1, retries: 0, throttled: 0 },
    });
    expect(line.caller).toMatch(/^[0-9a-f]{64}$/);
    expect(typeof line.durationMs).toBe('number');
    for (const l of logs) expect(l).not.toContain(SANDBOX_TOKEN);
  });

  it('names the error codes of an operation, validation failures included', async () => {
    const missing = `query Missing { dataset(id: "00000000-0000-4000-8000-000000000998") { name } }`;
    await post(stack.gatewayUrl, missing, { 'x-request-id': 'codes-missing' });
    await post(stack.gatewayUrl, '{ noSuchField }', { 'x-request-id': 'codes-invalid' });
    const line = (id: string) => logs.map((l) => JSON.parse(l)).find((l) => l.requestId === id);
    expect(line('codes-missing')).toMatchObject({ operation: 'Missing', errors: ['NOT_FOUND'] });
    expect(line('codes-invalid')).toMatchObject({ errors: ['GRAPHQL_VALIDATION_FAILED'] });
    const text = await (await fetch(`${stack.gatewayUrl}/metrics`)).text();
    expect(text).toContain('domo_graph_operations_total{name="Missing",type="query",outcome="error"} 1');
  });

  it('replaces an invalid X-Request-Id, and takes the trace id of a valid traceparent', async () => {
    const bad = await post(stack.gatewayUrl, '{ datasets(first: 1) { totalCount } }', {
      'x-request-id': 'no spaces allowed\there',
    });
    expect(bad.response.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const traced = await post(stack.gatewayUrl, 'query Traced { datasets(first: 1) { totalCount } }', {
      traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
    });
    expect(traced.response.headers.get('x-request-id')).toBe('0af7651916cd43dd8448eb211c80319c');
    await stack.gateway.observer.flush();
    const spans = otlp.spans.filter((s) => s.traceId === '0af7651916cd43dd8448eb211c80319c');
    const root = spans.find((s) => s.name === 'query Traced');
    expect(root?.parentSpanId).toBe('b7ad6b7169203331');
    const upstream = spans.filter((s) => s.parentSpanId === root?.spanId);
    expect(upstream.length).toBeGreaterThan(0);
    expect(attr(upstream[0]!, 'url.template')).toBe('/api/data/v3/datasources');
    expect(attr(upstream[0]!, 'http.response.status_code')).toBe(200);
    expect(attr(upstream[0]!, 'domo.retries')).toBe(0);
    expect(attr(root!, 'graphql.operation.name')).toBe('Traced');
  });

  it('keeps variables, SQL, results and tokens out of spans', async () => {
    const sql = 'SELECT COUNT(*) AS secret_alias_9f8e FROM table';
    const response = await fetch(`${stack.gatewayUrl}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-domo-developer-token': SANDBOX_TOKEN },
      body: JSON.stringify({
        query: 'query Q($id: ID!, $sql: String!) { sql(datasetId: $id, sql: $sql) { columns { name } } }',
        variables: { id: SALES, sql },
      }),
    });
    expect(await response.json()).toEqual({ data: { sql: { columns: [{ name: 'secret_alias_9f8e' }] } } });
    await stack.gateway.observer.flush();
    const all = otlp.bodies.join('\n');
    expect(all).toContain('/api/query/v1/execute/{id}');
    expect(all).not.toContain('secret_alias_9f8e');
    expect(all).not.toContain(SANDBOX_TOKEN);
    expect(all).not.toContain(SALES);
  });

  it('writes a line for exports and uploads, with their error codes, and counts export bytes and rows', async () => {
    const auth = { 'x-domo-developer-token': SANDBOX_TOKEN };
    const csv = await fetch(`${stack.gatewayUrl}/v1/datasets/${SALES}/export?format=csv`, {
      headers: { ...auth, 'x-request-id': 'export-ok' },
    });
    expect(csv.status).toBe(200);
    const bytes = (await csv.arrayBuffer()).byteLength;
    const missing = await fetch(
      `${stack.gatewayUrl}/v1/datasets/00000000-0000-4000-8000-000000000999/export?format=ndjson`,
      { headers: { ...auth, 'x-request-id': 'export-missing' } },
    );
    expect(missing.status).toBe(404);
    await missing.text();
    const upload = await fetch(`${stack.gatewayUrl}/v1/datasets/${SALES}/upload?mode=sideways`, {
      method: 'PUT',
      headers: { ...auth, 'content-type': 'text/csv', 'x-request-id': 'upload-bad' },
      body: 'a\n1\n',
    });
    expect(upload.status).toBe(400);
    await upload.text();
    const lines = logs.map((l) => JSON.parse(l));
    const line = (id: string) => lines.find((l) => l.requestId === id);
    await expect.poll(() => line('upload-bad')).toBeDefined();
    expect(line('export-ok')).toMatchObject({ message: 'export', route: 'export', status: 200, errors: [] });
    expect(line('export-ok').upstream.calls).toBeGreaterThan(0);
    expect(line('export-ok').caller).toMatch(/^[0-9a-f]{64}$/);
    expect(line('export-missing')).toMatchObject({ route: 'export', status: 404, errors: ['NOT_FOUND'] });
    expect(line('upload-bad')).toMatchObject({ route: 'upload', status: 400, errors: ['BAD_USER_INPUT'] });
    const text = await (await fetch(`${stack.gatewayUrl}/metrics`)).text();
    const exported = Number(/domo_graph_export_bytes_total\{format="csv"\} (\d+)/.exec(text)?.[1]);
    expect(exported).toBe(bytes);
    expect(Number(/domo_graph_export_rows_total\{format="csv"\} (\d+)/.exec(text)?.[1])).toBeGreaterThan(0);
  });

  it('keeps 1,000 distinct operation names and dataset ids in bounded series', {
    timeout: 120_000,
  }, async () => {
    const ids = Array.from(
      { length: 1000 },
      (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    );
    let next = 0;
    const worker = async () => {
      while (next < ids.length) {
        const i = next++;
        await post(stack.gatewayUrl, `query Op${i} { dataset(id: "${ids[i]}") { name } }`);
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));
    const text = await (await fetch(`${stack.gatewayUrl}/metrics`)).text();
    const series = (name: string) => text.split('\n').filter((l) => l.startsWith(`${name}{`));
    const operations = series('domo_graph_operations_total');
    expect(operations.length).toBeGreaterThan(50);
    expect(operations.length).toBeLessThanOrEqual(2 * 101 + 10);
    expect(text).toMatch(/domo_graph_operations_total\{name="other",type="query",outcome="(ok|error)"\} \d+/);
    const upstream = series('domo_graph_upstream_requests_total');
    expect(upstream.length).toBeLessThan(10);
    expect(upstream.some((l) => l.includes('endpoint="/api/data/v3/datasources/{id}"'))).toBe(true);
    for (const id of ids.slice(0, 50)) expect(text).not.toContain(id);
    expect(text).not.toContain(SANDBOX_TOKEN);
    expect(text).toContain('domo_graph_nodejs_eventloop_lag_seconds');
    expect(text).toContain('domo_graph_nodejs_heap_size_used_bytes');
    expect(text).toMatch(/domo_graph_http_requests_in_flight \d/);
  });
});

describe('observability in front of a scripted upstream', () => {
  let gateway: Gateway;
  let url: string;
  let fake: Awaited<ReturnType<typeof fakeUpstream>>;
  let otlp: Awaited<ReturnType<typeof collector>>;
  let dispatcher: ReturnType<typeof createDispatcher>;
  const logs: string[] = [];
  let calls = 0;

  beforeAll(async () => {
    otlp = await collector();
    fake = await fakeUpstream(() =>
      ++calls === 1
        ? json(429, { status: 429, message: 'slow down' }, { 'retry-after': '0' })
        : json(200, { id: SALES, name: 'Sales' }),
    );
    dispatcher = createDispatcher({ connectTimeoutMs: 2_000, connections: 4 });
    const logger = createLogger('info', (line) => logs.push(line));
    const upstream = {
      connectTimeoutMs: 2_000,
      headersTimeoutMs: 5_000,
      bodyTimeoutMs: 5_000,
      maxRetries: 2,
      retryBaseMs: 1,
      retryMaxDelayMs: 5,
      connections: 4,
      maxConcurrencyPerRequest: 4,
      maxCallsPerRequest: 500,
    };
    const http = new DomoHttp({
      baseUrl: fake.url,
      dispatcher,
      logger,
      retry: { maxRetries: 2, baseMs: 1, maxDelayMs: 5 },
      headersTimeoutMs: 5_000,
      bodyTimeoutMs: 5_000,
    });
    gateway = createGateway({
      config: {
        serverCredentials: { kind: 'developer', token: 'server-token-for-observe-test' },
        upstream,
        limits: DEFAULT_LIMITS,
        maxPageSize: 50,
        maxQueryRows: 1000,
        ops: { observe: observe(otlp.url, { token: 'metrics-token-0123456789', port: 0 }) },
        lane: testLane(),
      },
      http,
      logger,
    });
    gateway.server.listen(0, '127.0.0.1');
    await once(gateway.server, 'listening');
    gateway.observer.metricsServer?.listen(0, '127.0.0.1');
    url = `http://127.0.0.1:${(gateway.server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    gateway.server.closeAllConnections();
    await gateway.drain(0);
    await dispatcher.close();
    await fake.close();
    otlp.server.close();
  });

  it('sends the request id and the upstream span as traceparent to Domo, and counts the retry and throttle', async () => {
    const response = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'throttled-1' },
      body: JSON.stringify({ query: `query One { dataset(id: "${SALES}") { name } }` }),
    });
    expect(((await response.json()) as { data: unknown }).data).toEqual({ dataset: { name: 'Sales' } });
    expect(fake.requests).toHaveLength(2);
    for (const request of fake.requests) {
      expect(request.headers['x-request-id']).toBe('throttled-1');
      expect(request.headers.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    }
    const line = logs.map((l) => JSON.parse(l)).find((l) => l.requestId === 'throttled-1');
    expect(line).toMatchObject({ operation: 'One', upstream: { calls: 1, retries: 1, throttled: 1 } });
    for (const l of logs) expect(l).not.toContain('server-token-for-observe-test');

    await gateway.observer.flush();
    const [, traceId, spanId] = /^00-([0-9a-f]{32})-([0-9a-f]{16})/.exec(
      String(fake.requests[0]!.headers.traceparent),
    )!;
    const call = otlp.spans.find((s) => s.spanId === spanId);
    expect(call?.traceId).toBe(traceId);
    expect(call?.name).toBe('GET /api/data/v3/datasources/{id}');
    expect(attr(call!, 'domo.retries')).toBe(1);
  });

  it('serves /metrics on METRICS_PORT only, behind METRICS_TOKEN', async () => {
    const metricsUrl = `http://127.0.0.1:${(gateway.observer.metricsServer!.address() as AddressInfo).port}/metrics`;
    expect((await fetch(metricsUrl)).status).toBe(401);
    expect(
      (await fetch(metricsUrl, { headers: { authorization: 'Bearer wrong-token-0123456789' } })).status,
    ).toBe(401);
    const ok = await fetch(metricsUrl, { headers: { authorization: 'Bearer metrics-token-0123456789' } });
    expect(ok.status).toBe(200);
    const text = await ok.text();
    expect(text).toContain(
      'domo_graph_upstream_throttled_total{endpoint="/api/data/v3/datasources/{id}",method="GET"} 1',
    );
    expect(text).toContain(
      'domo_graph_upstream_retries_total{endpoint="/api/data/v3/datasources/{id}",method="GET"} 1',
    );
    expect(text).not.toContain('server-token-for-observe-test');
    // Not on the gateway's own port.
    expect((await fetch(`${url}/metrics`)).status).toBe(404);
  });
});
