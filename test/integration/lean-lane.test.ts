/**
 * The lean lane (src/http/lean.ts) against yoga's, side by side on one sandbox: the same requests
 * get the same status, media type, CORS headers and body on both; what is yoga's alone (GraphiQL,
 * multipart, batches, bad bodies) is handed to yoga; a plain JSON operation never reaches yoga's
 * node adapter. The rest of the suite runs on both lanes through vitest.config.ts's projects.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_DATASETS } from '../../src/sandbox/seed.ts';
import { allPayloads, postIncremental } from '../helpers/incremental.ts';
import { authHeader, type Stack, startStack } from '../helpers/stack.ts';

const ORIGIN = 'https://app.example.com';
const ID = DEMO_DATASETS.sales;
let lean: Stack;
let yoga: Stack;

beforeAll(async () => {
  lean = await startStack({ lane: 'lean', corsOrigins: [ORIGIN, 'https://other.example.com'] });
  yoga = await startStack({
    lane: 'yoga',
    sharedSandbox: lean.sandbox,
    corsOrigins: [ORIGIN, 'https://other.example.com'],
  });
});

afterAll(async () => {
  await yoga?.close();
  await lean?.close();
});

interface Sent {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body?: string;
}

async function send(stack: Stack, sent: Sent) {
  const response = await fetch(`${stack.gatewayUrl}${sent.path ?? '/graphql'}`, {
    method: sent.method ?? 'POST',
    headers: sent.headers,
    body: sent.body,
  });
  const text = await response.text();
  return {
    status: response.status,
    type: response.headers.get('content-type'),
    allowOrigin: response.headers.get('access-control-allow-origin'),
    vary: response.headers.get('vary'),
    body: text ? JSON.parse(text) : text,
  };
}

const json = { 'content-type': 'application/json', ...authHeader() };
const post = (body: unknown, headers: Record<string, string> = {}): Sent => ({
  headers: { ...json, ...headers },
  body: typeof body === 'string' ? body : JSON.stringify(body),
});

const CASES: Array<[string, Sent]> = [
  ['a query', post({ query: `{ dataset(id: "${ID}") { name rowCount } }` })],
  [
    'a query with variables',
    post({ query: 'query($id: String!) { dataset(id: $id) { name } }', variables: { id: ID } }),
  ],
  ['a missing dataset (a client error with a code)', post({ query: '{ dataset(id: "nope") { name } }' })],
  ['a validation error', post({ query: '{ nope }' })],
  ['a syntax error', post({ query: '{ dataset(' })],
  ['no query', post({ variables: {} })],
  [
    'a query too deep (limits)',
    post({ query: `{ ${'node(id: "x") { ... on Dataset { owner { '.repeat(8)}id${' } } }'.repeat(8)} }` }),
  ],
  [
    'the GraphQL-over-HTTP media type',
    post({ query: '{ nope }' }, { accept: 'application/graphql-response+json' }),
  ],
  ['an allowed origin', post({ query: '{ __typename }' }, { origin: ORIGIN })],
  ['a second allowed origin', post({ query: '{ __typename }' }, { origin: 'https://other.example.com' })],
  [
    'no Domo credentials',
    {
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: `{ dataset(id: "${ID}") { name } }` }),
    },
  ],
  [
    'a GET',
    { method: 'GET', path: `/graphql?query=${encodeURIComponent('{ __typename }')}`, headers: authHeader() },
  ],
  [
    'a mutation by GET',
    {
      method: 'GET',
      path: `/graphql?query=${encodeURIComponent('mutation { __typename }')}`,
      headers: authHeader(),
    },
  ],
  [
    'a GET with bad variables',
    {
      method: 'GET',
      path: `/graphql?query=${encodeURIComponent('{ __typename }')}&variables=%7B`,
      headers: authHeader(),
    },
  ],
  ['a body that is not JSON', post('{"query": ')],
  ['a body that is not an object', post('42')],
  ['a batch', post([{ query: '{ __typename }' }])],
  ['an unsupported Accept', post({ query: '{ __typename }' }, { accept: 'text/plain' })],
];

describe('the lean lane answers as yoga does', () => {
  it.each(CASES)('%s', async (_name, sent) => {
    const [fromLean, fromYoga] = await Promise.all([send(lean, sent), send(yoga, sent)]);
    expect(fromLean).toEqual(fromYoga);
  });
});

describe('what stays with yoga', () => {
  it('serves @defer over multipart from a gateway on the lean lane', async () => {
    const response = await postIncremental(
      `${lean.gatewayUrl}/graphql`,
      'multipart',
      `{ dataset(id: "${ID}") { id ... @defer { name } } }`,
      { headers: authHeader() },
    );
    const payloads = await allPayloads(response);
    expect(payloads.length).toBeGreaterThan(1);
    expect(JSON.stringify(payloads)).toContain('Sales Transactions');
  });

  it('hands only what it does not serve to yoga', async () => {
    const counts = lean.gateway.lean!;
    const before = { ...counts };
    const answered = await lean.gql<{ dataset: { name: string } }>(`{ dataset(id: "${ID}") { name } }`);
    expect(answered.data?.dataset.name).toBe('Sales Transactions');
    expect(counts).toEqual({ served: before.served + 1, handedOver: before.handedOver });
    const page = await fetch(`${lean.gatewayUrl}/graphql`, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    await send(lean, post('{"query": '));
    expect(counts).toEqual({ served: before.served + 1, handedOver: before.handedOver + 2 });
    expect(yoga.gateway.lean).toBeUndefined();
  });
});
