/**
 * Users as Relay nodes: `user(id)`, `node(id)`, and the links from owners, access entries, card
 * owners and streams, one upstream call per distinct user per request; names the parents carry free.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_DATASETS, DEMO_USERS } from '../../src/sandbox/seed.ts';
import { DEMO_STREAMS } from '../../src/sandbox/seed-streams.ts';
import { callsSince } from '../helpers/dashboard.ts';
import { type Stack, startStack } from '../helpers/stack.ts';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack.close());

async function measured(query: string, variables?: Record<string, unknown>) {
  const from = stack.sandbox.requests.length;
  const res = await stack.gql(query, variables);
  return { res, calls: callsSince(stack.sandbox, from) };
}

const userCall = (index: number) => `GET /api/content/v3/users/${DEMO_USERS[index]!.id}`;
const ALL = Object.values(DEMO_DATASETS);

describe('users', () => {
  it('reads a user by id, and again through node(id) from the same loader', async () => {
    const alexis = DEMO_USERS[0]!;
    const first = await stack.gql(
      `{ user(id: "${alexis.id}") { id domoId displayName emailAddress title department active created lastActivity } }`,
    );
    expect(first.errors).toBeUndefined();
    const user = (first.data as { user: Record<string, unknown> }).user;
    expect(user).toMatchObject({
      domoId: alexis.id,
      displayName: alexis.name,
      emailAddress: alexis.email,
      title: 'Head of Finance',
      department: 'Finance',
      active: true,
    });
    const { res, calls } = await measured(`{
      node(id: "${user.id}") { id ... on User { displayName } }
      user(id: "${alexis.id}") { domoId }
    }`);
    expect(res.errors).toBeUndefined();
    expect(res.data).toMatchObject({ node: { id: user.id, displayName: alexis.name } });
    expect(calls).toEqual([userCall(0)]);
  });

  it('answers null with NOT_FOUND for an unknown user, BAD_USER_INPUT for a malformed id', async () => {
    const unknown = await stack.gql('{ user(id: "42") { domoId } }');
    expect(unknown.data).toEqual({ user: null });
    expect(unknown.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const { res, calls } = await measured('{ user(id: "alexis") { domoId } }');
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'id' });
    expect(calls).toEqual([]);
  });

  it('owner names come from the metadata: no user call', async () => {
    const { res, calls } = await measured(
      'query ($ids: [ID!]!) { datasetsByIds(ids: $ids) { owner { id name type } access { entries { name } } } }',
      { ids: ALL },
    );
    expect(res.errors).toBeUndefined();
    expect(calls.filter((c) => c.includes('/users/'))).toEqual([]);
  });

  it('links owners, grantees, card owners and stream authors: one call per distinct user', async () => {
    const { res, calls } = await measured(
      `query ($ids: [ID!]!) {
        datasetsByIds(ids: $ids) {
          owner { user { displayName } }
          access { entries { type user { domoId displayName } } }
          cards { owners { user { displayName } } }
          stream { createdByUser { displayName } modifiedByUser { domoId } lastExecution { startedByUser { domoId } } }
        }
      }`,
      { ids: ALL },
    );
    expect(res.errors).toBeUndefined();
    const users = calls.filter((c) => c.includes('/users/'));
    // Every demo user appears as an owner or grantee of some demo dataset: each read exactly once.
    expect(users).toEqual([0, 1, 2, 3].map(userCall).sort());
    const rows = (
      res.data as {
        datasetsByIds: Array<{
          owner: { user: { displayName: string } };
          access: { entries: Array<{ type: string; user: unknown }> };
        }>;
      }
    ).datasetsByIds;
    expect(rows[0]!.owner.user.displayName).toBe(DEMO_USERS[0]!.name);
    for (const entry of rows.flatMap((r) => r.access.entries)) {
      expect(entry.user === null).toBe(entry.type === 'GROUP');
    }
  });

  it('Stream.createdByUser and Dataset.owner.user share the loader', async () => {
    const { res, calls } = await measured(`{
      stream(id: "${DEMO_STREAMS.customers}") { createdByUser { displayName } dataSource { owner { user { domoId } } } }
    }`);
    expect(res.errors).toBeUndefined();
    expect(calls).toEqual([`GET /api/data/v1/streams/${DEMO_STREAMS.customers}`, userCall(1)].sort());
  });
});
