/**
 * Users as Relay nodes, read one at a time through `GET /api/content/v3/users/{id}` (DOMO-NOTES.md;
 * Domo has no bulk read), once per distinct user per request. Owners, grantees, card owners and
 * stream authors link to them; the names their parents already carry stay free.
 */
import type { DomoUser } from '../../domo/types.ts';
import { builder } from '../builder.ts';
import type { GraphContext } from '../context.ts';
import { asNotFound } from '../errors.ts';
import { AccessEntryRef, assertPrincipalId } from './access.ts';
import { CardOwnerRef } from './card.ts';
import { OwnerRef } from './dataset.ts';
import { ExecutionRef } from './stream/execution.ts';
import { StreamRef } from './stream/node.ts';

async function loadUsers(ids: readonly string[], ctx: GraphContext): Promise<Array<DomoUser | Error>> {
  return Promise.all(
    ids.map((id) => ctx.domo.users.get(id).catch((error: unknown) => asNotFound(error, `user ${id}`))),
  );
}

export const UserRef = builder.loadableNodeRef<DomoUser | Error, string>('User', {
  id: {
    resolve: (user) => String(user.id),
    parse: (id) => assertPrincipalId(id, 'id'),
  },
  load: loadUsers,
});

const text = (value: string | null | undefined) => value ?? null;

builder.objectType(UserRef, {
  description: 'A Domo user.',
  fields: (t) => ({
    domoId: t.id({ description: "Domo's id of the user (digits).", resolve: (u) => String(u.id) }),
    displayName: t.exposeString('displayName', { nullable: true, description: 'Name shown in Domo.' }),
    userName: t.exposeString('userName', { nullable: true, description: 'Login name.' }),
    emailAddress: t.exposeString('emailAddress', { nullable: true, description: 'Email address.' }),
    roleId: t.exposeInt('roleId', { nullable: true, description: 'Id of the user’s role.' }),
    title: t.string({
      nullable: true,
      description: 'Job title.',
      resolve: (u) => text(u.title ?? u.detail?.title),
    }),
    department: t.string({
      nullable: true,
      description: 'Department.',
      resolve: (u) => text(u.department ?? u.detail?.department),
    }),
    phoneNumber: t.string({
      nullable: true,
      description: 'Phone number.',
      resolve: (u) => text(u.phoneNumber ?? u.detail?.phoneNumber),
    }),
    active: t.exposeBoolean('active', { nullable: true, description: 'The account is active.' }),
    created: t.expose('created', {
      type: 'DateTime',
      nullable: true,
      description: 'When the user was created.',
    }),
    lastActivity: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'When the user was last active, when Domo says.',
      resolve: (u) => u.detail?.lastActivity ?? null,
    }),
  }),
});

builder.queryField('user', (t) =>
  t.field({
    type: UserRef,
    nullable: true,
    description: 'One user by Domo id; null with a NOT_FOUND error when unknown.',
    args: { id: t.arg.id({ required: true, description: 'Domo user id (digits).' }) },
    resolve: (_, args) => assertPrincipalId(args.id, 'id'),
  }),
);

/** A user id from a parent's field, or null when it has none. */
const userId = (value: string | number | null | undefined): string | null =>
  value === null || value === undefined || value === '' ? null : String(value);

const LINK = 'one user call per distinct user per request; the name beside it costs none';

builder.objectField(OwnerRef, 'user', (t) =>
  t.field({
    type: UserRef,
    nullable: true,
    description: `The owner as a User; null for a group owner (${LINK}).`,
    resolve: (o) => (o.group || o.type === 'GROUP' ? null : userId(o.id)),
  }),
);

builder.objectField(CardOwnerRef, 'user', (t) =>
  t.field({
    type: UserRef,
    nullable: true,
    description: `The owner as a User; null for a group (${LINK}).`,
    resolve: (o) => (o.type === 'GROUP' ? null : userId(o.id)),
  }),
);

builder.objectField(AccessEntryRef, 'user', (t) =>
  t.field({
    type: UserRef,
    nullable: true,
    description: `The principal as a User; null for a group (${LINK}).`,
    resolve: (e) => (e.type === 'USER' ? userId(e.id) : null),
  }),
);

builder.objectFields(StreamRef, (t) => ({
  createdByUser: t.field({
    type: UserRef,
    nullable: true,
    description: `The user who created the stream (${LINK}).`,
    resolve: (s) => userId(s.createdBy),
  }),
  modifiedByUser: t.field({
    type: UserRef,
    nullable: true,
    description: `The user who last changed the stream (${LINK}).`,
    resolve: (s) => userId(s.modifiedBy),
  }),
}));

builder.objectField(ExecutionRef, 'startedByUser', (t) =>
  t.field({
    type: UserRef,
    nullable: true,
    description: `The user who started the run; null for a scheduled run (${LINK}).`,
    resolve: (e) => userId(e.startedBy),
  }),
);
