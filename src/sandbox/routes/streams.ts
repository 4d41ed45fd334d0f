/** Streams: get, create, update, execute and execution history, backed by the catalog. */
import { randomUUID } from 'node:crypto';
import { parseAdvancedSchedule } from '../../domo/schedule.ts';
import {
  DOMO_UPDATE_METHODS,
  type DomoAccessEntry,
  type DomoDataProvider,
  type DomoDataSource,
  type DomoStreamWriteRequest,
} from '../../domo/types.ts';
import { ACCESS_KIND } from '../access-state.ts';
import { badRequest, newToe, notFound, SandboxError } from '../errors.ts';
import { datasetMetadata } from '../metadata.ts';
import type { Router } from '../router.ts';
import { DEMO_USERS } from '../seed.ts';
import type { SandboxStore } from '../store.ts';
import {
  composeStream,
  EXECUTIONS_KIND,
  executionRecord,
  newestFirst,
  nextExecutionId,
  nextStreamId,
  PROVIDER_KIND,
  STREAM_KIND,
  type StoredExecutions,
  type StoredStream,
  scheduleExpressionFor,
  scheduleStateFor,
  settleExecutions,
  storedExecutions,
  storedStream,
} from '../streams.ts';

export interface StreamRouteOptions {
  /** Milliseconds an API-started execution stays RUNNING before a read sees it succeed. */
  executionSettleMs: number;
}

/** The sandbox does not know who holds the token; writes are attributed to the first demo user. */
const ACTING_USER = Number(DEMO_USERS[0]!.id);

function streamId(raw: string | undefined): number {
  if (!raw || !/^\d{1,15}$/.test(raw)) throw notFound(`Stream ${raw ?? ''} not found`);
  return Number(raw);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return !!value && typeof value === 'object' && !Array.isArray(value);
}

const nonEmpty = (value: unknown): value is string => typeof value === 'string' && value.trim() !== '';

interface ValidWrite {
  body: DomoStreamWriteRequest;
  provider: DomoDataProvider;
}

/** Checks a create/update body against the API doc's parameter table; a problem answers 400. */
function validateWrite(store: SandboxStore, raw: unknown): ValidWrite {
  if (!isRecord(raw)) throw badRequest('the body must be a JSON object');
  const { transport, configuration, account, updateMethod, dataProvider, dataSource, advancedScheduleJson } =
    raw;
  if (!isRecord(transport) || !nonEmpty(transport.type)) throw badRequest('transport.type is required');
  for (const key of ['description', 'version'] as const) {
    if (transport[key] !== undefined && typeof transport[key] !== 'string')
      throw badRequest(`transport.${key} must be a string`);
  }
  if (!Array.isArray(configuration)) throw badRequest('configuration must be an array');
  const names = new Set<string>();
  for (const item of configuration) {
    if (!isRecord(item) || !nonEmpty(item.name)) throw badRequest('every configuration item needs a name');
    if (typeof item.value !== 'string') throw badRequest(`configuration ${item.name} needs a string value`);
    if (names.has(item.name)) throw badRequest(`configuration ${item.name} appears twice`);
    names.add(item.name);
  }
  if (account === undefined) throw badRequest('account is required');
  if (
    account !== null &&
    (!isRecord(account) || !Number.isSafeInteger(account.id) || Number(account.id) <= 0)
  )
    throw badRequest('account.id must be a positive integer');
  if (!(DOMO_UPDATE_METHODS as readonly unknown[]).includes(updateMethod))
    throw badRequest(`updateMethod must be one of ${DOMO_UPDATE_METHODS.join(', ')}`);
  if (!isRecord(dataProvider) || !nonEmpty(dataProvider.key))
    throw badRequest('dataProvider.key is required');
  const provider = store.getDoc<DomoDataProvider>(PROVIDER_KIND, dataProvider.key);
  if (!provider) throw badRequest(`Data provider ${dataProvider.key} not found`);
  if (!isRecord(dataSource) || !nonEmpty(dataSource.name)) throw badRequest('dataSource.name is required');
  if (dataSource.description !== undefined && typeof dataSource.description !== 'string')
    throw badRequest('dataSource.description must be a string');
  if (advancedScheduleJson !== undefined && advancedScheduleJson !== null) {
    if (typeof advancedScheduleJson !== 'string' || !parseAdvancedSchedule(advancedScheduleJson))
      throw badRequest('advancedScheduleJson must be a JSON object with a type, as a string');
  }
  return { body: raw as unknown as DomoStreamWriteRequest, provider };
}

function configurationOf(body: DomoStreamWriteRequest): StoredStream['configuration'] {
  return body.configuration.map((item) => ({
    category: item.category ?? 'METADATA',
    name: item.name,
    type: item.type ?? 'string',
    value: item.value,
  }));
}

export function streamRoutes(router: Router, store: SandboxStore, options: StreamRouteOptions): void {
  const read = async (id: number) => {
    const stream = storedStream(store, id);
    if (!stream) throw notFound(`Stream ${id} not found`);
    const executions = await settleExecutions(store, id, Date.now(), options.executionSettleMs);
    return { stream, executions };
  };

  router.get('/api/data/v1/streams/:id', async (req) => {
    const { stream, executions } = await read(streamId(req.params.id));
    return { body: composeStream(store, stream, executions) };
  });

  router.get('/api/data/v1/streams/:id/history/aggregate', async (req) => {
    const { executions } = await read(streamId(req.params.id));
    return { body: newestFirst(executions) };
  });

  router.post('/api/data/v1/streams', async (req) => {
    const { body, provider } = validateWrite(store, await req.json());
    {
      // Synchronous from here to the writes: putDoc claims the ids in memory before it awaits.
      const now = Date.now();
      const id = nextStreamId(store);
      const datasetId = randomUUID();
      const schedule = body.advancedScheduleJson ?? null;
      const dataset = datasetMetadata({
        id: datasetId,
        name: body.dataSource.name,
        description: body.dataSource.description ?? '',
        provider: provider.key,
        owner: DEMO_USERS[0]!,
        created: now,
        transportType: body.transport.type,
        streamId: id,
        scheduleActive: scheduleStateFor(schedule) === 'ACTIVE',
      });
      const stream: StoredStream = {
        id,
        valid: true,
        invalidExecutionId: null,
        transport: body.transport,
        updateMethod: body.updateMethod,
        dataProvider: provider,
        account: body.account,
        dataSourceId: datasetId,
        scheduleExpression: scheduleExpressionFor(schedule),
        scheduleStartDate: null,
        advancedScheduleJson: schedule,
        scheduleRetryExpression: null,
        scheduleRetryCount: 0,
        createdAt: Math.floor(now / 1000),
        createdBy: ACTING_USER,
        modifiedAt: Math.floor(now / 1000),
        modifiedBy: ACTING_USER,
        scheduleState: scheduleStateFor(schedule),
        scheduleAssertion: false,
        inactiveScheduleCode: null,
        configuration: configurationOf(body),
      };
      // No table: DuckDB has no zero-column tables, and a stream's dataset has no schema until it runs.
      await Promise.all([
        store.putDoc(STREAM_KIND, String(id), stream),
        store.putDoc('schema', datasetId, { columns: [] }),
        store.putDoc('dataset', datasetId, dataset),
        store.putDoc<StoredExecutions>(EXECUTIONS_KIND, String(id), { executions: [] }),
        // Like a dataset created alone: its owner is on its access list.
        store.putDoc<DomoAccessEntry[]>(ACCESS_KIND, datasetId, [
          { type: 'USER', id: DEMO_USERS[0]!.id, accessLevel: 'OWNER', name: DEMO_USERS[0]!.name },
        ]),
      ]);
      return { body: composeStream(store, stream, []) };
    }
  });

  router.put('/api/data/v1/streams/:id', async (req) => {
    const id = streamId(req.params.id);
    if (!storedStream(store, id)) throw notFound(`Stream ${id} not found`);
    const { body, provider } = validateWrite(store, await req.json());
    {
      const current = storedStream(store, id);
      if (!current) throw notFound(`Stream ${id} not found`);
      const now = Math.floor(Date.now() / 1000);
      // The doc marks advancedScheduleJson optional: leaving it out keeps the schedule.
      const schedule =
        body.advancedScheduleJson === undefined
          ? (current.advancedScheduleJson ?? null)
          : body.advancedScheduleJson;
      const stream: StoredStream = {
        ...current,
        transport: body.transport,
        updateMethod: body.updateMethod,
        dataProvider: current.dataProvider?.key === provider.key ? current.dataProvider : provider,
        account: body.account,
        advancedScheduleJson: schedule,
        scheduleExpression: scheduleExpressionFor(schedule),
        scheduleState: scheduleStateFor(schedule),
        configuration: configurationOf(body),
        modifiedAt: now,
        modifiedBy: ACTING_USER,
      };
      const dataset = store.getDoc<DomoDataSource>('dataset', current.dataSourceId);
      const writes: Array<Promise<unknown>> = [store.putDoc(STREAM_KIND, String(id), stream)];
      if (dataset) {
        writes.push(
          store.putDoc<DomoDataSource>('dataset', dataset.id, {
            ...dataset,
            name: body.dataSource.name,
            description: body.dataSource.description ?? dataset.description ?? '',
            transportType: body.transport.type,
            scheduleActive: stream.scheduleState === 'ACTIVE',
            lastTouched: now * 1000,
          }),
        );
      }
      await Promise.all(writes);
      return { body: composeStream(store, stream, storedExecutions(store, id)) };
    }
  });

  router.post('/api/data/v1/streams/:id/executions', async (req) => {
    const id = streamId(req.params.id);
    const body = await req.json();
    if (!isRecord(body) || !nonEmpty(body.action)) throw badRequest('action is required, e.g. "MANUAL"');
    if (body.action.toUpperCase() !== 'MANUAL') throw badRequest(`unsupported action ${body.action}`);
    const { stream } = await read(id);
    {
      // Synchronous from the check to putDoc, so two executions cannot both start.
      const executions = storedExecutions(store, id);
      if (executions.some((e) => e.execution.currentState === 'RUNNING'))
        throw new SandboxError(409, `Stream ${id} is already executing`);
      const nowMs = Date.now();
      const execution = executionRecord({
        streamId: id,
        executionId: nextExecutionId(store),
        toe: newToe(),
        containerManagerId: `cm-${randomUUID()}`,
        startedAt: Math.floor(nowMs / 1000),
        endedAt: null,
        state: 'RUNNING',
        updateMethod: stream.updateMethod ?? 'REPLACE',
        runType: 'MANUAL',
        startedBy: ACTING_USER,
        rows: 0,
      });
      await store.putDoc<StoredExecutions>(EXECUTIONS_KIND, String(id), {
        executions: [...executions, { execution, startedAtMs: nowMs }],
      });
      // The API doc answers an empty object.
      return { body: {} };
    }
  });
}
