/**
 * The cost estimate is a bound: for real operations against the sandbox, the upstream calls a
 * request makes never exceed what src/graph/cost.ts estimated for it before it ran.
 */
import { readFileSync } from 'node:fs';
import { type OperationDefinitionNode, parse } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_TYPED_DATASETS, exampleQuery } from '../../src/example.ts';
import { estimateCalls } from '../../src/graph/cost.ts';
import { schema } from '../../src/graph/schema.ts';
import { DEMO_DATASETS } from '../../src/sandbox/seed.ts';
import { DEMO_STREAMS } from '../../src/sandbox/seed-streams.ts';
import { DASHBOARD_QUERY, type DashboardFixture, seedDashboard } from '../helpers/dashboard.ts';
import { SANDBOX_TOKEN, type Stack, startStack } from '../helpers/stack.ts';

let stack: Stack;
let fixture: DashboardFixture;
beforeAll(async () => {
  stack = await startStack({
    serverCredentials: { kind: 'developer', token: SANDBOX_TOKEN },
    sandbox: { executionSettleMs: 0 },
    // README's typed-root examples need the demo typed roots, as `npm start` serves them.
    typed: { datasets: DEMO_TYPED_DATASETS },
    // Every operation here runs, whatever its estimate: what is compared is the estimate and the calls.
    maxCallsPerRequest: 100_000,
  });
  fixture = await seedDashboard(stack.sandbox, stack.http);
});
afterAll(() => stack?.close());

function estimate(query: string, variables: Record<string, unknown> = {}): number {
  const document = parse(query);
  const operation = document.definitions.find(
    (d): d is OperationDefinitionNode => d.kind === 'OperationDefinition',
  )!;
  return estimateCalls(stack.typed?.current() ?? schema, document, operation, variables, { maxPageSize: 50 });
}

const readmeQueries = [...readFileSync('README.md', 'utf8').matchAll(/```graphql\n([\s\S]*?)```/g)]
  .map((m) => m[1]!)
  .filter((text) => !/^\s*mutation\b/m.test(text));

const nested = `{
  datasets(first: 5) {
    edges { node {
      cards { datasource { name stream { domoId } } owners { user { displayName } } }
      owner { user { displayName } }
      stream { executions(first: 3) { edges { node { startedByUser { displayName } stream { domoId } } } } }
      access { entries { user { displayName } } }
      columns { name } schema { tables { columns { name } } }
    } }
  }
  stream(id: "${DEMO_STREAMS.sessions}") { dataSource { name cards { title } } createdByUser { displayName } }
}`;

describe('the estimate bounds the calls made', () => {
  const cases: Array<[string, string, () => Record<string, unknown>]> = [
    ['the dashboard', DASHBOARD_QUERY, () => ({ ids: fixture.ids })],
    ["GraphiQL's example", exampleQuery, () => ({})],
    ['nested lists and links', nested, () => ({})],
    [
      'nodes of several kinds',
      `query ($ids: [ID!]!) { datasetsByIds(ids: $ids) { id stream { id } } }`,
      () => ({ ids: [DEMO_DATASETS.sales, DEMO_DATASETS.sessions] }),
    ],
    ...readmeQueries.map((text, i): [string, string, () => Record<string, unknown>] => [
      `README query ${i + 1}`,
      text,
      () => ({}),
    ]),
  ];

  it.each(cases.map(([name]) => name))('%s', async (name) => {
    const [, query, variables] = cases.find(([n]) => n === name)!;
    const before = stack.sandbox.requests.length;
    const res = await stack.gql(query, variables(), {});
    // Only README's `missing` alias answers NOT_FOUND on purpose; anything else would cut the run short.
    expect((res.errors ?? []).filter((e) => e.extensions?.code !== 'NOT_FOUND')).toEqual([]);
    expect(res.data).toBeTruthy();
    const made = stack.sandbox.requests.length - before;
    expect(made).toBeGreaterThan(0);
    expect(made).toBeLessThanOrEqual(estimate(query, variables()));
  });
});
