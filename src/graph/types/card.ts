/**
 * Cards on a dataset: `Dataset.cards(drill)`. A plain object, not a Relay node: Domo's API has no
 * endpoint that reads one card by id, so `node(id)` could not refetch it.
 */
import type { DomoCard } from '../../domo/types.ts';
import { builder } from '../builder.ts';
import { DatasetRef } from './dataset.ts';
import { type DatasetKey, datasetKey, perRequestLoader } from './per-request.ts';

/** Cards per dataset and drill option, once per request. */
export const cardsLoader = perRequestLoader(
  (ctx, { id, option: drill }: DatasetKey<boolean>) => ctx.domo.cards.forDataset(id, drill),
  datasetKey,
);

const optionalString = (value: unknown): string | null =>
  value === undefined || value === null ? null : String(value);

export const CardOwnerRef = builder.simpleObject('CardOwner', {
  description: 'A user or group that owns a card; for a user, `user` is the User node.',
  fields: (t) => ({
    id: t.id({ description: 'Domo id of the owner.' }),
    type: t.string({ nullable: true, description: 'USER or GROUP.' }),
    displayName: t.string({ nullable: true, description: 'Display name.' }),
  }),
});

export const CardRef = builder.objectRef<DomoCard>('Card').implement({
  description:
    'A card (a chart, table or KPI) built on a dataset. Not a Relay node: the API has no endpoint that reads one card by id, so `node(id)` could not refetch it; `domoId` identifies it.',
  fields: (t) => ({
    domoId: t.string({ description: 'The card id as Domo shows it.', resolve: (c) => String(c.id) }),
    urn: t.exposeString('urn', { nullable: true, description: 'Card URN.' }),
    type: t.exposeString('type', { nullable: true, description: 'Card type, e.g. kpi.' }),
    chartType: t.exposeString('chartType', {
      nullable: true,
      description: 'Chart type, e.g. badge_vert_bar.',
    }),
    title: t.exposeString('title', { nullable: true, description: 'Title.' }),
    ownerId: t.string({
      nullable: true,
      description: 'Id of the user who owns the card.',
      resolve: (c) => optionalString(c.ownerId),
    }),
    owners: t.field({
      type: [CardOwnerRef],
      description: 'Owners of the card.',
      resolve: (c) =>
        (c.owners ?? []).map((o) => ({
          id: String(o.id),
          type: o.type ?? null,
          displayName: o.displayName ?? null,
        })),
    }),
    access: t.exposeBoolean('access', {
      nullable: true,
      description: 'Whether the caller may open the card.',
    }),
    datasourceId: t.exposeString('datasourceId', {
      nullable: true,
      description: 'Id of the dataset the card is built on.',
    }),
    datasource: t.field({
      type: DatasetRef,
      nullable: true,
      description:
        'The dataset the card is built on, through the dataset loader (no extra call for the parent).',
      resolve: (c) => (c.datasourceId ? c.datasourceId.toLowerCase() : null),
    }),
  }),
});

builder.objectField(DatasetRef, 'cards', (t) =>
  t.field({
    type: [CardRef],
    description: 'Cards built on this dataset (Domo does not page this list).',
    args: {
      drill: t.arg.boolean({ defaultValue: true, description: 'Include drill-path cards.' }),
    },
    resolve: (d, args, ctx) => cardsLoader(ctx).load({ id: d.id, option: args.drill ?? true }),
  }),
);
