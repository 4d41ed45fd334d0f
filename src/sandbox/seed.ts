/**
 * Deterministic demo data: the same ids, rows and timestamps on every start, so the README's
 * examples and the tests can name them. Rows are generated inside DuckDB, which keeps even the
 * large dataset quick to build.
 */
import type { DomoOwner, DomoSchemaColumn } from '../domo/types.ts';
import { datasetMetadata } from './metadata.ts';
import { seedAccessData } from './seed-access.ts';
import { seedStreams } from './seed-streams.ts';
import { seedUploads } from './seed-uploads.ts';
import { type SandboxStore, tableName } from './store.ts';

/** A fixed clock for seeded timestamps: 2025-01-01T00:00:00Z. */
export const SEED_EPOCH_MS = 1_735_689_600_000;

export const DEMO_USERS: Array<Required<Pick<DomoOwner, 'id' | 'name'>> & { email: string }> = [
  { id: '1345408759', name: 'Alexis Lorenz', email: 'alexis.lorenz@example.com' },
  { id: '587894148', name: 'Bryan Van Kampen', email: 'bryan.vankampen@example.com' },
  { id: '1893952720', name: 'Jae Wilson', email: 'jae.wilson@example.com' },
  { id: '966365811', name: 'Scott Thompson', email: 'scott.thompson@example.com' },
];

export const DEMO_GROUPS = [
  { id: '1201', name: 'Finance' },
  { id: '1202', name: 'Sales Operations' },
];

export const DEMO_DATASETS = {
  sales: '3f5a1b2c-7d4e-4f60-9a8b-1c2d3e4f5a60',
  customers: '8c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f',
  sessions: 'b7e6d5c4-b3a2-4918-8f7e-6d5c4b3a2918',
  targets: '0a9b8c7d-6e5f-4a3b-9c2d-1e0f9a8b7c6d',
  staging: 'e2d4f6a8-1b3c-4d5e-8f70-a1b2c3d4e5f6',
} as const;

interface DemoDataset {
  id: string;
  name: string;
  description: string;
  owner: number;
  provider: string;
  columns: DomoSchemaColumn[];
  /** SELECT over `range(n)` producing the rows in column order; absent for an empty dataset. */
  rows?: (n: number) => string;
  count: number;
  tags: string[];
}

const col = (name: string, type: DomoSchemaColumn['type']): DomoSchemaColumn => ({ name, type });

function demoDatasets(largeRows: number): DemoDataset[] {
  return [
    {
      id: DEMO_DATASETS.sales,
      name: 'Sales Transactions',
      description: 'Every order line since 2023, one row per line item.',
      owner: 0,
      provider: 'api',
      count: largeRows,
      tags: ['sales', 'finance'],
      columns: [
        col('transaction_id', 'LONG'),
        col('region', 'STRING'),
        col('product', 'STRING'),
        col('quantity', 'LONG'),
        col('unit_price', 'DECIMAL'),
        col('discount', 'DOUBLE'),
        col('order_date', 'DATE'),
        col('created_at', 'DATETIME'),
      ],
      rows: (n) => `SELECT
          i + 1,
          ['North', 'South', 'East', 'West', 'Central'][(i % 5) + 1],
          ['Widget', 'Gadget', 'Gizmo', 'Doohickey', 'Sprocket', 'Flange', 'Bracket'][(i * 3 % 7) + 1],
          1 + (i * 37 % 20),
          round(5 + (i * 7919 % 50000) / 100.0, 2)::DECIMAL(38,10),
          (i * 13 % 30) / 100.0,
          DATE '2023-01-01' + CAST(i % 730 AS INTEGER),
          TIMESTAMP '2023-01-01 08:00:00' + to_seconds(i * 317)
        FROM range(${n}) t(i)`,
    },
    {
      id: DEMO_DATASETS.customers,
      name: 'Customers',
      description: 'Customer master data with lifetime value.',
      owner: 1,
      provider: 'webform',
      count: 500,
      tags: ['crm'],
      columns: [
        col('customer_id', 'LONG'),
        col('name', 'STRING'),
        col('email', 'STRING'),
        col('country', 'STRING'),
        col('signup_date', 'DATE'),
        col('lifetime_value', 'DECIMAL'),
      ],
      rows: (n) => `SELECT
          1000 + i,
          ['Ada', 'Grace', 'Alan', 'Edsger', 'Barbara', 'Donald', 'Frances', 'Ken'][(i % 8) + 1] || ' ' ||
            ['Lovelace', 'Hopper', 'Turing', 'Dijkstra', 'Liskov', 'Knuth', 'Allen', 'Thompson'][((i // 8) % 8) + 1],
          'customer' || (1000 + i) || '@example.com',
          ['US', 'DE', 'FR', 'JP', 'BR', 'IN'][(i % 6) + 1],
          DATE '2020-01-01' + CAST(i * 3 AS INTEGER),
          round((i * 104729 % 1000000) / 100.0, 2)::DECIMAL(38,10)
        FROM range(${n}) t(i)`,
    },
    {
      id: DEMO_DATASETS.sessions,
      name: 'Website Sessions',
      description: 'Web analytics sessions by traffic source.',
      owner: 2,
      provider: 'google-analytics',
      count: 5000,
      tags: ['marketing', 'web'],
      columns: [
        col('session_id', 'STRING'),
        col('started_at', 'DATETIME'),
        col('duration_seconds', 'DOUBLE'),
        col('pages', 'LONG'),
        col('source', 'STRING'),
      ],
      rows: (n) => `SELECT
          's-' || lpad(CAST(i AS VARCHAR), 6, '0'),
          TIMESTAMP '2024-06-01 00:00:00' + to_seconds(i * 523),
          round((i * 7333 % 60000) / 100.0, 2),
          1 + (i * 11 % 15),
          ['organic', 'paid', 'email', 'social', 'direct'][(i % 5) + 1]
        FROM range(${n}) t(i)`,
    },
    {
      id: DEMO_DATASETS.targets,
      name: 'Regional Targets',
      description: 'Quarterly revenue targets per region.',
      owner: 3,
      provider: 'webform',
      count: 20,
      tags: ['finance', 'planning'],
      columns: [
        col('region', 'STRING'),
        col('quarter', 'STRING'),
        col('target', 'DOUBLE'),
        col('stretch', 'DECIMAL'),
      ],
      rows: (n) => `SELECT
          ['North', 'South', 'East', 'West', 'Central'][(i % 5) + 1],
          '2025-Q' || CAST((i // 5) + 1 AS VARCHAR),
          100000 + i * 2500.5,
          round((100000 + i * 2500.5) * 1.2, 2)::DECIMAL(38,10)
        FROM range(${n}) t(i)`,
    },
    {
      id: DEMO_DATASETS.staging,
      name: 'Empty Staging',
      description: 'An empty dataset ready for uploads.',
      owner: 0,
      provider: 'api',
      count: 0,
      tags: [],
      columns: [
        col('id', 'LONG'),
        col('payload', 'STRING'),
        col('amount', 'DOUBLE'),
        col('loaded_at', 'DATETIME'),
      ],
    },
  ];
}

/** Seeds the demo datasets that are not there yet (a persistent store keeps what it had). */
export async function seedDemoData(store: SandboxStore, options: { largeRows: number }): Promise<void> {
  for (const [index, demo] of demoDatasets(options.largeRows).entries()) {
    if (store.hasDataset(demo.id)) continue;
    const owner = DEMO_USERS[demo.owner]!;
    const created = SEED_EPOCH_MS + index * 86_400_000;
    // refreshCounts below sets lastTouched/lastUpdated an hour after creation.
    const dataset = datasetMetadata({
      id: demo.id,
      name: demo.name,
      description: demo.description,
      provider: demo.provider,
      owner,
      created,
      transportType: demo.provider === 'api' ? 'API' : 'CONNECTOR',
      tags: demo.tags,
      columnCount: demo.columns.length,
    });
    await store.createDataset(dataset, demo.columns);
    if (demo.rows && demo.count > 0) {
      await store.run(`INSERT INTO ${tableName(demo.id)} ${demo.rows(demo.count)}`);
    }
    await store.refreshCounts(demo.id, created + 3_600_000);
  }
  await seedAccessData(store);
  await seedStreams(store);
  await seedUploads(store);
}
