/**
 * The operations GraphiQL opens with on the sandbox: the first tab (test/integration/server.test.ts
 * runs it, test/browser/graphiql.test.ts runs it in Chromium), then one tab per area.
 */
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

/**
 * The README's examples, verbatim (test/integration/graphiql-tabs.test.ts checks they still are
 * and that every tab runs), one tab each after the first.
 */
export const README_TAB_QUERIES = [
  // One dataset
  `query OneDataset {
  dataset(id: "3f5a1b2c-7d4e-4f60-9a8b-1c2d3e4f5a60") {
    id
    domoId
    name
    rowCount
    lastUpdated
    owner {
      id
      name
    }
    tags
    columns {
      name
      type
    }
    query(sql: "SELECT region, COUNT(*) AS orders FROM sales GROUP BY region ORDER BY region") {
      columns {
        name
        type
      }
      rows
      objects
    }
  }
}
`,
  // SQL
  `query Sql {
  sql(
    datasetId: "3f5a1b2c-7d4e-4f60-9a8b-1c2d3e4f5a60"
    sql: "SELECT \`product\`, EXTRACT(YEAR FROM order_date) AS yr, SUM(quantity) AS units FROM \`table\` GROUP BY 1, 2 ORDER BY units DESC LIMIT 3"
  ) {
    columns {
      name
      type
    }
    rows
    rowCount
    truncated
  }
}
`,
  // Rows without SQL
  `query BigOrders {
  dataset(id: "3f5a1b2c-7d4e-4f60-9a8b-1c2d3e4f5a60") {
    rows(
      where: {
        and: [
          { column: "region", in: ["West", "East"] }
          { column: "quantity", gte: 10 }
          { or: [{ column: "product", startsWith: "G" }, { column: "discount", lt: 0.05 }] }
        ]
      }
      orderBy: [{ column: "created_at", direction: DESC }]
      first: 3
    ) {
      totalCount
      nodes
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
}
`,
  // Aggregates
  `query MonthlyByRegion {
  dataset(id: "3f5a1b2c-7d4e-4f60-9a8b-1c2d3e4f5a60") {
    aggregate(
      groupBy: ["region"]
      dateGrain: { column: "order_date", grain: MONTH }
      metrics: [{ fn: COUNT }, { fn: SUM, column: "quantity" }, { fn: AVG, column: "unit_price" }]
      where: { column: "order_date", between: { from: "2023-01-01", to: "2023-12-31" } }
      having: { fn: SUM, column: "quantity", gt: 60 }
      orderBy: [{ fn: SUM, column: "quantity", direction: DESC }]
      first: 5
    ) {
      nodes {
        keys
        values
      }
    }
    distinct(column: "product") {
      nodes {
        value
        count
      }
    }
  }
}
`,
  // Streams
  `{
  dataset(id: "b7e6d5c4-b3a2-4918-8f7e-6d5c4b3a2918") {
    name
    stream {
      domoId
      updateMethod
      transport {
        type
        description
      }
      dataProvider {
        key
        name
        dateCreated
      }
      schedule {
        expression
        advanced {
          type
          timezone
          interval
        }
      }
      lastExecution {
        executionId
        currentState
        startedAt
        endedAt
        rowsInserted
      }
      executions(first: 3) {
        totalCount
        edges {
          node {
            executionId
            currentState
            startedAt
            errors
          }
        }
      }
    }
  }
}
`,
  // Uploads (inline rows)
  `mutation {
  appendRows(datasetId: "e2d4f6a8-1b3c-4d5e-8f70-a1b2c3d4e5f6", rows: [{ id: 3, payload: "inline" }]) {
    rows
    dataVersion
  }
  deleteRows(datasetId: "e2d4f6a8-1b3c-4d5e-8f70-a1b2c3d4e5f6", keys: [{ id: 1 }]) {
    rows
    dataVersion
  }
}
`,
  // Data versions and partitions
  `{
  dataset(id: "0a9b8c7d-6e5f-4a3b-9c2d-1e0f9a8b7c6d") {
    dataVersions {
      domoId
      rowCount
      status
      recordedAt
    }
    partitions(first: 2, sortBy: DATE_COMPLETED, completedAfter: "2025-01-04T01:01:00Z") {
      totalCount
      edges {
        node {
          partitionId
          rowCount
          dateCompleted
          dataVersion {
            domoId
          }
        }
      }
    }
    partitionTags {
      partitionId
      status
    }
    magicDataVersions(first: 5) {
      edges {
        node {
          domoId
          rowCount
        }
      }
    }
  }
}
`,
];

/** Sharing: the access list, then grant and take back (the README does it with curl). */
export const sharingTab = `# Who can see Empty Staging; run ShareWithJae, then Access again, then Unshare.
query Access {
  dataset(id: "${DEMO_DATASETS.staging}") {
    name
    access { totalUserCount totalGroupCount entries { name type accessLevel } }
  }
}

mutation ShareWithJae {
  shareDataset(
    datasetId: "${DEMO_DATASETS.staging}"
    grants: [{ principalId: "1893952720", type: USER, accessLevel: CAN_VIEW }]
  ) {
    access { totalUserCount entries { name accessLevel } }
  }
}

mutation Unshare {
  removeDatasetUsers(datasetId: "${DEMO_DATASETS.staging}", principals: [{ principalId: "1893952720", type: USER }]) {
    access { totalUserCount entries { name accessLevel } }
  }
}
`;

/** GraphiQL's tabs on the sandbox: the welcome query first, then the areas. */
export const exampleTabs = [exampleQuery, ...README_TAB_QUERIES, sharingTab].map((query) => ({ query }));
