/**
 * Who may use a dataset: `Dataset.access`, and the sharing mutations (share, revoke, remove one or
 * several people). Every mutation answers with the access list re-read after the write.
 */
import {
  DOMO_ACCESS_LEVELS,
  DOMO_PRINCIPAL_TYPES,
  type DomoAccessEntry,
  type DomoAccessLevel,
  type DomoAccessList,
  type DomoPrincipalType,
} from '../../domo/types.ts';
import { builder } from '../builder.ts';
import type { GraphContext } from '../context.ts';
import { assertDatasetId, badUserInput } from '../errors.ts';
import { DatasetRef } from './dataset.ts';
import { perRequestLoader } from './per-request.ts';

/** The access list per dataset, once per request. */
export const accessLoader = perRequestLoader((ctx, id) => ctx.domo.permissions.list(id));

const enumValues = <T extends string>(values: readonly T[], describe: (v: T) => string) =>
  Object.fromEntries(values.map((v) => [v, { value: v, description: describe(v) }])) as Record<
    T,
    { value: T; description: string }
  >;

const LEVEL_DESCRIPTIONS: Record<DomoAccessLevel, string> = {
  OWNER: 'Owns the dataset.',
  CO_OWNER: 'Co-owner: everything the owner may do.',
  CAN_EDIT: 'May edit the dataset and share it.',
  CAN_SHARE: 'May view and share the dataset.',
  CAN_VIEW: 'May view the dataset.',
};

export const AccessLevelRef = builder.enumType('AccessLevel', {
  description: 'Access levels on a dataset.',
  values: enumValues(DOMO_ACCESS_LEVELS, (v) => LEVEL_DESCRIPTIONS[v]),
});

export const PrincipalTypeRef = builder.enumType('PrincipalType', {
  description: 'Whether a principal is a user or a group.',
  values: enumValues(DOMO_PRINCIPAL_TYPES, (v) => (v === 'USER' ? 'A user.' : 'A group of users.')),
});

const known = <T extends string>(values: readonly T[], value: string): T | null =>
  (values as readonly string[]).includes(value) ? (value as T) : null;

export const AccessEntryRef = builder.objectRef<DomoAccessEntry>('AccessEntry').implement({
  description:
    "One user's or group's access to a dataset. Not a Relay node: an entry is a (dataset, principal) pair with no id or endpoint of its own; for a USER, `user` is the User node.",
  fields: (t) => ({
    // Not `id`: the same user appears in many access lists with different levels, and normalising
    // client caches (Apollo, Relay) would merge entries that share an `id`.
    principalId: t.string({ description: 'Domo id of the user or group.', resolve: (e) => String(e.id) }),
    type: t.field({
      type: PrincipalTypeRef,
      nullable: true,
      description: 'USER or GROUP; null when Domo sends another type (see typeName).',
      resolve: (e) => known(DOMO_PRINCIPAL_TYPES, e.type),
    }),
    typeName: t.string({ description: 'The type exactly as Domo sends it.', resolve: (e) => e.type }),
    name: t.string({ nullable: true, description: 'Display name.', resolve: (e) => e.name ?? null }),
    accessLevel: t.field({
      type: AccessLevelRef,
      nullable: true,
      description: 'Access level; null when Domo sends a level outside AccessLevel (see accessLevelName).',
      resolve: (e) => known(DOMO_ACCESS_LEVELS, e.accessLevel),
    }),
    accessLevelName: t.string({
      description: 'The access level exactly as Domo sends it.',
      resolve: (e) => e.accessLevel,
    }),
  }),
});

export const DatasetAccessRef = builder.objectRef<DomoAccessList>('DatasetAccess').implement({
  description: 'The users and groups with access to a dataset.',
  fields: (t) => ({
    entries: t.field({
      type: [AccessEntryRef],
      description: 'Who has access, the owner first.',
      resolve: (a) => a.list,
    }),
    totalUserCount: t.int({
      nullable: true,
      description: 'Users with access.',
      resolve: (a) => a.totalUserCount ?? null,
    }),
    totalGroupCount: t.int({
      nullable: true,
      description: 'Groups with access.',
      resolve: (a) => a.totalGroupCount ?? null,
    }),
  }),
});

builder.objectField(DatasetRef, 'access', (t) =>
  t.field({
    type: DatasetAccessRef,
    description: 'Users and groups with access, and their levels.',
    resolve: (d, _, ctx) => accessLoader(ctx).load(d.id),
  }),
);

// --- mutations -----------------------------------------------------------------------------------

interface AccessPayload {
  datasetId: string;
}

const AccessPayloadRef = builder.objectRef<AccessPayload>('AccessPayload').implement({
  description: 'The outcome of a sharing change: the access list re-read after the write.',
  fields: (t) => ({
    datasetId: t.id({ description: 'Domo id of the dataset changed.', resolve: (p) => p.datasetId }),
    access: t.field({
      type: DatasetAccessRef,
      nullable: true,
      description: 'The access list after the change.',
      resolve: (p, _, ctx) => accessLoader(ctx).load(p.datasetId),
    }),
    dataset: t.field({
      type: DatasetRef,
      nullable: true,
      description: 'The dataset.',
      resolve: (p) => p.datasetId,
    }),
  }),
});

const AccessGrantInput = builder.inputType('AccessGrantInput', {
  description: 'Access to give one user or group.',
  fields: (t) => ({
    principalId: t.id({ required: true, description: 'Domo id of the user or group.' }),
    type: t.field({ type: PrincipalTypeRef, required: true, description: 'USER or GROUP.' }),
    accessLevel: t.field({ type: AccessLevelRef, required: true, description: 'Level to give.' }),
  }),
});

const PrincipalInput = builder.inputType('PrincipalInput', {
  description: 'A user or group.',
  fields: (t) => ({
    principalId: t.id({ required: true, description: 'Domo id of the user or group.' }),
    type: t.field({ type: PrincipalTypeRef, required: true, description: 'USER or GROUP.' }),
  }),
});

/** Domo user and group ids are integers. */
export function assertPrincipalId(value: string | number, field: string): string {
  const id = String(value);
  if (!/^\d{1,19}$/.test(id)) throw badUserInput(`${field} must be a Domo user or group id (digits)`, field);
  return id;
}

/** Checks a non-empty list of principals with no repeats; `field` names the argument. */
function principals<T extends { principalId: string | number; type: DomoPrincipalType }>(
  list: readonly T[],
  field: string,
): Array<T & { principalId: string }> {
  if (list.length === 0) throw badUserInput(`${field} must not be empty`, field);
  const seen = new Set<string>();
  return list.map((p, i) => {
    const principalId = assertPrincipalId(p.principalId, `${field}[${i}].principalId`);
    const key = `${p.type}:${principalId}`;
    if (seen.has(key))
      throw badUserInput(`${field}[${i}] repeats ${p.type} ${principalId}`, `${field}[${i}]`);
    seen.add(key);
    return { ...p, principalId };
  });
}

/** After a write: forget what this request had read of the access list. */
function changed(ctx: GraphContext, datasetId: string): AccessPayload {
  accessLoader(ctx).clear(datasetId);
  return { datasetId };
}

builder.mutationFields((t) => ({
  shareDataset: t.field({
    type: AccessPayloadRef,
    description: 'Gives users and groups access to a dataset, or changes their level.',
    args: {
      datasetId: t.arg.id({ required: true, description: 'Domo dataset id.' }),
      grants: t.arg({ type: [AccessGrantInput], required: true, description: 'Who gets which level.' }),
      sendEmail: t.arg.boolean({
        defaultValue: false,
        description: 'Let Domo email the people shared with.',
      }),
    },
    resolve: async (_, args, ctx) => {
      const datasetId = assertDatasetId(String(args.datasetId), 'datasetId');
      const grants = principals(args.grants, 'grants');
      await ctx.domo.permissions.share(datasetId, {
        permissions: grants.map((g) => ({ id: g.principalId, type: g.type, accessLevel: g.accessLevel })),
        sendEmail: args.sendEmail ?? false,
      });
      return changed(ctx, datasetId);
    },
  }),
  revokeDatasetAccess: t.field({
    type: AccessPayloadRef,
    description: "Revokes a user's access to a dataset (DELETE …/permissions/USER/:userId).",
    args: {
      datasetId: t.arg.id({ required: true, description: 'Domo dataset id.' }),
      userId: t.arg.id({ required: true, description: 'Domo user id.' }),
    },
    resolve: async (_, args, ctx) => {
      const datasetId = assertDatasetId(String(args.datasetId), 'datasetId');
      await ctx.domo.permissions.revokeUser(datasetId, assertPrincipalId(args.userId, 'userId'));
      return changed(ctx, datasetId);
    },
  }),
  removeDatasetUser: t.field({
    type: AccessPayloadRef,
    description: "Removes a user from a dataset's access list (DELETE …/USERS/:userId).",
    args: {
      datasetId: t.arg.id({ required: true, description: 'Domo dataset id.' }),
      userId: t.arg.id({ required: true, description: 'Domo user id.' }),
    },
    resolve: async (_, args, ctx) => {
      const datasetId = assertDatasetId(String(args.datasetId), 'datasetId');
      await ctx.domo.permissions.removeUser(datasetId, assertPrincipalId(args.userId, 'userId'));
      return changed(ctx, datasetId);
    },
  }),
  removeDatasetUsers: t.field({
    type: AccessPayloadRef,
    description: "Removes several users or groups from a dataset's access list in one call.",
    args: {
      datasetId: t.arg.id({ required: true, description: 'Domo dataset id.' }),
      principals: t.arg({ type: [PrincipalInput], required: true, description: 'Who to remove.' }),
    },
    resolve: async (_, args, ctx) => {
      const datasetId = assertDatasetId(String(args.datasetId), 'datasetId');
      const list = principals(args.principals, 'principals');
      await ctx.domo.permissions.removeUsers(
        datasetId,
        list.map((p) => ({ id: p.principalId, type: p.type })),
      );
      return changed(ctx, datasetId);
    },
  }),
}));
