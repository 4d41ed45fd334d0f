/**
 * Rows without SQL, measured (issue #10, item 8): a `rows` page of 50 and a monthly aggregate over the
 * 200,000-row sales demo dataset through the gateway, against the same SQL sent straight to the
 * sandbox's query endpoint, alternated run by run in one process. Prints both medians and the ratio.
 * The gateway's side includes its schema read (one call per request) and the GraphQL layer.
 *
 *   npx tsx bench/rows.ts [--runs 30] [--rows 200000]
 *
 * Numbers are printed, never asserted.
 */
import { parseArgs } from 'node:util';
import { createDomoClient } from '../src/domo/client.ts';
import { compileAggregate, compileRows } from '../src/rows/compile.ts';
import { namedFilter } from '../src/rows/filter.ts';
import type { ColumnType } from '../src/rows/values.ts';
import { DEMO_DATASETS } from '../src/sandbox/seed.ts';
import { SANDBOX_TOKEN, startStack } from '../test/helpers/stack.ts';

const { values } = parseArgs({
  options: { runs: { type: 'string', default: '30' }, rows: { type: 'string', default: '200000' } },
  strict: false,
});
const runs = Number(values.runs);
const largeRows = Number(values.rows);

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

const stack = await startStack({
  sandbox: { largeRows, recordRequests: false },
  serverCredentials: { kind: 'developer', token: SANDBOX_TOKEN },
});
const id = DEMO_DATASETS.sales;
const domo = createDomoClient(stack.http, { credentials: { kind: 'developer', token: SANDBOX_TOKEN } });
const schema = await domo.datasets.schema(id, false);
const columns = schema.tables
  .flatMap((t) => t.columns)
  .map((c) => ({ name: c.name, type: c.type as ColumnType }));
const clock = { now: Date.UTC(2025, 0, 1), timeZone: 'UTC' };

const where = { column: 'region', eq: 'West' };
const cases = [
  {
    name: 'rows page of 50 (region = West, newest first)',
    query: `query($id: ID!) { dataset(id: $id) { rows(where: { column: "region", eq: "West" },
      orderBy: [{ column: "created_at", direction: DESC }], first: 50) { nodes pageInfo { hasNextPage } } } }`,
    sql: compileRows({
      columns,
      where: namedFilter(where),
      orderBy: [{ column: 'created_at', direction: 'DESC' }],
      page: { limit: 50, offset: 0 },
      clock,
    }).sql,
  },
  {
    name: 'monthly aggregate (count, sum, avg by month)',
    query: `query($id: ID!) { dataset(id: $id) { aggregate(dateGrain: { column: "order_date", grain: MONTH },
      metrics: [{ fn: COUNT }, { fn: SUM, column: "quantity" }, { fn: AVG, column: "unit_price" }], first: 100) { nodes { keys metrics } } } }`,
    sql: compileAggregate({
      columns,
      dateGrain: { column: 'order_date', grain: 'MONTH' },
      metrics: [{ fn: 'COUNT' }, { fn: 'SUM', column: 'quantity' }, { fn: 'AVG', column: 'unit_price' }],
      page: { limit: 100, offset: 0 },
      clock,
    }).sql,
  },
];

console.log(`sales demo dataset: ${largeRows} rows; ${runs} alternated runs per side after 3 warm-ups each`);
try {
  for (const c of cases) {
    const gateway = async () => {
      const res = await stack.gql(c.query, { id }, {});
      if (res.errors) throw new Error(JSON.stringify(res.errors));
    };
    const direct = async () => {
      await domo.query.execute(id, c.sql);
    };
    for (let i = 0; i < 3; i++) {
      await gateway();
      await direct();
    }
    const g: number[] = [];
    const d: number[] = [];
    for (let i = 0; i < runs; i++) {
      // Alternate which side goes first, so neither always runs on a warmer cache.
      const order = i % 2 ? [gateway, direct] : [direct, gateway];
      for (const work of order) {
        const start = performance.now();
        await work();
        (work === gateway ? g : d).push(performance.now() - start);
      }
    }
    const gm = median(g);
    const dm = median(d);
    console.log(`${c.name}`);
    console.log(`  gateway   ${gm.toFixed(2)} ms (median)`);
    console.log(`  SQL direct ${dm.toFixed(2)} ms (median)`);
    console.log(`  ratio     ${(gm / dm).toFixed(2)}x (overhead ${(gm - dm).toFixed(2)} ms)`);
  }
} finally {
  await stack.close();
}
