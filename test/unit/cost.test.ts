/** The pre-execution estimate of upstream calls (src/graph/cost.ts), on the real schema. */
import { readdirSync, readFileSync } from 'node:fs';
import { type OperationDefinitionNode, parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { exampleQuery } from '../../src/example.ts';
import { checkCost, estimateCalls, FIELD_COSTS, UNPAGED_LIST_ITEMS } from '../../src/graph/cost.ts';
import { schema } from '../../src/graph/schema.ts';
import { DASHBOARD_QUERY } from '../helpers/dashboard.ts';

const ID = '3f5a1b2c-7d4e-4f60-9a8b-1c2d3e4f5a60';
const settings = { maxPageSize: 50, maxCalls: 500 };

/** The estimate of the document's first operation. */
function estimate(source: string, variables: Record<string, unknown> = {}, maxPageSize = 50): number {
  const document = parse(source);
  const operation = document.definitions.find(
    (d): d is OperationDefinitionNode => d.kind === 'OperationDefinition',
  )!;
  return estimateCalls(schema, document, operation, variables, { maxPageSize });
}

describe('estimateCalls', () => {
  it('counts the row fields: the schema read, the page and the count (src/graph/types/rows)', () => {
    expect(estimate(`{ dataset(id: "${ID}") { rows(first: 5) { totalCount nodes } } }`)).toBe(4);
    expect(estimate(`{ dataset(id: "${ID}") { rows(first: 5) { nodes } } }`)).toBe(3);
    expect(estimate(`{ dataset(id: "${ID}") { aggregate { nodes { __typename } } } }`)).toBe(3);
    expect(estimate(`{ dataset(id: "${ID}") { distinct(column: "region") { nodes { value } } } }`)).toBe(3);
  });

  it('counts a streamed pages field once, however many pages it sends (@stream or not)', () => {
    expect(
      estimate(
        `{ sql(datasetId: "${ID}", sql: "SELECT 1") { pages(size: 10) @stream(initialCount: 1) { rows } } }`,
      ),
    ).toBe(2);
    expect(estimate(`{ dataset(id: "${ID}") { rowPages(size: 10) @stream { objects } } }`)).toBe(3);
    expect(estimate(`{ dataset(id: "${ID}") { ... @defer { rowPages { rows } } } }`)).toBe(3);
  });

  it('counts one call per plain field and nothing for what a payload carries', () => {
    expect(estimate(`{ sql(datasetId: "${ID}", sql: "SELECT 1") { rows } }`)).toBe(1);
    expect(estimate(`{ dataset(id: "${ID}") { name owner { name } tags } }`)).toBe(1);
    expect(estimate(`{ dataset(id: "${ID}") { name cards { title } access { totalUserCount } } }`)).toBe(3);
    expect(estimate('{ __typename __schema { types { name } } }')).toBe(0);
  });

  it('makes sibling dataset loads share one bulk call, as the loader does', () => {
    const aliases = Array.from({ length: 5 }, (_, i) => `d${i}: dataset(id: "${ID}") { name }`).join(' ');
    expect(estimate(`{ ${aliases} }`)).toBe(1);
    expect(estimate(`{ ${aliases.replaceAll('{ name }', '{ query(sql: "SELECT 1") { rows } }')} }`)).toBe(6);
  });

  it('multiplies nested lists by their page size, `first` or MAX_PAGE_SIZE', () => {
    const nested = (first: string) => `{
      datasets${first} { edges { node { stream { executions${first} { edges { node { startedByUser { displayName } } } } } } } }
    }`;
    // 1 list + per dataset (a stream, its history, a user per run).
    expect(estimate(nested(''))).toBe(1 + 50 * (1 + 1 + 50));
    expect(estimate(nested('(first: 3)'))).toBe(1 + 3 * (1 + 1 + 3));
    expect(estimate(nested(''), {}, 10)).toBe(1 + 10 * (1 + 1 + 10));
    // A `first` over the maximum is refused by the resolver; the estimate caps it.
    expect(estimate(nested('(first: 5000)'))).toBe(1 + 50 * (1 + 1 + 50));
  });

  it('assumes UNPAGED_LIST_ITEMS items for a list Domo does not page, two owners per card', () => {
    expect(estimate(`{ dataset(id: "${ID}") { access { entries { user { displayName } } } } }`)).toBe(
      1 + 1 + UNPAGED_LIST_ITEMS,
    );
    expect(estimate(`{ dataset(id: "${ID}") { cards { owners { user { displayName } } } } }`)).toBe(
      1 + 1 + UNPAGED_LIST_ITEMS * 2,
    );
  });

  it('reads `first` and `ids` from variables, and from variable defaults', () => {
    const q = `query ($n: Int = 4, $ids: [ID!]!) {
      datasets(first: $n) { edges { node { cards { title } } } }
      datasetsByIds(ids: $ids) { access { totalUserCount } }
    }`;
    expect(estimate(q, { ids: [ID, ID, ID] })).toBe(1 + 4 + 1 + 3);
    expect(estimate(q, { n: 2, ids: [] })).toBe(1 + 2 + 1);
    // ids are bounded at 100 by the resolver.
    expect(estimate(q, { n: 1, ids: Array(500).fill(ID) })).toBe(1 + 1 + 1 + 100);
  });

  it('charges nodes(ids) per id, and a dataset link once per group of parents', () => {
    expect(estimate(`{ nodes(ids: ["a", "b", "c"]) { id } }`)).toBe(3);
    // Each dataset's cards arrive in their own answer: one bulk call per dataset for their datasources.
    expect(
      estimate(`query ($ids: [ID!]!) { datasetsByIds(ids: $ids) { cards { datasource { name } } } }`, {
        ids: [ID, ID],
      }),
    ).toBe(1 + 2 * (1 + 1));
  });

  it('counts fragments where they are spread, and stays linear for nested spreads', () => {
    const q = `{ a: dataset(id: "${ID}") { ...F } b: dataset(id: "${ID}") { ...F } }
      fragment F on Dataset { cards { title } stream { executions(first: 2) { totalCount } } }`;
    expect(estimate(q)).toBe(1 + 2 * 3);
    // 12 levels of 20 spreads each: 20^12 paths, measured once per fragment.
    const levels = Array.from({ length: 12 }, (_, i) => {
      const next =
        i === 11
          ? 'name'
          : Array.from({ length: 20 }, (_, k) => `s${k}: stream { dataSource { ...L${i + 1} } }`).join(' ');
      return `fragment L${i} on Dataset { ${next} }`;
    });
    const bomb = `{ dataset(id: "${ID}") { ...L0 } } ${levels.join(' ')}`;
    expect(estimate(bomb)).toBeGreaterThan(1e12);
  });

  it('charges mutations their write and re-read, and an upload one pipeline', () => {
    expect(estimate(`mutation { setDatasetTags(datasetId: "${ID}", tags: []) { datasetId } }`)).toBe(3);
    expect(
      estimate(
        'mutation ($f: Upload!) { uploadDatasetCsv(datasetId: "x", file: $f, mode: REPLACE) { rows } }',
      ),
    ).toBe(2);
  });

  it("keeps the dashboard, GraphiQL's example, the SDK's operations and README's examples within the default budget", () => {
    const ids = Array.from({ length: 20 }, () => ID);
    // 1 bulk + 20 × (stream, history, cards, access).
    expect(estimate(DASHBOARD_QUERY, { ids })).toBe(81);
    expect(estimate(DASHBOARD_QUERY, { ids: Array(100).fill(ID) })).toBeLessThanOrEqual(500);
    expect(estimate(exampleQuery)).toBeLessThan(20);

    const sources = [
      ...readdirSync('sdk/operations').map((f) => readFileSync(`sdk/operations/${f}`, 'utf8')),
      ...[...readFileSync('README.md', 'utf8').matchAll(/```graphql\n([\s\S]*?)```/g)].map((m) => m[1]!),
    ];
    expect(sources.length).toBeGreaterThan(3);
    for (const source of sources) {
      const document = parse(source);
      for (const d of document.definitions) {
        if (d.kind !== 'OperationDefinition') continue;
        expect(estimateCalls(schema, document, d, {}, settings), d.name?.value).toBeLessThanOrEqual(500);
      }
    }
  });

  it('names only fields the schema has', () => {
    for (const key of Object.keys(FIELD_COSTS)) {
      const [type, field] = key.split('.') as [string, string];
      const fields = (schema.getType(type) as { getFields?: () => Record<string, unknown> }).getFields?.();
      expect(fields?.[field], key).toBeDefined();
    }
  });
});

describe('checkCost', () => {
  it('refuses over the budget with the estimate, and passes at it', () => {
    const q = parse(`query Many { datasets(first: 10) { edges { node { cards { title } } } } }`);
    expect(checkCost(schema, q, undefined, {}, { maxPageSize: 50, maxCalls: 11 })).toBeUndefined();
    const error = checkCost(schema, q, undefined, {}, { maxPageSize: 50, maxCalls: 10 });
    expect(error?.extensions).toEqual({
      code: 'OPERATION_TOO_COMPLEX',
      limit: 'DOMO_MAX_CALLS_PER_REQUEST',
      max: 10,
      actual: 11,
      http: { status: 400 },
    });
    expect(error?.message).toMatch(/^Operation "Many" could make up to 11 calls to Domo/);
  });

  it('measures the operation operationName selects', () => {
    const q = parse(`query A { sql(datasetId: "${ID}", sql: "SELECT 1") { rows } }
      query B { datasets { edges { node { cards { title } } } } }`);
    expect(checkCost(schema, q, 'A', {}, { maxPageSize: 50, maxCalls: 1 })).toBeUndefined();
    expect(checkCost(schema, q, 'B', {}, { maxPageSize: 50, maxCalls: 1 })).toBeDefined();
  });
});
