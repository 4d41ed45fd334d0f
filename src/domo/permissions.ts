/** Who may use a dataset: the access list, sharing, revoking and removing people. */
import type { Call } from './call.ts';
import { unexpectedShape } from './call.ts';
import { apiPath, type DomoRequest } from './http.ts';
import type { DomoAccessList, DomoPrincipal, DomoShareRequest } from './types.ts';

export class PermissionsApi {
  constructor(private readonly call: Call) {}

  /** `GET /api/data/v3/datasources/:id/permissions` */
  async list(datasetId: string): Promise<DomoAccessList> {
    const request: DomoRequest = {
      method: 'GET',
      path: apiPath`/api/data/v3/datasources/${datasetId}/permissions`,
      idempotent: true,
    };
    const body = await this.call<DomoAccessList>(request);
    if (!body || !Array.isArray(body.list)) throw unexpectedShape(request, 'no access list');
    return body;
  }

  /** `POST /api/data/v3/datasources/:id/share`: adds or changes the given users' and groups' access. */
  async share(datasetId: string, body: DomoShareRequest): Promise<unknown> {
    return this.call({
      method: 'POST',
      path: apiPath`/api/data/v3/datasources/${datasetId}/share`,
      json: body,
    });
  }

  /** `DELETE /api/data/v3/datasources/:id/permissions/USER/:userId` */
  async revokeUser(datasetId: string, userId: string): Promise<unknown> {
    return this.call({
      method: 'DELETE',
      path: apiPath`/api/data/v3/datasources/${datasetId}/permissions/USER/${userId}`,
    });
  }

  /** `DELETE /api/data/v3/datasources/:id/USERS/:userId` (upper-case USERS, as the API doc has it). */
  async removeUser(datasetId: string, userId: string): Promise<unknown> {
    return this.call({
      method: 'DELETE',
      path: apiPath`/api/data/v3/datasources/${datasetId}/USERS/${userId}`,
    });
  }

  /** `DELETE /api/data/v3/datasources/:id/users` with a JSON array body of `{id, type}`. */
  async removeUsers(datasetId: string, principals: DomoPrincipal[]): Promise<unknown> {
    return this.call({
      method: 'DELETE',
      path: apiPath`/api/data/v3/datasources/${datasetId}/users`,
      json: principals,
    });
  }
}
