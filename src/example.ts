/** The operation GraphiQL opens with on the sandbox (test/integration/server.test.ts runs it). */
import { DEMO_DATASETS } from './sandbox/seed.ts';

/**
 * The typed roots the sandbox serves when TYPED_DATASETS is not set, and the ones `npm run codegen`
 * prints into schema/schema.graphql.
 */
export const DEMO_TYPED_DATASETS = [
  { name: 'salesTransactions', datasetId: DEMO_DATASETS.sales },
  { name: 'customers', datasetId: DEMO_DATASETS.customers },
  { name: 'websiteSessions', datasetId: DEMO_DATASETS.sessions },
  { name: 'regionalTargets', datasetId: DEMO_DATASETS.targets },
];

export const exampleQuery = `# Welcome to domo-graph, running on the built-in Domo sandbox.
# Press the play button: one request, the fewest calls to Domo.
query Explore {
  dataset(id: "${DEMO_DATASETS.sales}") {
    name
    rowCount
    owner { name }
    columns { name type }
    stream {
      updateMethod
      lastExecution { currentState endedAt rowsInserted }
    }
    cards { title chartType }
    access { totalUserCount entries { name accessLevel } }
    query(sql: "SELECT region, COUNT(*) AS orders, SUM(quantity) AS units FROM sales GROUP BY region ORDER BY region") {
      columns { name type }
      rows
    }
  }
  datasets(first: 10) {
    totalCount
    edges { node { domoId name rowCount } }
  }
}
`;
