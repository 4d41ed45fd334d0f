/**
 * What each subscription watches, as the API doc has it: a stream run in the stream's execution
 * history (`GET /api/data/v1/streams/{id}/history/aggregate`; Domo has no endpoint for one
 * execution), an indexing run (`GET /api/data/v3/datasources/{id}/indexes/{indexId}/statuses`), and a
 * dataset's metadata and data versions (`GET …/datasources/{id}`, `…/dataversions/details`).
 * GraphQL-free: src/graph/types/live.ts turns the states into the schema's types.
 */
import type { DomoClient } from '../domo/client.ts';
import type { IndexStatusResult } from '../domo/datasets.ts';
import { DOMO_EXECUTION_STATES, type DomoStreamExecution } from '../domo/types.ts';
import { LiveError, type WatchSpec } from './hub.ts';

/** A Domo client for a poller: the caller's credentials, the poller's signal. */
export type PollClient = (signal: AbortSignal) => DomoClient;

const RUNNING_STATES = new Set(['QUEUED', 'RUNNING']);
/** Every execution state Domo documents but QUEUED and RUNNING ends a run. */
const FINAL_EXECUTION_STATES = new Set<string>(DOMO_EXECUTION_STATES.filter((s) => !RUNNING_STATES.has(s)));
const FINAL_INDEX_STATES = new Set(['COMPLETE', 'FAILED']);

export function executionWatch(
  client: PollClient,
  callerId: string,
  streamId: string,
  executionId: string,
): WatchSpec<DomoStreamExecution> {
  return {
    kind: 'execution',
    objectId: `${streamId}/${executionId}`,
    callerId,
    async poll(signal) {
      const history = await client(signal).streams.history(streamId);
      const execution = history.find((e) => String(e.executionId) === executionId);
      if (!execution)
        throw new LiveError('not_found', `execution ${executionId} of stream ${streamId} was not found`);
      return execution;
    },
    terminal: (execution) => FINAL_EXECUTION_STATES.has(String(execution.currentState)),
  };
}

export function indexWatch(
  client: PollClient,
  callerId: string,
  datasetId: string,
  indexId: string,
): WatchSpec<IndexStatusResult & { datasetId: string }> {
  return {
    kind: 'index',
    objectId: `${datasetId}/${indexId}`,
    callerId,
    async poll(signal) {
      return { ...(await client(signal).datasets.indexStatus(datasetId, indexId)), datasetId };
    },
    terminal: (status) => FINAL_INDEX_STATES.has(String(status.status)),
  };
}

/** A dataset's data as a subscriber sees it change: its counts, its last update, its versions. */
export interface DatasetState {
  datasetId: string;
  /** The dataset was deleted (or became invisible to this caller): the last state. */
  deleted: boolean;
  rowCount: number | null;
  columnCount: number | null;
  /** Epoch ms, as Domo's metadata has it. */
  lastUpdated: number | null;
  dataVersions: Array<{ dataVersionId: string; status: string | null; rowCount: number | null }>;
}

export function datasetWatch(
  client: PollClient,
  callerId: string,
  datasetId: string,
): WatchSpec<DatasetState> {
  return {
    kind: 'dataset',
    objectId: datasetId,
    callerId,
    async poll(signal) {
      const domo = client(signal);
      const [dataset, versions] = await Promise.all([
        domo.datasets.get(datasetId),
        domo.versions.dataVersions(datasetId),
      ]);
      return {
        datasetId,
        deleted: false,
        rowCount: dataset.rowCount ?? null,
        columnCount: dataset.columnCount ?? null,
        lastUpdated: typeof dataset.lastUpdated === 'number' ? dataset.lastUpdated : null,
        dataVersions: versions.map((v) => ({
          dataVersionId: String(v.dataVersionId),
          status: v.status ?? null,
          rowCount: v.rowCount ?? null,
        })),
      };
    },
    terminal: (state) => state.deleted,
    onFailure: (error) =>
      error.kind === 'not_found'
        ? {
            state: {
              datasetId,
              deleted: true,
              rowCount: null,
              columnCount: null,
              lastUpdated: null,
              dataVersions: [],
            },
            terminal: true,
          }
        : undefined,
  };
}
