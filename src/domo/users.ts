/** Users: one read by id (DOMO-NOTES.md), so owners, grantees and stream authors can be looked up. */
import type { Call } from './call.ts';
import { unexpectedShape } from './call.ts';
import { apiPath, type DomoRequest } from './http.ts';
import type { DomoUser } from './types.ts';

function isUser(value: unknown): value is DomoUser {
  const id = (value as { id?: unknown } | null)?.id;
  return !!value && typeof value === 'object' && (typeof id === 'number' || typeof id === 'string');
}

export class UsersApi {
  constructor(private readonly call: Call) {}

  /** `GET /api/content/v3/users/{id}?includeDetails=true`: one user; 404 when unknown. */
  async get(id: string): Promise<DomoUser> {
    const request: DomoRequest = {
      method: 'GET',
      path: apiPath`/api/content/v3/users/${id}`,
      query: { includeDetails: true },
      idempotent: true,
    };
    const body = await this.call<unknown>(request);
    if (!isUser(body)) throw unexpectedShape(request, 'no user id');
    return body;
  }
}
