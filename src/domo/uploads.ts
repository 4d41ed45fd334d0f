/**
 * CSV uploads: the three REST stages of the API doc (start, part, commit). The pipeline that streams
 * a file through them (split, validate, send parts, commit) is src/upload/.
 */
import type { Call } from './call.ts';
import { unexpectedShape } from './call.ts';
import { apiPath, type DomoRequest } from './http.ts';
import type {
  DomoUploadAppendId,
  DomoUploadCommitRequest,
  DomoUploadStartRequest,
  DomoUploadStartResponse,
} from './types.ts';

export interface StartUploadParams {
  appendId?: DomoUploadAppendId;
  action?: 'APPEND' | 'REPLACE' | null;
  dataTag?: string;
  restateDataTag?: string;
  includeHistory?: boolean;
}

export class UploadsApi {
  constructor(private readonly call: Call) {}

  /**
   * `POST /api/data/v3/datasources/:id/uploads?dataTag&restateDataTag&includeHistory` with
   * `{appendId?, action?}`: opens an upload and answers its id.
   */
  async start(datasetId: string, params: StartUploadParams = {}): Promise<DomoUploadStartResponse> {
    const json: DomoUploadStartRequest = {};
    if (params.appendId) json.appendId = params.appendId;
    if (params.action !== undefined) json.action = params.action;
    const request: DomoRequest = {
      method: 'POST',
      path: apiPath`/api/data/v3/datasources/${datasetId}/uploads`,
      query: {
        dataTag: params.dataTag,
        restateDataTag: params.restateDataTag,
        includeHistory: params.includeHistory,
      },
      json,
    };
    const body = await this.call<DomoUploadStartResponse>(request);
    if (!body || (typeof body.uploadId !== 'number' && typeof body.uploadId !== 'string')) {
      throw unexpectedShape(request, 'no uploadId');
    }
    return body;
  }

  /**
   * `PUT /api/data/v3/datasources/:id/uploads/:uploadId/parts/:part` with `Content-Type: text/csv`
   * (rows without a header). Re-sending a part number replaces that part. `data` may be a list of
   * chunks, sent in order as one body.
   */
  async putPart(
    datasetId: string,
    uploadId: number | string,
    part: number,
    data: Uint8Array | string | readonly Uint8Array[],
  ) {
    return this.call<unknown>({
      method: 'PUT',
      path: apiPath`/api/data/v3/datasources/${datasetId}/uploads/${uploadId}/parts/${part}`,
      body: { data, contentType: 'text/csv' },
    });
  }

  /**
   * `PUT /api/data/v3/datasources/:id/uploads/:uploadId/commit` with `{action, index, dataTag?,
   * restateDataTag?, message?}`. Domo documents no answer: it is passed on as it came.
   */
  async commit(
    datasetId: string,
    uploadId: number | string,
    body: DomoUploadCommitRequest,
  ): Promise<unknown> {
    return this.call<unknown>({
      method: 'PUT',
      path: apiPath`/api/data/v3/datasources/${datasetId}/uploads/${uploadId}/commit`,
      json: body,
    });
  }
}
