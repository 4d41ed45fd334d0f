/**
 * A gateway in front of a scriptable fake Domo, and the three ways in a test uses: a GraphQL POST,
 * a GraphQL multipart upload and the upload PUT route. Answers come back as text, headers included.
 */
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import type { Credentials } from '../../src/domo/auth.ts';
import { createDispatcher, DomoHttp } from '../../src/domo/http.ts';
import { DEFAULT_LIMITS } from '../../src/graph/limits.ts';
import { createLogger } from '../../src/log.ts';
import { createGateway } from '../../src/server.ts';
import { type FakeUpstream, fakeUpstream, type Step } from './fake-upstream.ts';
import { testLane } from './lane.ts';

export const DATASET = '3f5a1b2c-7d4e-4f60-9a8b-1c2d3e4f5a60';
const SCHEMA = { tables: [{ columns: [{ name: 'id', type: 'LONG' }] }] };

/** What a scenario's fake answers: the upload stages, and everything else. */
export interface Script {
  schema?: (token: string) => Step;
  other?: (token: string) => Step;
  part?: (token: string) => Step;
  commit?: (token: string) => Step;
}

export function tokenOf(headers: FakeUpstream['requests'][number]['headers']): string {
  const value =
    headers['x-domo-developer-token'] ?? headers['x-domo-authentication'] ?? headers.authorization ?? '';
  return String(value).replace(/^Bearer\s+/i, '');
}

export interface Rig {
  url: string;
  fake: FakeUpstream;
  /** Every log line the gateway and its upstream client wrote. */
  logs: string[];
  /** What the fake answers next; change it between requests. */
  script: Script;
  close(): Promise<void>;
}

/**
 * The real gateway (createGateway, logging at debug into `logs`) in front of a port-0 fake Domo
 * whose answers the test scripts per stage. Call `close` when done.
 */
export async function rig(serverCredentials: Credentials | null): Promise<Rig> {
  const script: Script = {};
  const fake = await fakeUpstream((request) => {
    const token = tokenOf(request.headers);
    const ok = (body: unknown): Step => ({
      status: 200,
      body: JSON.stringify(body),
      headers: { 'content-type': 'application/json' },
    });
    const path = request.url.split('?')[0]!;
    if (path.endsWith('/schema/indexed')) return script.schema?.(token) ?? ok(SCHEMA);
    if (request.method === 'POST' && path.endsWith('/uploads')) return ok({ uploadId: 7 });
    if (/\/parts\/\d+$/.test(path)) return script.part?.(token) ?? ok({});
    if (path.endsWith('/commit')) return script.commit?.(token) ?? ok({ dataVersionId: 1, by: token });
    return script.other?.(token) ?? ok({ id: DATASET, name: `owned by ${token}` });
  });
  const logs: string[] = [];
  const logger = createLogger('debug', (line) => logs.push(line));
  const dispatcher = createDispatcher({ connectTimeoutMs: 2_000, connections: 4 });
  const http = new DomoHttp({
    baseUrl: fake.url,
    dispatcher,
    logger,
    // One retry, so the retried failures (500, 429) log a retry line too.
    retry: { maxRetries: 1, baseMs: 1, maxDelayMs: 5 },
    headersTimeoutMs: 5_000,
    bodyTimeoutMs: 5_000,
  });
  const upstream = {
    connectTimeoutMs: 2_000,
    headersTimeoutMs: 5_000,
    bodyTimeoutMs: 5_000,
    maxRetries: 1,
    retryBaseMs: 1,
    retryMaxDelayMs: 5,
    connections: 4,
    maxConcurrencyPerRequest: 4,
    maxCallsPerRequest: 500,
  };
  const { server } = createGateway({
    config: {
      lane: testLane(),
      serverCredentials,
      upstream,
      limits: DEFAULT_LIMITS,
      maxPageSize: 50,
      maxQueryRows: 1000,
    },
    http,
    logger,
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const close = async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await dispatcher.close();
    await fake.close();
  };
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, fake, logs, script, close };
}

export interface Answer {
  status: number;
  text: string;
  headers: string;
}

export async function answer(response: Response): Promise<Answer> {
  return {
    status: response.status,
    text: await response.text(),
    headers: JSON.stringify([...response.headers.entries()]),
  };
}

export const gql = async (rig: Rig, query: string, headers: Record<string, string>) =>
  answer(
    await fetch(`${rig.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ query }),
    }),
  );

export const CSV = 'id\n1\n2\n';

export const putUpload = async (rig: Rig, headers: Record<string, string>) =>
  answer(
    await fetch(`${rig.url}/v1/datasets/${DATASET}/upload?mode=append`, {
      method: 'PUT',
      headers: { 'content-type': 'text/csv', ...headers },
      body: CSV,
    }),
  );

export async function multipartUpload(rig: Rig, headers: Record<string, string>): Promise<Answer> {
  const form = new FormData();
  const query = `mutation($file: Upload!) { uploadDatasetCsv(datasetId: "${DATASET}", file: $file) { uploadId commit } }`;
  form.set('operations', JSON.stringify({ query, variables: { file: null } }));
  form.set('map', JSON.stringify({ 0: ['variables.file'] }));
  form.set('0', new Blob([CSV], { type: 'text/csv' }), 'data.csv');
  return answer(await fetch(`${rig.url}/graphql`, { method: 'POST', headers, body: form }));
}
