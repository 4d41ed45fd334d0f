/** The operation GraphiQL opens with on the sandbox; the README shows the same one. */
import { DEMO_DATASETS } from './sandbox/seed.ts';

export const exampleQuery = `# Welcome to domo-graph, running on the built-in Domo sandbox.
# Press the play button to run this operation.
query Explore {
  dataset(id: "${DEMO_DATASETS.sales}") {
    name
    rowCount
    owner { name }
    columns { name type }
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
