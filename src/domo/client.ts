/**
 * DomoClient: the typed upstream API, one property per domain. A client is a view bound to one
 * caller's credentials and cancellation signal; the pooled HTTP layer under it is shared.
 */
import type { Credentials } from './auth.ts';
import { bindCall, type Call } from './call.ts';
import { DatasetsApi } from './datasets.ts';
import type { DomoHttp } from './http.ts';
import { QueryApi } from './query.ts';
import { UploadsApi } from './uploads.ts';
import { VersionsApi } from './versions.ts';

export class DomoClient {
  readonly datasets: DatasetsApi;
  readonly query: QueryApi;
  readonly uploads: UploadsApi;
  readonly versions: VersionsApi;

  constructor(readonly call: Call) {
    this.datasets = new DatasetsApi(call);
    this.query = new QueryApi(call);
    this.uploads = new UploadsApi(call);
    this.versions = new VersionsApi(call);
  }
}

export interface ClientBinding {
  credentials: Credentials | null;
  signal?: AbortSignal;
  maxConcurrency?: number;
}

export function createDomoClient(http: DomoHttp, binding: ClientBinding): DomoClient {
  return new DomoClient(bindCall(http, binding));
}
