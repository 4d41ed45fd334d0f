/** The operation GraphiQL opens with on the sandbox (test/integration/server.test.ts runs it). */
import { DEMO_DATASETS } from './sandbox/seed.ts';

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
