/**
 * Streams (connectors) and their executions: get, create, update, execute, execution history, and
 * the create/update request bodies in the API doc's shape, built from validated parts.
 */
import type { Call } from './call.ts';
import { unexpectedShape } from './call.ts';
import { apiPath, type DomoRequest } from './http.ts';
import type {
  DomoStream,
  DomoStreamExecuteRequest,
  DomoStreamExecution,
  DomoStreamWriteRequest,
} from './types.ts';

/** What a write answered: the stream when Domo sent one back (its answer is undocumented), else null. */
export interface StreamWriteResult {
  stream: DomoStream | null;
  response: unknown;
}

export interface ExecuteResult {
  /** The execution Domo started, when its answer carries one (the doc's answer is an empty `{}`). */
  execution: DomoStreamExecution | null;
  response: unknown;
}

/** The fields of a stream write the caller chose to set, already validated. */
export type StreamWriteParts = Partial<DomoStreamWriteRequest>;

/** The body of a create, in the doc's field order (transport, updateMethod, provider and dataset required). */
export function createStreamBody(
  parts: StreamWriteParts &
    Pick<DomoStreamWriteRequest, 'transport' | 'updateMethod' | 'dataProvider' | 'dataSource'>,
): DomoStreamWriteRequest {
  const body: DomoStreamWriteRequest = {
    transport: parts.transport,
    configuration: parts.configuration ?? [],
    account: parts.account ?? null,
    updateMethod: parts.updateMethod,
    dataProvider: parts.dataProvider,
    dataSource: parts.dataSource,
  };
  if (parts.advancedScheduleJson) body.advancedScheduleJson = parts.advancedScheduleJson;
  return body;
}

/** The body of an update: Domo wants the whole stream, so the parts are laid over the stream as it is. */
export function updateStreamBody(current: DomoStream, parts: StreamWriteParts): DomoStreamWriteRequest {
  const description = current.dataSource?.description;
  const currentDataSource = {
    name: current.dataSource?.name ?? '',
    ...(description !== undefined ? { description } : {}),
  };
  const body: DomoStreamWriteRequest = {
    transport: parts.transport ?? {
      type: current.transport?.type ?? 'CONNECTOR',
      description: current.transport?.description ?? '',
      version: current.transport?.version ?? '0',
    },
    configuration:
      parts.configuration ??
      (current.configuration ?? []).map(({ name, value, type, category }) => ({
        name,
        value,
        type,
        category,
      })),
    account: parts.account ?? (current.account ? { id: current.account.id } : null),
    updateMethod: parts.updateMethod ?? current.updateMethod ?? 'REPLACE',
    dataProvider: parts.dataProvider ?? { key: current.dataProvider?.key ?? '' },
    // A new name alone keeps the description the dataset has.
    dataSource: { ...currentDataSource, ...parts.dataSource },
  };
  const schedule = parts.advancedScheduleJson ?? current.advancedScheduleJson;
  if (schedule) body.advancedScheduleJson = schedule;
  return body;
}

function isStream(value: unknown): value is DomoStream {
  return !!value && typeof value === 'object' && typeof (value as { id?: unknown }).id === 'number';
}

function isExecution(value: unknown): value is DomoStreamExecution {
  return (
    !!value &&
    typeof value === 'object' &&
    typeof (value as { executionId?: unknown }).executionId === 'number' &&
    typeof (value as { streamId?: unknown }).streamId === 'number'
  );
}

export class StreamsApi {
  constructor(private readonly call: Call) {}

  /** `GET /api/data/v1/streams/{stream_id}` */
  async get(id: number | string): Promise<DomoStream> {
    const request: DomoRequest = {
      method: 'GET',
      path: apiPath`/api/data/v1/streams/${id}`,
      idempotent: true,
    };
    const body = await this.call<unknown>(request);
    if (!isStream(body)) throw unexpectedShape(request, 'no numeric stream id');
    return body;
  }

  /**
   * `GET /api/data/v1/streams/{stream_id}/history/aggregate`: every execution Domo keeps for the
   * stream, newest first in the doc's example. The endpoint takes no paging parameters.
   */
  async history(id: number | string): Promise<DomoStreamExecution[]> {
    const request: DomoRequest = {
      method: 'GET',
      path: apiPath`/api/data/v1/streams/${id}/history/aggregate`,
      idempotent: true,
    };
    const body = await this.call<unknown>(request);
    if (!Array.isArray(body)) throw unexpectedShape(request, 'the history is not a list');
    if (!body.every(isExecution)) throw unexpectedShape(request, 'an execution has no streamId/executionId');
    return body;
  }

  /**
   * `POST /api/data/v1/streams`: a new stream and its dataset. The doc shows no answer; Domo sends
   * the new stream, whose `id` (and `dataSource.id`) the caller needs, so an answer without an id fails.
   */
  async create(body: DomoStreamWriteRequest): Promise<DomoStream> {
    const request: DomoRequest = { method: 'POST', path: '/api/data/v1/streams', json: body };
    const response = await this.call<unknown>(request);
    if (!isStream(response)) throw unexpectedShape(request, 'no id for the new stream');
    return response;
  }

  /** `PUT /api/data/v1/streams/{stream_id}`: the doc shows no answer, so it is passed on as is. */
  async update(id: number | string, body: DomoStreamWriteRequest): Promise<StreamWriteResult> {
    const request: DomoRequest = { method: 'PUT', path: apiPath`/api/data/v1/streams/${id}`, json: body };
    const response = await this.call<unknown>(request);
    return { stream: isStream(response) ? response : null, response };
  }

  /**
   * `POST /api/data/v1/streams/{streamId}/executions` with `{"action":"MANUAL"}`. The doc's answer
   * is an empty `{}`; an execution object, when Domo sends one, is returned too.
   */
  async execute(
    id: number | string,
    action: DomoStreamExecuteRequest['action'] = 'MANUAL',
  ): Promise<ExecuteResult> {
    const json: DomoStreamExecuteRequest = { action };
    const request: DomoRequest = {
      method: 'POST',
      path: apiPath`/api/data/v1/streams/${id}/executions`,
      json,
    };
    const response = await this.call<unknown>(request);
    return { execution: isExecution(response) ? response : null, response };
  }
}
