/** The users client against the real sandbox. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDomoClient, type DomoClient } from '../../src/domo/client.ts';
import { DomoError } from '../../src/domo/errors.ts';
import { DomoHttp } from '../../src/domo/http.ts';
import { DEMO_USERS } from '../../src/sandbox/seed.ts';
import { createSandbox, type Sandbox } from '../../src/sandbox/server.ts';

let sandbox: Sandbox;
let domo: DomoClient;

beforeAll(async () => {
  sandbox = await createSandbox({ token: 't', largeRows: 10 });
  const http = new DomoHttp({
    baseUrl: sandbox.url,
    headersTimeoutMs: 10_000,
    bodyTimeoutMs: 10_000,
    retry: { maxRetries: 0, baseMs: 1, maxDelayMs: 5 },
  });
  domo = createDomoClient(http, { credentials: { kind: 'developer', token: 't' } });
});
afterAll(() => sandbox.close());

describe('users', () => {
  it('reads a user with details: GET /api/content/v3/users/{id}?includeDetails=true', async () => {
    const user = await domo.users.get(DEMO_USERS[1]!.id);
    expect(user).toMatchObject({
      id: Number(DEMO_USERS[1]!.id),
      displayName: DEMO_USERS[1]!.name,
      emailAddress: DEMO_USERS[1]!.email,
      active: true,
      detail: { title: 'Sales Operations Analyst', department: 'Sales' },
    });
    const last = sandbox.requests.at(-1)!;
    expect([last.method, last.path, last.query]).toEqual([
      'GET',
      `/api/content/v3/users/${DEMO_USERS[1]!.id}`,
      '?includeDetails=true',
    ]);
  });

  it('answers 404 for an unknown user', async () => {
    const error = await domo.users.get('42').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DomoError);
    expect((error as DomoError).kind).toBe('not_found');
    expect((error as DomoError).status).toBe(404);
  });
});
