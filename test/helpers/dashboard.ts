/**
 * The "dashboard" workload of issue #3: twenty datasets, each with its metadata, owner, stream, last
 * run, five runs, cards and access list. `seedDashboard` adds fifteen datasets to a sandbox through
 * its REST endpoints (cards, which have no write endpoint, go into its store), so with the five demo
 * datasets there are twenty. The integration test and bench/batching.ts share it.
 */
import { createDomoClient } from '../../src/domo/client.ts';
import type { DomoHttp } from '../../src/domo/http.ts';
import type { DomoCard } from '../../src/domo/types.ts';
import { CARDS_KIND, type CardRecord } from '../../src/sandbox/access-state.ts';
import { DEMO_DATASETS, DEMO_GROUPS, DEMO_USERS } from '../../src/sandbox/seed.ts';
import { DEMO_STREAMS } from '../../src/sandbox/seed-streams.ts';
import type { Sandbox } from '../../src/sandbox/server.ts';

export interface DashboardDataset {
  id: string;
  /** Null for a dataset no stream feeds. */
  streamId: number | null;
}

export interface DashboardFixture {
  /** The twenty datasets, demo ones first, in the order the operation asks for them. */
  datasets: DashboardDataset[];
  ids: string[];
}

/** Extra datasets: this many are fed by a stream; the rest have no stream, no card and no grant. */
const EXTRA_STREAMED = 13;
const EXTRA_BARE = 2;

/**
 * Adds 15 datasets to the sandbox: 13 created with a stream (0 to 6 manual runs each, some with
 * cards, drill paths and grants) and 2 bare ones that share nothing with any other dataset (no
 * stream, no card, only their owner in the access list). The sandbox must settle executions at once
 * (`executionSettleMs: 0`), since runs are started one after the other.
 */
export async function seedDashboard(sandbox: Sandbox, http: DomoHttp): Promise<DashboardFixture> {
  const domo = createDomoClient(http, { credentials: { kind: 'developer', token: sandbox.token } });
  const datasets: DashboardDataset[] = (Object.keys(DEMO_DATASETS) as Array<keyof typeof DEMO_DATASETS>).map(
    (key) => ({ id: DEMO_DATASETS[key], streamId: DEMO_STREAMS[key] }),
  );

  for (let i = 0; i < EXTRA_STREAMED; i++) {
    const stream = await domo.streams.create({
      transport: { type: 'API', description: 'com.domo.connector.api', version: '0' },
      configuration: [],
      account: null,
      updateMethod: i % 2 === 0 ? 'APPEND' : 'REPLACE',
      dataProvider: { key: 'api' },
      dataSource: { name: `Dashboard Feed ${i + 1}`, description: `Feed number ${i + 1}.` },
      advancedScheduleJson: '{"type":"MANUAL","timezone":"UTC"}',
    });
    const datasetId = stream.dataSource!.id;
    // 0..6 runs: some streams have none (lastExecution null), some more than the five asked for.
    for (let run = 0; run < i % 7; run++) {
      await domo.streams.execute(stream.id);
      await domo.streams.history(stream.id); // the read that lets the run succeed
    }
    await putCards(sandbox, datasetId, i % 4, 94_000_000 + i * 10);
    if (i % 3 !== 0) {
      await domo.permissions.share(datasetId, {
        permissions: [
          { id: DEMO_USERS[1 + (i % 3)]!.id, type: 'USER', accessLevel: 'CAN_VIEW' },
          ...(i % 2 === 0
            ? [{ id: DEMO_GROUPS[i % 2]!.id, type: 'GROUP' as const, accessLevel: 'CAN_EDIT' as const }]
            : []),
        ],
        sendEmail: false,
      });
    }
    datasets.push({ id: datasetId.toLowerCase(), streamId: stream.id });
  }

  for (let i = 0; i < EXTRA_BARE; i++) {
    const created = await domo.datasets.create({
      userDefinedType: 'api',
      dataSourceName: `Dashboard Bare ${i + 1}`,
      schema: { columns: [{ type: 'STRING', name: 'value' }] },
    });
    datasets.push({ id: created.id.toLowerCase(), streamId: null });
  }
  return { datasets, ids: datasets.map((d) => d.id) };
}

/** Cards have no write endpoint in the API doc: they go straight into the sandbox's store. */
async function putCards(sandbox: Sandbox, datasetId: string, count: number, firstId: number): Promise<void> {
  const owner = DEMO_USERS[count % DEMO_USERS.length]!;
  const records: CardRecord[] = Array.from({ length: count }, (_, k) => {
    const card: DomoCard = {
      id: firstId + k,
      urn: String(firstId + k),
      type: 'kpi',
      chartType: 'badge_vert_bar',
      title: `Card ${k + 1}`,
      ownerId: Number(owner.id),
      owners: [{ id: owner.id, type: 'USER', displayName: owner.name }],
      access: true,
      datasourceId: datasetId,
    };
    return { card, drill: k === 2, views: k };
  });
  await sandbox.store.putDoc(CARDS_KIND, datasetId, records);
}

/** The dashboard operation: everything a frontend shows for each dataset. */
export const DASHBOARD_QUERY = /* GraphQL */ `
  query Dashboard($ids: [ID!]!) {
    datasetsByIds(ids: $ids) {
      id
      domoId
      name
      rowCount
      lastUpdated
      streamId
      owner { id name }
      stream {
        id
        domoId
        updateMethod
        schedule { expression state }
        lastExecution { executionId currentState startedAt endedAt rowsInserted }
        executions(first: 5) {
          totalCount
          edges { cursor node { executionId currentState startedAt rowsInserted } }
        }
      }
      cards { domoId title chartType }
      access { totalUserCount totalGroupCount entries { principalId type name accessLevel } }
    }
  }
`;

/**
 * The fewest upstream calls that answer the dashboard, as sorted "METHOD path" lines: one bulk
 * metadata call, then one stream, one history, one cards and one access call per distinct resource.
 * Owner names, stream ids and last runs are in the payloads already.
 */
export function minimalCalls(datasets: readonly DashboardDataset[]): string[] {
  const ids = [...new Set(datasets.map((d) => d.id))];
  const streams = [...new Set(datasets.flatMap((d) => (d.streamId === null ? [] : [d.streamId])))];
  return [
    'POST /api/data/v3/datasources/bulk',
    ...streams.map((s) => `GET /api/data/v1/streams/${s}`),
    ...streams.map((s) => `GET /api/data/v1/streams/${s}/history/aggregate`),
    ...ids.map((id) => `GET /api/content/v1/datasources/${id}/cards`),
    ...ids.map((id) => `GET /api/data/v3/datasources/${id}/permissions`),
  ].sort();
}

/**
 * What a naive resolver (one call per field per parent, no batching, no reuse of what a payload
 * carries) makes for the dashboard: per dataset its metadata GET and an owner lookup, then, when a
 * stream feeds it, the stream GET, a history GET for lastExecution and another for executions; and
 * the cards and access GETs.
 */
export function naiveCallCount(datasets: readonly DashboardDataset[]): number {
  return datasets.reduce((sum, d) => sum + 2 + (d.streamId === null ? 0 : 3) + 2, 0);
}

/** Sorted "METHOD path" lines of the sandbox's requests from index `from` on. */
export function callsSince(sandbox: Sandbox, from: number): string[] {
  return sandbox.requests
    .slice(from)
    .map((r) => `${r.method} ${r.path}`)
    .sort();
}
