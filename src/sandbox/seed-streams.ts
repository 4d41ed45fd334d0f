/**
 * Demo streams: one per demo dataset (its `streamId` set in the dataset's metadata), each with a few
 * finished executions. Deterministic: ids, toes and times derive from SEED_EPOCH_MS and indexes.
 */
import type { DomoDataSource, DomoStreamAccount } from '../domo/types.ts';
import { DEMO_DATASETS, DEMO_USERS, SEED_EPOCH_MS } from './seed.ts';
import type { SandboxStore } from './store.ts';
import {
  demoProviders,
  EXECUTIONS_KIND,
  executionRecord,
  PROVIDER_KIND,
  STREAM_KIND,
  type StoredExecutions,
  type StoredStream,
  scheduleExpressionFor,
  scheduleStateFor,
  storedStream,
} from './streams.ts';

/** Stream ids of the demo datasets. */
export const DEMO_STREAMS = {
  sales: 101,
  customers: 102,
  sessions: 103,
  targets: 104,
  staging: 105,
} as const;

interface DemoStream {
  dataset: keyof typeof DEMO_DATASETS;
  transport: { type: string; description: string; version: string };
  provider: string;
  updateMethod: string;
  schedule: string;
  account: DomoStreamAccount | null;
  configuration: Array<{ name: string; value: string }>;
  /** Finished executions to seed, oldest first; FAILED ones carry an error. */
  runs: Array<'SUCCESS' | 'FAILED'>;
}

const DEMO: DemoStream[] = [
  {
    dataset: 'sales',
    transport: { type: 'API', description: 'com.domo.connector.api', version: '0' },
    provider: 'api',
    updateMethod: 'APPEND',
    schedule: '{"type":"DAY","timezone":"UTC","between":null,"interval":1,"hour":6,"minute":0}',
    account: null,
    configuration: [{ name: 'source', value: 'orders-service' }],
    runs: ['SUCCESS', 'SUCCESS', 'SUCCESS', 'SUCCESS'],
  },
  {
    dataset: 'customers',
    transport: { type: 'WEBFORM', description: 'com.domo.connector.webform', version: '0' },
    provider: 'webform',
    updateMethod: 'REPLACE',
    schedule: '{"type":"MANUAL","timezone":"UTC"}',
    account: null,
    configuration: [],
    runs: ['SUCCESS', 'SUCCESS'],
  },
  {
    dataset: 'sessions',
    transport: { type: 'CONNECTOR', description: 'com.domo.connector.google.analytics', version: '4' },
    provider: 'google-analytics',
    updateMethod: 'REPLACE',
    schedule: '{"type":"MINUTE","timezone":"UTC","between":null,"interval":30}',
    account: {
      id: 7,
      name: 'Google Analytics (demo)',
      displayName: 'Google Analytics (demo)',
      dataProviderType: 'google-analytics',
      valid: true,
    },
    configuration: [
      { name: 'retry.retryNumber', value: '0' },
      { name: 'report', value: 'sessions_by_source' },
    ],
    runs: ['SUCCESS', 'SUCCESS', 'FAILED', 'SUCCESS', 'SUCCESS'],
  },
  {
    dataset: 'targets',
    transport: { type: 'WEBFORM', description: 'com.domo.connector.webform', version: '0' },
    provider: 'webform',
    updateMethod: 'REPLACE',
    schedule: '{"type":"MANUAL","timezone":"America/Denver"}',
    account: null,
    configuration: [],
    runs: ['SUCCESS', 'SUCCESS', 'SUCCESS'],
  },
  {
    dataset: 'staging',
    transport: { type: 'API', description: 'com.domo.connector.api', version: '0' },
    provider: 'api',
    updateMethod: 'APPEND',
    schedule: '{"type":"MANUAL","timezone":"UTC"}',
    account: null,
    configuration: [],
    runs: ['SUCCESS'],
  },
];

/** A toe-shaped id from a number, so seeded executions keep the same toe on every start. */
function seedToe(n: number): string {
  const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
  let x = n * 2_654_435_761;
  const pick = (length: number) =>
    Array.from({ length }, () => {
      x = (x * 1_103_515_245 + 12_345) % 2_147_483_648;
      return chars[x % chars.length];
    }).join('');
  return `${pick(10)}-${pick(5)}-${pick(5)}`;
}

/** Seeds the demo streams that are not there yet (a persistent store keeps what it had). */
export async function seedStreams(store: SandboxStore): Promise<void> {
  for (const provider of demoProviders(SEED_EPOCH_MS)) {
    if (!store.getDoc(PROVIDER_KIND, provider.key)) await store.putDoc(PROVIDER_KIND, provider.key, provider);
  }
  let executionId = 5001;
  for (const demo of DEMO) {
    const streamId = DEMO_STREAMS[demo.dataset];
    const datasetId = DEMO_DATASETS[demo.dataset];
    const seededRuns = demo.runs.length;
    const firstExecutionId = executionId;
    executionId += seededRuns;
    const dataset = store.getDoc<DomoDataSource>('dataset', datasetId);
    if (!dataset || storedStream(store, streamId)) continue;

    const owner = Number(dataset.owner?.id ?? DEMO_USERS[0]!.id);
    const createdAt = Math.floor((dataset.created ?? SEED_EPOCH_MS) / 1000);
    const provider = store.getDoc(PROVIDER_KIND, demo.provider);
    const stream: StoredStream = {
      id: streamId,
      valid: true,
      invalidExecutionId: null,
      transport: demo.transport,
      updateMethod: demo.updateMethod,
      dataProvider: provider as StoredStream['dataProvider'],
      account: demo.account,
      dataSourceId: datasetId,
      scheduleExpression: scheduleExpressionFor(demo.schedule),
      scheduleStartDate: null,
      advancedScheduleJson: demo.schedule,
      scheduleRetryExpression: null,
      scheduleRetryCount: 0,
      createdAt,
      createdBy: owner,
      modifiedAt: createdAt + 3_600,
      modifiedBy: owner,
      scheduleState: scheduleStateFor(demo.schedule),
      scheduleAssertion: false,
      inactiveScheduleCode: null,
      configuration: demo.configuration.map((c) => ({ category: 'METADATA', type: 'string', ...c })),
    };
    // One run a day from the dataset's creation; the newest carries the dataset's row count.
    const rows = dataset.rowCount ?? 0;
    const executions: StoredExecutions = {
      executions: demo.runs.map((state, k) => {
        const id = firstExecutionId + k;
        const startedAt = createdAt + 600 + k * 86_400;
        const failed = state === 'FAILED';
        return {
          execution: executionRecord({
            streamId,
            executionId: id,
            toe: seedToe(id),
            containerManagerId: `cm-${String(id).padStart(8, '0')}-5eed-4000-8000-${String(streamId).padStart(12, '0')}`,
            startedAt,
            endedAt: startedAt + 20 + ((id * 7) % 40),
            state,
            updateMethod: demo.updateMethod,
            runType: k === 0 ? 'MANUAL' : 'AUTOMATED',
            startedBy: k === 0 ? owner : null,
            rows: failed ? 0 : Math.max(0, rows - (seededRuns - 1 - k) * Math.floor(rows / 10)),
            errors: failed
              ? [{ code: 'CONNECTOR_TIMEOUT', message: 'The connector did not answer within 600 seconds.' }]
              : [],
          }),
        };
      }),
    };
    await store.putDoc(STREAM_KIND, String(streamId), stream);
    await store.putDoc(EXECUTIONS_KIND, String(streamId), executions);
    await store.putDoc<DomoDataSource>('dataset', datasetId, {
      ...dataset,
      streamId,
      scheduleActive: stream.scheduleState === 'ACTIVE',
    });
  }
}
