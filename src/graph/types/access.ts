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
import { badUserInput } from '../errors.ts';
import { DATASET_ID_ARG } from './args.ts';
import { DatasetRef, datasetEntry } from './dataset.ts';
import { knownInput, knownOrUnknown, withUnknown } from './enums.ts';

const LEVEL_DESCRIPTIONS: Record<DomoAccessLevel, string> = {
  OWNER: 'Owns the dataset.',
  CO_OWNER: 'Co-owner: everything the owner may do.',
  CAN_EDIT: 'May edit the dataset and share it.',
  CAN_SHARE: 'May view and share the dataset.',
  CAN_VIEW: 'May view the dataset.',
};

export const AccessLevelRef = builder.enumType('AccessLevel', {
  description: 'Access levels on a dataset.',
  values: withUnknown(DOMO_ACCESS_LEVELS, (v) => LEVEL_DESCRIPTIONS[v]),
});

export const PrincipalTypeRef = builder.enumType('PrincipalType', {
  description: 'Whether a principal is a user or a group.',
  values: withUnknown(DOMO_PRINCIPAL_TYPES, (v) => (v === 'USER' ? 'A user.' : 'A group of users.')),
});

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
      description: 'USER or GROUP; UNKNOWN when Domo sends another type (see typeName).',
      resolve: (e) => knownOrUnknown(e.type, DOMO_PRINCIPAL_TYPES),
    }),
    typeName: t.exposeString('type', { description: 'The type exactly as Domo sends it.' }),
    name: t.exposeString('name', { nullable: true, description: 'Display name.' }),
    accessLevel: t.field({
      type: AccessLevelRef,
      nullable: true,
      description: 'Access level; UNKNOWN when Domo sends a level outside AccessLevel (see accessLevelName).',
      resolve: (e) => knownOrUnknown(e.accessLevel, DOMO_ACCESS_LEVELS),
    }),
    accessLevelName: t.exposeString('accessLevel', {
      description: 'The access level exactly as Domo sends it.',
    }),
  }),
});

/**
 * A dataset's access list, loaded by dataset id: a field returns the id and the dataloader plugin
 * fetches each distinct list once per request (Domo has no bulk form: one call per dataset).
 */
export const DatasetAccessRef = builder.loadableObject('DatasetAccess', {
  description: 'The users and groups with access to a dataset.',
  load: (ids: string[], ctx: GraphContext): Promise<Array<DomoAccessList | Error>> =>
    Promise.all(
      ids.map((id) =>
        ctx.domo.permissions
          .list(id)
          .catch((error: unknown) => (error instanceof Error ? error : new Error(String(error)))),
      ),
    ),
  fields: (t) => ({
    entries: t.expose('list', { type: [AccessEntryRef], description: 'Who has access, the owner first.' }),
    totalUserCount: t.exposeInt('totalUserCount', { nullable: true, description: 'Users with access.' }),
    totalGroupCount: t.exposeInt('totalGroupCount', { nullable: true, description: 'Groups with access.' }),
  }),
});

builder.objectField(DatasetRef, 'access', (t) =>
  t.field({
    type: DatasetAccessRef,
    description: 'Users and groups with access, and their levels.',
    resolve: (d) => d.id,
  }),
);

// --- mutations -----------------------------------------------------------------------------------

interface AccessPayload {
  datasetId: string;
}

const AccessPayloadRef = builder.objectRef<AccessPayload>('AccessPayload').implement({
  description: 'The outcome of a sharing change: the access list re-read after the write.',
  fields: (t) => ({
    datasetId: t.exposeID('datasetId', { description: 'Domo id of the dataset changed.' }),
    access: t.field({
      type: DatasetAccessRef,
      nullable: true,
      description: 'The access list after the change.',
      resolve: (p) => p.datasetId,
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
function principals<T extends { principalId: string | number; type: DomoPrincipalType | 'UNKNOWN' }>(
  list: readonly T[],
  field: string,
): Array<T & { principalId: string; type: DomoPrincipalType }> {
  if (list.length === 0) throw badUserInput(`${field} must not be empty`, field);
  const seen = new Set<string>();
  return list.map((p, i) => {
    const principalId = assertPrincipalId(p.principalId, `${field}[${i}].principalId`);
    const type = knownInput(p.type, `${field}[${i}].type`, DOMO_PRINCIPAL_TYPES);
    const key = `${type}:${principalId}`;
    if (seen.has(key)) throw badUserInput(`${field}[${i}] repeats ${type} ${principalId}`, `${field}[${i}]`);
    seen.add(key);
    return { ...p, principalId, type };
  });
}

/** After a write: forget what this request had read of the access list. */
function changed(ctx: GraphContext, datasetId: string): AccessPayload {
  DatasetAccessRef.getDataloader(ctx).clear(datasetId);
  return { datasetId };
}

builder.mutationFields((t) => ({
  shareDataset: t.field({
    type: AccessPayloadRef,
    description: 'Gives users and groups access to a dataset, or changes their level.',
    args: {
      datasetId: t.arg.id(DATASET_ID_ARG),
      grants: t.arg({ type: [AccessGrantInput], required: true, description: 'Who gets which level.' }),
      sendEmail: t.arg.boolean({
        defaultValue: false,
        description: 'Let Domo email the people shared with.',
      }),
    },
    resolve: async (_, args, ctx) => {
      const datasetId = datasetEntry(ctx, args.datasetId, 'datasetId');
      const grants = principals(args.grants, 'grants');
      await ctx.domo.permissions.share(datasetId, {
        permissions: grants.map((g, i) => ({
          id: g.principalId,
          type: g.type,
          accessLevel: knownInput(g.accessLevel, `grants[${i}].accessLevel`, DOMO_ACCESS_LEVELS),
        })),
        sendEmail: args.sendEmail ?? false,
      });
      return changed(ctx, datasetId);
    },
  }),
  revokeDatasetAccess: t.field({
    type: AccessPayloadRef,
    description: "Revokes a user's access to a dataset (DELETE …/permissions/USER/:userId).",
    args: {
      datasetId: t.arg.id(DATASET_ID_ARG),
      userId: t.arg.id({ required: true, description: 'Domo user id.' }),
    },
    resolve: async (_, args, ctx) => {
      const datasetId = datasetEntry(ctx, args.datasetId, 'datasetId');
      await ctx.domo.permissions.revokeUser(datasetId, assertPrincipalId(args.userId, 'userId'));
      return changed(ctx, datasetId);
    },
  }),
  removeDatasetUser: t.field({
    type: AccessPayloadRef,
    description: "Removes a user from a dataset's access list (DELETE …/USERS/:userId).",
    args: {
      datasetId: t.arg.id(DATASET_ID_ARG),
      userId: t.arg.id({ required: true, description: 'Domo user id.' }),
    },
    resolve: async (_, args, ctx) => {
      const datasetId = datasetEntry(ctx, args.datasetId, 'datasetId');
      await ctx.domo.permissions.removeUser(datasetId, assertPrincipalId(args.userId, 'userId'));
      return changed(ctx, datasetId);
    },
  }),
  removeDatasetUsers: t.field({
    type: AccessPayloadRef,
    description: "Removes several users or groups from a dataset's access list in one call.",
    args: {
      datasetId: t.arg.id(DATASET_ID_ARG),
      principals: t.arg({ type: [PrincipalInput], required: true, description: 'Who to remove.' }),
    },
    resolve: async (_, args, ctx) => {
      const datasetId = datasetEntry(ctx, args.datasetId, 'datasetId');
      const list = principals(args.principals, 'principals');
      await ctx.domo.permissions.removeUsers(
        datasetId,
        list.map((p) => ({ id: p.principalId, type: p.type })),
      );
      return changed(ctx, datasetId);
    },
  }),
}));
