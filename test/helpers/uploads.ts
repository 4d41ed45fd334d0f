/** Upload helpers for tests: the gateway's PUT route and GraphQL multipart requests. */
import { request as httpRequest } from 'node:http';
import { tableName } from '../../src/sandbox/store.ts';
import { authHeader, type GqlError, type Stack } from './stack.ts';

export interface PutAnswer {
  status: number;
  body: Record<string, unknown> & { error?: Record<string, unknown> };
}

export async function putCsv(
  stack: Stack,
  datasetId: string,
  csv: string | Uint8Array,
  query: Record<string, string> = {},
): Promise<PutAnswer> {
  const url = new URL(`${stack.gatewayUrl}/v1/datasets/${datasetId}/upload`);
  for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
  const response = await fetch(url, {
    method: 'PUT',
    headers: { 'content-type': 'text/csv', ...authHeader() },
    body: typeof csv === 'string' ? csv : Buffer.from(csv),
  });
  return { status: response.status, body: (await response.json()) as PutAnswer['body'] };
}

/** A GraphQL multipart request (operations, map, one file under variables.file). */
export async function gqlMultipart<T = Record<string, unknown>>(
  stack: Stack,
  query: string,
  variables: Record<string, unknown>,
  file: string | Uint8Array,
): Promise<{ status: number; data: T | null | undefined; errors: GqlError[] | undefined }> {
  const form = new FormData();
  form.set('operations', JSON.stringify({ query, variables: { ...variables, file: null } }));
  form.set('map', JSON.stringify({ 0: ['variables.file'] }));
  form.set(
    '0',
    new Blob([typeof file === 'string' ? file : Buffer.from(file)], { type: 'text/csv' }),
    'data.csv',
  );
  const response = await fetch(`${stack.gatewayUrl}/graphql`, {
    method: 'POST',
    headers: authHeader(),
    body: form,
  });
  const body = (await response.json()) as { data?: T; errors?: GqlError[] };
  return { status: response.status, data: body.data, errors: body.errors };
}

/** Rows of a dataset's table in the sandbox, by SQL. */
export async function rowsOf(
  stack: Stack,
  datasetId: string,
  select = '*',
  order = '1',
): Promise<unknown[][]> {
  const reader = await stack.sandbox.store.run(
    `SELECT ${select} FROM ${tableName(datasetId)} ORDER BY ${order}`,
  );
  const json = reader.getRowsJson() as unknown[][];
  // BIGINT arrives as text in JSON form: numbers read better in assertions.
  return reader
    .getRows()
    .map((row, i) => row.map((value, j) => (typeof value === 'bigint' ? Number(value) : json[i]![j])));
}

/** Sends the start of a body, waits for `ready`, then drops the connection. */
export function abortedPut(
  stack: Stack,
  datasetId: string,
  head: string,
  ready: () => boolean,
  query = '',
): Promise<void> {
  return new Promise((resolve) => {
    const url = new URL(`${stack.gatewayUrl}/v1/datasets/${datasetId}/upload${query}`);
    const req = httpRequest(url, {
      method: 'PUT',
      headers: { 'content-type': 'text/csv', 'transfer-encoding': 'chunked', ...authHeader() },
    });
    req.on('error', () => resolve());
    req.on('response', (res) => {
      res.resume();
      resolve();
    });
    req.write(head);
    const poll = setInterval(() => {
      if (!ready()) return;
      clearInterval(poll);
      req.destroy();
      resolve();
    }, 5);
  });
}

export async function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
