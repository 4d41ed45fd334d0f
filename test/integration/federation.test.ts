/**
 * FEDERATION=true: the gateway's subgraph composes with a second subgraph (a small "reviews"
 * service, served by yoga on a loopback port) through @theguild/federation-composition, and a field
 * is resolved across both the way a router does it: the reviews subgraph answers with a Dataset key,
 * the gateway's `_entities` turns the key into the dataset. Also: the README's `_service { sdl }`
 * example runs as written, and entity lookups are batched through the dataset loader.
 */
import { execFile, execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { buildSubgraphSchema, printSubgraphSchema } from '@apollo/subgraph';
import { composeServices } from '@theguild/federation-composition';
import { parse } from 'graphql';
import { createYoga } from 'graphql-yoga';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { subgraphSchema } from '../../src/graph/federation.ts';
import { DEMO_DATASETS } from '../../src/sandbox/seed.ts';
import { SANDBOX_TOKEN, type Stack, startStack } from '../helpers/stack.ts';

const run = promisify(execFile);
const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const sectionStart = readme.indexOf('## Federation subgraph');
const section = readme.slice(sectionStart, readme.indexOf('\n## ', sectionStart + 1));
const curlExample = section.match(/```sh\n([\s\S]*?)```/)?.[1] ?? '';
const entitiesExample = section.match(/```json\n([\s\S]*?)```/)?.[1] ?? '{}';

const hasCurl = (() => {
  try {
    execFileSync('curl', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
if (!hasCurl) console.warn('README _service example skipped: curl is not installed');

/** The second subgraph: reviews of datasets, knowing nothing of a dataset but its key. */
const REVIEWS_SDL = `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.6", import: ["@key"])
  type Dataset @key(fields: "domoId") {
    domoId: String!
    reviews: [Review!]!
  }
  type Review {
    stars: Int!
    text: String!
  }
  type Query {
    "The dataset reviewed best."
    topReviewed: Dataset
  }
`;
const REVIEWS: Record<string, Array<{ stars: number; text: string }>> = {
  [DEMO_DATASETS.sales]: [{ stars: 5, text: 'the numbers we plan with' }],
};
const reviewsSchema = buildSubgraphSchema({
  typeDefs: parse(REVIEWS_SDL),
  resolvers: {
    Query: { topReviewed: () => ({ domoId: DEMO_DATASETS.sales }) },
    Dataset: {
      __resolveReference: (ref: { domoId: string }) => ref,
      reviews: (d: { domoId: string }) => REVIEWS[d.domoId] ?? [],
    },
  },
});

let stack: Stack;
let reviews: Server;
let reviewsUrl: string;

async function post(url: string, query: string, variables?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  expect(res.status).toBe(200);
  return (await res.json()) as {
    // biome-ignore lint/suspicious/noExplicitAny: answers of several shapes, read field by field
    data?: Record<string, any>;
    errors?: Array<{ message: string; extensions?: { code?: string } }>;
  };
}

beforeAll(async () => {
  stack = await startStack({
    schema: subgraphSchema(),
    serverCredentials: { kind: 'developer', token: SANDBOX_TOKEN },
  });
  reviews = createServer(createYoga({ schema: reviewsSchema, logging: false }));
  reviews.listen(0, '127.0.0.1');
  await new Promise((resolve) => reviews.once('listening', resolve));
  reviewsUrl = `http://127.0.0.1:${(reviews.address() as AddressInfo).port}/graphql`;
});
afterAll(async () => {
  reviews.closeAllConnections();
  await new Promise((resolve) => reviews.close(resolve));
  await stack.close();
});

describe('federation subgraph', () => {
  it('composes with another subgraph that extends Dataset', async () => {
    const { data } = await post(`${stack.gatewayUrl}/graphql`, '{ _service { sdl } }');
    const sdl = data!._service.sdl as string;
    expect(sdl).toMatch(/type Dataset implements Node\s+@key\(fields: "domoId"\)/);
    expect(sdl).toMatch(/type Stream implements Node\s+@key\(fields: "domoId"\)/);
    expect(sdl).toMatch(/type User implements Node\s+@key\(fields: "domoId"\)/);
    const composed = composeServices([
      { name: 'domo', typeDefs: parse(sdl), url: `${stack.gatewayUrl}/graphql` },
      { name: 'reviews', typeDefs: parse(printSubgraphSchema(reviewsSchema)), url: reviewsUrl },
    ]);
    expect(composed.errors ?? []).toEqual([]);
    const supergraph = composed.supergraphSdl ?? '';
    // Dataset is known to both subgraphs, by the same key; each brings its own fields.
    expect(supergraph).toMatch(
      /type Dataset implements Node[\s\S]*?@join__type\(graph: DOMO, key: "domoId"\)/,
    );
    expect(supergraph).toMatch(/@join__type\(graph: REVIEWS, key: "domoId"\)/);
    expect(supergraph).toMatch(/reviews: \[Review!\]! @join__field\(graph: REVIEWS\)/);
    expect(supergraph).toMatch(/rowCount: Long @join__field\(graph: DOMO\)/);
  });

  it('resolves a field across both subgraphs through _entities, as a router plans it', async () => {
    // Step 1, the reviews subgraph: the dataset's key and the reviews.
    const first = await post(reviewsUrl, '{ topReviewed { __typename domoId reviews { stars } } }');
    const top = first.data!.topReviewed as { __typename: string; domoId: string; reviews: unknown[] };
    expect(top.reviews).toEqual([{ stars: 5 }]);
    // Step 2, the domo subgraph: the rest of the dataset from its key.
    const second = await post(
      `${stack.gatewayUrl}/graphql`,
      'query ($r: [_Any!]!) { _entities(representations: $r) { ... on Dataset { domoId name rowCount } } }',
      { r: [{ __typename: top.__typename, domoId: top.domoId }] },
    );
    expect(second.errors).toBeUndefined();
    expect(second.data!._entities).toEqual([
      { domoId: DEMO_DATASETS.sales, name: 'Sales Transactions', rowCount: expect.any(Number) },
    ]);
    // And the other way: the domo subgraph's dataset gets its reviews from the reviews subgraph.
    const back = await post(
      reviewsUrl,
      'query ($r: [_Any!]!) { _entities(representations: $r) { ... on Dataset { reviews { text } } } }',
      { r: [{ __typename: 'Dataset', domoId: second.data!._entities[0].domoId }] },
    );
    expect(back.data!._entities).toEqual([{ reviews: [{ text: 'the numbers we plan with' }] }]);
  });

  it('answers Stream and User entities by their Domo ids, datasets in one bulk read', async () => {
    const found = await post(
      `${stack.gatewayUrl}/graphql`,
      `{ dataset(id: "${DEMO_DATASETS.sales}") { owner { user { domoId } } stream { domoId } } }`,
    );
    const { owner, stream } = found.data!.dataset;
    expect(stream?.domoId).toBeTruthy();
    expect(owner?.user?.domoId).toBeTruthy();
    const before = stack.attempts.length;
    const res = await post(
      `${stack.gatewayUrl}/graphql`,
      `query ($r: [_Any!]!) { _entities(representations: $r) {
         __typename
         ... on Dataset { name }
         ... on Stream { streamId: domoId dataSource { domoId } }
         ... on User { domoId displayName }
       } }`,
      {
        r: [
          { __typename: 'Dataset', domoId: DEMO_DATASETS.sales },
          { __typename: 'Stream', domoId: stream.domoId },
          { __typename: 'User', domoId: String(owner.user.domoId) },
          { __typename: 'Dataset', domoId: DEMO_DATASETS.customers },
          { __typename: 'Dataset', domoId: DEMO_DATASETS.sales },
        ],
      },
    );
    expect(res.errors).toBeUndefined();
    const entities = res.data!._entities as Array<Record<string, unknown>>;
    expect(entities.map((e) => e.__typename)).toEqual(['Dataset', 'Stream', 'User', 'Dataset', 'Dataset']);
    expect(entities[0]!.name).toBe('Sales Transactions');
    expect(entities[1]!.streamId).toBe(stream.domoId);
    expect(entities[2]!.domoId).toBe(String(owner.user.domoId));
    const paths = stack.attempts.slice(before).map((a) => `${a.request.method} ${a.request.path}`);
    // Both datasets in one bulk call, the repeated one not again.
    expect(paths.filter((p) => p.includes('/api/data/v3/datasources'))).toEqual([
      'POST /api/data/v3/datasources/bulk',
    ]);
  });

  it('answers an unknown key with a null entity and NOT_FOUND, a malformed one with BAD_USER_INPUT', async () => {
    const res = await post(
      `${stack.gatewayUrl}/graphql`,
      'query ($r: [_Any!]!) { _entities(representations: $r) { ... on Dataset { name } } }',
      {
        r: [
          { __typename: 'Dataset', domoId: '00000000-0000-4000-8000-000000000000' },
          { __typename: 'Dataset', domoId: 'not-a-uuid' },
        ],
      },
    );
    const codes = (res.errors ?? []).map((e) => e.extensions?.code).sort();
    expect(codes).toEqual(['BAD_USER_INPUT', 'NOT_FOUND']);
    expect(res.data!._entities).toEqual([null, null]);
  });
});

describe.skipIf(!hasCurl)('README federation example', () => {
  it('runs with curl and answers the subgraph SDL', async () => {
    const command = curlExample
      .split('\n')
      .filter((line) => !line.includes('npm start'))
      .join('\n')
      .replaceAll('http://localhost:4000', stack.gatewayUrl);
    expect(command).toContain('_service { sdl }');
    const { stdout } = await run('bash', ['-c', command]);
    const sdl = JSON.parse(stdout).data._service.sdl as string;
    expect(
      sdl.startsWith(
        'extend schema\n  @link(url: "https://specs.apollo.dev/federation/v2.6", import: ["@key"])',
      ),
    ).toBe(true);
    expect(sdl).toMatch(/type Dataset implements Node\s+@key\(fields: "domoId"\)/);
  });

  it("runs the README's _entities request", async () => {
    const { query, variables } = JSON.parse(entitiesExample) as { query: string; variables: unknown };
    const res = await post(`${stack.gatewayUrl}/graphql`, query, variables);
    expect(res.errors).toBeUndefined();
    expect(res.data!._entities).toEqual([{ name: 'Regional Targets', rowCount: expect.any(Number) }]);
  });
});
