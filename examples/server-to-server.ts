/**
 * A server-to-server flow through the typed client: create a dataset, share it with a user and a
 * group, tag it, run a stream and wait for the run, change a property, read it back, clean up.
 *
 *   npm start                                  # the gateway on the built-in sandbox, in another shell
 *   npx tsx examples/server-to-server.ts
 *
 * Environment (all optional): DOMO_GRAPH_URL (default http://localhost:4000/graphql),
 * DOMO_GRAPH_TOKEN (a Domo developer token; not needed when the gateway holds its own),
 * DOMO_GRAPH_SHARE_USER / DOMO_GRAPH_SHARE_GROUP (ids to share with; default a demo user and group of
 * the sandbox), DOMO_GRAPH_STREAM_ID (run this stream instead of creating one), and for a created
 * stream DOMO_GRAPH_ACCOUNT_ID (default 3, as in the API doc's example).
 *
 * The API has no "delete dataset" or "delete stream": cleanup removes the shares and the tags, and
 * the dataset and the stream stay.
 */
import { pathToFileURL } from 'node:url';
import {
  AddTagsDocument,
  type AddTagsMutation,
  CreateDatasetDocument,
  type CreateDatasetMutation,
  CreateStreamDocument,
  type CreateStreamMutation,
  createDomoGraphClient,
  DatasetDocument,
  type DatasetQuery,
  type DomoGraphClient,
  ExecuteStreamDocument,
  type ExecuteStreamMutation,
  RemoveUsersDocument,
  type RemoveUsersMutation,
  RevokeAccessDocument,
  type RevokeAccessMutation,
  SetTagsDocument,
  type SetTagsMutation,
  ShareDatasetDocument,
  type ShareDatasetMutation,
  SqlDocument,
  type SqlQuery,
  StreamStatusDocument,
  type StreamStatusQuery,
  UpdatePropertiesDocument,
  type UpdatePropertiesMutation,
} from '../src/sdk/index.ts';

export interface FlowOptions {
  /** Name of the new dataset. */
  name: string;
  /** User to share with (and revoke). */
  userId: string;
  /** Group to share with (and remove). */
  groupId: string;
  /** Run this stream; default: the dataset's own stream if it has one, else a new stream. */
  streamId?: string;
  /** Account of a created stream (the API doc marks `account` required). */
  accountId?: number;
  /** How long to wait for the run, in ms (default 60 s). */
  timeoutMs?: number;
  /** Pause between status reads, in ms (default 250). */
  pollMs?: number;
  /** Where each step is reported (default: nowhere). */
  log?: (line: string) => void;
}

/** What each step answered, for a caller (or a test) to check. */
export interface FlowResult {
  datasetId: string;
  created: CreateDatasetMutation['createDataset'];
  shared: ShareDatasetMutation['shareDataset'];
  tagged: SetTagsMutation['setDatasetTags'];
  added: AddTagsMutation['addDatasetTags'];
  /** The stream created for the flow; null when an existing stream ran. */
  createdStream: CreateStreamMutation['createStream'] | null;
  streamId: string;
  executed: ExecuteStreamMutation['executeStream'];
  /** The stream once the run had finished. */
  finished: NonNullable<StreamStatusQuery['stream']>;
  properties: UpdatePropertiesMutation['updateDatasetProperties'];
  read: NonNullable<DatasetQuery['dataset']>;
  sql: SqlQuery['sql'];
  revoked: RevokeAccessMutation['revokeDatasetAccess'];
  removed: RemoveUsersMutation['removeDatasetUsers'];
  untagged: SetTagsMutation['setDatasetTags'];
}

const FAILED_STATES = new Set(['FAILED', 'ERROR', 'ABORTED', 'CANCELLED']);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs the flow; every step is one typed request. Throws DomoGraphError on the first failure. */
export async function serverToServer(client: DomoGraphClient, options: FlowOptions): Promise<FlowResult> {
  const log = options.log ?? (() => {});

  // 1. A dataset with columns (POST /api/data/v2/datasources).
  const { createDataset: created } = await client.request(CreateDatasetDocument, {
    name: options.name,
    columns: [
      { name: 'Friend', type: 'STRING' },
      { name: 'Attending', type: 'STRING' },
      { name: 'Guests', type: 'LONG' },
    ],
  });
  const datasetId = created.datasetId;
  log(`1. created dataset ${datasetId} (${created.dataset?.columns.map((c) => c.name).join(', ')})`);

  // 2. Share it with a user and a group (POST …/share).
  const { shareDataset: shared } = await client.request(ShareDatasetDocument, {
    datasetId,
    grants: [
      { principalId: options.userId, type: 'USER', accessLevel: 'CAN_EDIT' },
      { principalId: options.groupId, type: 'GROUP', accessLevel: 'CAN_VIEW' },
    ],
    sendEmail: false,
  });
  log(
    `2. shared: ${shared.access?.entries.map((e) => `${e.type} ${e.principalId} ${e.accessLevel}`).join('; ')}`,
  );

  // 3. Tag it: set the list, then add one (each is one POST …/tags with the whole list).
  const { setDatasetTags: tagged } = await client.request(SetTagsDocument, {
    datasetId,
    tags: ['server-to-server', 'example'],
  });
  const { addDatasetTags: added } = await client.request(AddTagsDocument, { datasetId, tags: ['rsvp'] });
  log(`3. tagged: ${added.dataset?.tags.join(', ')}`);

  // 4. Its stream: the dataset's own when it has one (or the one asked for), else a new one. The
  // API's stream create makes its own dataset, so a new stream feeds a dataset of its own.
  let createdStream: FlowResult['createdStream'] = null;
  let streamId = options.streamId ?? (created.dataset?.streamId ? String(created.dataset.streamId) : '');
  if (!streamId) {
    const result = await client.request(CreateStreamDocument, {
      input: {
        transport: { type: 'CONNECTOR', description: 'com.domo.connector.snowflakeunloadv2', version: '1' },
        configuration: [
          { name: 'query', value: 'SELECT * FROM table', type: 'string', category: 'METADATA' },
        ],
        account: { id: options.accountId ?? 3 },
        updateMethod: 'APPEND',
        dataProvider: { key: 'snowflake-unload-v2' },
        dataSource: { name: `${options.name} feed`, description: 'Feeds the server-to-server flow' },
        schedule: { type: 'MANUAL', timezone: 'UTC' },
      },
    });
    createdStream = result.createStream;
    if (!createdStream) throw new Error('createStream answered no stream');
    streamId = String(createdStream.streamId);
    log(`4. created stream ${streamId} (its dataset ${createdStream.datasetId})`);
  } else {
    log(`4. using stream ${streamId}`);
  }

  // 5. Run it (POST …/executions {"action":"MANUAL"}) and wait until the run has finished.
  const { executeStream: executed } = await client.request(ExecuteStreamDocument, { streamId });
  if (!executed) throw new Error(`executeStream answered nothing for stream ${streamId}`);
  const executionId = executed.executionId;
  log(`5. started execution ${executionId ?? '(id not reported)'} of stream ${streamId}`);
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  let finished: FlowResult['finished'];
  for (;;) {
    const { stream } = await client.request(StreamStatusDocument, { id: streamId });
    if (!stream) throw new Error(`stream ${streamId} is gone`);
    const run = stream.currentExecution ?? stream.lastExecution;
    const ours = executionId === null || run?.executionId === executionId;
    if (ours && run && !stream.currentExecution) {
      if (run.currentState === 'SUCCESS') {
        finished = stream;
        break;
      }
      if (FAILED_STATES.has(run.currentState ?? run.currentStateName ?? '')) {
        throw new Error(`execution ${run.executionId} of stream ${streamId} ended ${run.currentStateName}`);
      }
    }
    if (Date.now() > deadline) throw new Error(`execution of stream ${streamId} did not finish in time`);
    await sleep(options.pollMs ?? 250);
  }
  log(`   execution ${finished.lastExecution?.executionId} ${finished.lastExecution?.currentState}`);

  // 6. Change a property (PUT …/properties), as in the API doc's example.
  const { updateDatasetProperties: properties } = await client.request(UpdatePropertiesDocument, {
    datasetId,
    dataProviderType: 'domo-jupyterdata',
  });
  log(`6. dataProviderType is now ${properties.dataset?.dataProviderType}`);

  // 7. Read it back, and run SQL on it.
  const { dataset: read } = await client.request(DatasetDocument, { id: datasetId });
  if (!read) throw new Error(`dataset ${datasetId} is gone`);
  const { sql } = await client.request(SqlDocument, {
    datasetId,
    sql: 'SELECT COUNT(*) AS n FROM table',
  });
  log(`7. read: ${read.name}, ${read.access.entries.length} with access, ${sql.objects[0]?.n ?? 0} rows`);

  // 8. Clean up: revoke the user (DELETE …/permissions/USER/:id), remove the group (DELETE …/users
  // with [{id, type}]) and clear the tags.
  const { revokeDatasetAccess: revoked } = await client.request(RevokeAccessDocument, {
    datasetId,
    userId: options.userId,
  });
  const { removeDatasetUsers: removed } = await client.request(RemoveUsersDocument, {
    datasetId,
    principals: [{ principalId: options.groupId, type: 'GROUP' }],
  });
  const { setDatasetTags: untagged } = await client.request(SetTagsDocument, { datasetId, tags: [] });
  log(
    `8. cleaned up: access ${removed.access?.entries.map((e) => `${e.type} ${e.principalId}`).join('; ')}, tags [${untagged.dataset?.tags.join(', ')}]`,
  );

  return {
    datasetId,
    created,
    shared,
    tagged,
    added,
    createdStream,
    streamId,
    executed,
    finished,
    properties,
    read,
    sql,
    revoked,
    removed,
    untagged,
  };
}

async function main(): Promise<void> {
  const env = process.env;
  const url = env.DOMO_GRAPH_URL ?? 'http://localhost:4000/graphql';
  const client = createDomoGraphClient({
    url,
    ...(env.DOMO_GRAPH_TOKEN ? { token: env.DOMO_GRAPH_TOKEN } : {}),
  });
  console.log(`domo-graph at ${url}`);
  await serverToServer(client, {
    name: `Server-to-server ${new Date().toISOString()}`,
    userId: env.DOMO_GRAPH_SHARE_USER ?? '1893952720',
    groupId: env.DOMO_GRAPH_SHARE_GROUP ?? '1201',
    ...(env.DOMO_GRAPH_STREAM_ID ? { streamId: env.DOMO_GRAPH_STREAM_ID } : {}),
    ...(env.DOMO_GRAPH_ACCOUNT_ID ? { accountId: Number(env.DOMO_GRAPH_ACCOUNT_ID) } : {}),
    log: (line) => console.log(line),
  });
  console.log('done');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    // DomoGraphError's message names the operation and the code, never the token.
    console.error(error instanceof Error ? `${error.name}: ${error.message}` : error);
    process.exit(1);
  });
}
