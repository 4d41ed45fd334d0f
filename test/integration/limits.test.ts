/**
 * Operation limits and the per-request call budget through the real gateway and sandbox: a refused
 * operation makes no upstream call; past the budget, the calls already made stand and the rest
 * answer OPERATION_TOO_COMPLEX; an upload is one call, however many parts it sends.
 */
import { getIntrospectionQuery } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDomoClient } from '../../src/domo/client.ts';
import { CallBudgetError } from '../../src/domo/errors.ts';
import { exampleQuery } from '../../src/example.ts';
import { DEMO_DATASETS } from '../../src/sandbox/seed.ts';
import { uploadCsv } from '../../src/upload/pipeline.ts';
import { SANDBOX_TOKEN, type Stack, startStack } from '../helpers/stack.ts';
import { gqlMultipart } from '../helpers/uploads.ts';

const SALES = DEMO_DATASETS.sales;
const STAGING = DEMO_DATASETS.staging;
const SQL = /^\/api\/query\/v1\/execute\//;
const PARTS = /^\/api\/data\/v3\/datasources\/[^/]+\/uploads\/\d+\/parts\/\d+$/;

/** `dataset → stream → dataSource → …`: a real cycle of the schema, `pairs` times, then `name`. */
const deep = (pairs: number) =>
  `query Deep { dataset(id: "${SALES}") { ${'stream { dataSource { '.repeat(pairs)}name${' } }'.repeat(pairs)} } }`;

/** `count` aliased SQL fields on the root, each with its own SQL. */
const manySql = (count: number) =>
  `query Many { ${Array.from(
    { length: count },
    (_, i) =>
      `q${i}: dataset(id: "${SALES}") { query(sql: "SELECT region FROM sales LIMIT ${i + 1}") { rows } }`,
  ).join('\n')} }`;

describe('operation limits at the defaults (MAX_DEPTH 12, MAX_ALIASES 30, MAX_TOKENS 10000)', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack.close());

  /** The operation is refused whole with one OPERATION_TOO_COMPLEX error, and Domo sees nothing. */
  async function refused(query: string) {
    const before = stack.sandbox.requests.length;
    const res = await stack.gql(query);
    expect(stack.sandbox.requests.length).toBe(before);
    expect(res.data ?? null).toBeNull();
    expect(res.errors).toHaveLength(1);
    expect(res.errors![0]!.extensions?.code).toBe('OPERATION_TOO_COMPLEX');
    return res.errors![0]!;
  }

  it('refuses an operation deeper than MAX_DEPTH before any upstream call', async () => {
    // dataset + 6 × (stream, dataSource) + name = 14 fields deep.
    const error = await refused(deep(6));
    expect(error.message).toBe('Operation "Deep" is 14 fields deep; the limit is 12 (MAX_DEPTH)');
    expect(error.extensions).toMatchObject({ limit: 'MAX_DEPTH', max: 12, actual: 14 });
  });

  it('answers HTTP 400 to a client that accepts application/graphql-response+json', async () => {
    const response = await fetch(`${stack.gatewayUrl}/graphql`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/graphql-response+json',
        'x-domo-developer-token': SANDBOX_TOKEN,
      },
      body: JSON.stringify({ query: deep(6) }),
    });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { errors: Array<{ extensions: { code: string } }> };
    expect(body.errors[0]!.extensions.code).toBe('OPERATION_TOO_COMPLEX');
  });

  it('counts depth through fragments', async () => {
    const query = `query Deep { dataset(id: "${SALES}") { ...S } }
      fragment S on Dataset { stream { dataSource { stream { dataSource { ...T } } } } }
      fragment T on Dataset { stream { dataSource { stream { dataSource { stream { dataSource { stream { dataSource { name } } } } } } } } }`;
    const error = await refused(query);
    expect(error.extensions).toMatchObject({ limit: 'MAX_DEPTH', actual: 14 });
  });

  it('answers an operation at MAX_DEPTH', async () => {
    // dataset + 5 × (stream, dataSource) + name = 12 fields deep.
    const res = await stack.gql(deep(5));
    expect(res.errors).toBeUndefined();
    expect(JSON.stringify(res.data)).toContain('"name"');
  });

  it('refuses more than MAX_ALIASES aliased fields before any upstream call', async () => {
    const error = await refused(manySql(31));
    expect(error.message).toBe(
      'Operation "Many" has 31 aliased fields (fragments counted where spread); the limit is 30 (MAX_ALIASES)',
    );
    expect(error.extensions).toMatchObject({ limit: 'MAX_ALIASES', max: 30, actual: 31 });
  });

  it('counts aliases of a fragment every time it is spread', async () => {
    const aliases = Array.from({ length: 50 }, (_, i) => `a${i}: name`).join(' ');
    const spreads = Array.from({ length: 5 }, (_, i) => `d${i}: dataset(id: "${SALES}") { ...F }`).join(' ');
    const error = await refused(`{ ${spreads} } fragment F on Dataset { ${aliases} }`);
    expect(error.extensions).toMatchObject({ limit: 'MAX_ALIASES', actual: 5 + 5 * 50 });
  });

  it('refuses a document over MAX_TOKENS without parsing it whole', async () => {
    const fields = Array.from({ length: 10_000 }, () => 'name').join(' ');
    const error = await refused(`{ dataset(id: "${SALES}") { ${fields} } }`);
    expect(error.message).toBe('The document has more than 10000 tokens, the limit (MAX_TOKENS)');
    expect(error.extensions).toMatchObject({ limit: 'MAX_TOKENS', max: 10_000 });
  });

  it("passes graphql-js's standard introspection query (what GraphiQL sends)", async () => {
    const res = await stack.gql(getIntrospectionQuery({ descriptions: true, inputValueDeprecation: true }));
    expect(res.errors).toBeUndefined();
    expect((res.data as { __schema: { types: unknown[] } }).__schema.types.length).toBeGreaterThan(20);
  });

  it("passes GraphiQL's example operation", async () => {
    const res = await stack.gql(exampleQuery);
    expect(res.errors).toBeUndefined();
  });
});

describe('the per-request call budget (DOMO_MAX_CALLS_PER_REQUEST)', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ maxCallsPerRequest: 4 });
  });
  afterAll(() => stack.close());

  it('refuses an operation whose estimate is over the budget before any call', async () => {
    const before = stack.sandbox.requests.length;
    // One metadata call for the six datasets, then six SQL calls: 7 estimated, 4 allowed.
    const res = await stack.gql(manySql(6));
    expect(stack.sandbox.requests.length - before).toBe(0);
    expect(res.data ?? null).toBeNull();
    expect(res.errors).toHaveLength(1);
    expect(res.errors![0]!.message).toBe(
      'Operation "Many" could make up to 7 calls to Domo (its lists at their full page size); the limit is 4 (DOMO_MAX_CALLS_PER_REQUEST). Ask for smaller pages (first) or fewer fields per item',
    );
    expect(res.errors![0]!.extensions).toEqual({
      code: 'OPERATION_TOO_COMPLEX',
      limit: 'DOMO_MAX_CALLS_PER_REQUEST',
      max: 4,
      actual: 7,
    });
  });

  it('answers the estimate refusal with HTTP 400 to a client that accepts application/graphql-response+json', async () => {
    const response = await fetch(`${stack.gatewayUrl}/graphql`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/graphql-response+json',
        'x-domo-developer-token': SANDBOX_TOKEN,
      },
      body: JSON.stringify({ query: '{ datasets(first: 5) { edges { node { cards { title } } } } }' }),
    });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { errors: Array<{ extensions: Record<string, unknown> }> };
    expect(body.errors[0]!.extensions).toMatchObject({ code: 'OPERATION_TOO_COMPLEX', max: 4, actual: 6 });
  });

  it('still stops at the budget when Domo needs more calls than estimated (no bulk endpoint)', async () => {
    // The estimate counts the bulk metadata call; a server without it gets one GET per dataset.
    const ids = [SALES, STAGING, DEMO_DATASETS.sessions, DEMO_DATASETS.customers, DEMO_DATASETS.targets];
    stack.sandbox.inject({ method: 'POST', path: '/api/data/v3/datasources/bulk', status: 404 });
    const before = stack.sandbox.requests.length;
    const res = await stack.gql<{ datasetsByIds: Array<{ name: string } | null> }>(
      'query ($ids: [ID!]!) { datasetsByIds(ids: $ids) { name } }',
      { ids },
    );
    // The refused bulk call and three GETs: 4 sent, the other two datasets refused unsent.
    expect(stack.sandbox.requests.length - before).toBe(4);
    expect(res.data!.datasetsByIds.filter((d) => d !== null)).toHaveLength(3);
    expect(res.errors).toHaveLength(2);
    for (const error of res.errors!) {
      expect(error.extensions).toEqual({
        code: 'OPERATION_TOO_COMPLEX',
        limit: 'DOMO_MAX_CALLS_PER_REQUEST',
        max: 4,
      });
      expect(error.message).toMatch(/already made its 4 upstream calls.*DOMO_MAX_CALLS_PER_REQUEST/);
    }
  });

  it('is per request: the next request has its own budget', async () => {
    const before = stack.sandbox.requests.length;
    const res = await stack.gql(manySql(3));
    expect(res.errors).toBeUndefined();
    expect(stack.sandbox.requests.length - before).toBe(4);
    const again = await stack.gql(manySql(3));
    expect(again.errors).toBeUndefined();
  });

  it('answers an operation whose estimate equals the budget', async () => {
    const before = stack.sandbox.requests.length;
    const res = await stack.gql(manySql(3));
    expect(res.errors).toBeUndefined();
    expect(stack.sandbox.requests.length - before).toBe(4);
    expect(stack.sandbox.requests.slice(before).filter((r) => SQL.test(r.path))).toHaveLength(3);
  });

  it('counts a whole upload as one call, however many parts it sends', async () => {
    const before = stack.sandbox.requests.length;
    const rows = Array.from({ length: 400 }, (_, i) => `${i},row ${i},${i}.5,2025-01-01 10:00:00`).join('\n');
    const res = await gqlMultipart<{ uploadDatasetCsv: { parts: number } }>(
      stack,
      `mutation Up($id: ID!, $file: Upload!) { uploadDatasetCsv(datasetId: $id, file: $file, mode: REPLACE, partSizeKB: 1) { parts rows } }`,
      { id: STAGING },
      `id,payload,amount,loaded_at\n${rows}\n`,
    );
    expect(res.errors).toBeUndefined();
    const { parts } = res.data!.uploadDatasetCsv;
    expect(parts).toBeGreaterThan(4);
    const sent = stack.sandbox.requests.slice(before);
    expect(sent.filter((r) => PARTS.test(r.path))).toHaveLength(parts);
    expect(sent.length).toBeGreaterThan(4);
  });
});

describe('bindCall maxCalls (the client under the gateway)', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack.close());
  const credentials = { kind: 'developer' as const, token: SANDBOX_TOKEN };

  it('sends maxCalls calls and refuses the rest with a CallBudgetError, without sending them', async () => {
    const domo = createDomoClient(stack.http, { credentials, maxCalls: 2 });
    const before = stack.sandbox.requests.length;
    const results = await Promise.allSettled([1, 2, 3].map(() => domo.datasets.get(SALES)));
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected']);
    const error = (results[2] as PromiseRejectedResult).reason;
    expect(error).toBeInstanceOf(CallBudgetError);
    expect(error).toMatchObject({ kind: 'over_budget', maxCalls: 2, method: 'GET' });
    expect(stack.sandbox.requests.length - before).toBe(2);
  });

  it('a call without credentials takes nothing from the budget', async () => {
    const domo = createDomoClient(stack.http, { credentials: null, maxCalls: 1 });
    await expect(domo.datasets.get(SALES)).rejects.toMatchObject({ kind: 'unauthenticated' });
  });

  it('an upload takes one call from the budget, and is refused whole once the budget is spent', async () => {
    const domo = createDomoClient(stack.http, { credentials, maxCalls: 2 });
    const csv = async function* () {
      yield new TextEncoder().encode('id,payload,amount,loaded_at\n');
      for (let i = 0; i < 20; i++)
        yield new TextEncoder().encode(`${i},${'x'.repeat(600)},1.5,2025-01-01 10:00:00\n`);
    };
    const first = await uploadCsv(domo, STAGING, csv(), { mode: 'REPLACE', partSizeBytes: 1024 });
    expect(first.parts).toBeGreaterThan(2);
    await domo.datasets.get(SALES); // the second and last call
    const before = stack.sandbox.requests.length;
    await expect(
      uploadCsv(domo, STAGING, csv(), { mode: 'REPLACE', partSizeBytes: 1024 }),
    ).rejects.toBeInstanceOf(CallBudgetError);
    expect(stack.sandbox.requests.length).toBe(before);
  });
});
