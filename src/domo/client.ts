/**
 * DomoClient: the typed upstream API, one property per domain. A client is a view bound to one
 * caller's credentials and cancellation signal; the pooled HTTP layer under it is shared.
 */
import type { Credentials } from './auth.ts';
import { bindCall, type Call } from './call.ts';
import { CardsApi } from './cards.ts';
import { DatasetsApi } from './datasets.ts';
import { ExportApi } from './export.ts';
import type { DomoHttp } from './http.ts';
import { PermissionsApi } from './permissions.ts';
import { QueryApi } from './query.ts';
import { StreamsApi } from './streams.ts';
import { UploadsApi } from './uploads.ts';
import { UsersApi } from './users.ts';
import { VersionsApi } from './versions.ts';

export class DomoClient {
  readonly datasets: DatasetsApi;
  readonly query: QueryApi;
  readonly cards: CardsApi;
  readonly permissions: PermissionsApi;
  readonly streams: StreamsApi;
  readonly users: UsersApi;
  readonly uploads: UploadsApi;
  readonly versions: VersionsApi;
  readonly exports: ExportApi;

  constructor(readonly call: Call) {
    this.datasets = new DatasetsApi(call);
    this.query = new QueryApi(call);
    this.cards = new CardsApi(call);
    this.permissions = new PermissionsApi(call);
    this.streams = new StreamsApi(call);
    this.users = new UsersApi(call);
    this.uploads = new UploadsApi(call);
    this.versions = new VersionsApi(call);
    this.exports = new ExportApi(call);
  }

  /**
   * This client, with its calls counting as one against the request's call budget (call.ts
   * `asOne`): for a pipeline such as an upload, whose part count grows with the file.
   */
  asOneCall(): DomoClient {
    return this.call.asOne ? new DomoClient(this.call.asOne()) : this;
  }
}

export interface ClientBinding {
  credentials: Credentials | null;
  signal?: AbortSignal;
  maxConcurrency?: number;
  /** Upstream calls this client may make in all (default: no bound). */
  maxCalls?: number;
}

export function createDomoClient(http: DomoHttp, binding: ClientBinding): DomoClient {
  return new DomoClient(bindCall(http, binding));
}
