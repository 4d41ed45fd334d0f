/**
 * Cards on a dataset: `Dataset.cards(drill)`. A plain object, not a Relay node: Domo's API has no
 * endpoint that reads one card by id, so `node(id)` could not refetch it.
 */
import type { DomoCard } from '../../domo/types.ts';
import { builder } from '../builder.ts';
import { DatasetRef } from './dataset.ts';
import { perRequestLoader } from './per-request.ts';

/** Cards per (dataset, drill), once per request. */
export const cardsLoader = perRequestLoader((ctx, key) => {
  const [id, drill] = key.split('|') as [string, string];
  return ctx.domo.cards.forDataset(id, drill === 'true');
});

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
    urn: t.string({ nullable: true, description: 'Card URN.', resolve: (c) => c.urn ?? null }),
    type: t.string({ nullable: true, description: 'Card type, e.g. kpi.', resolve: (c) => c.type ?? null }),
    chartType: t.string({
      nullable: true,
      description: 'Chart type, e.g. badge_vert_bar.',
      resolve: (c) => c.chartType ?? null,
    }),
    title: t.string({ nullable: true, description: 'Title.', resolve: (c) => c.title ?? null }),
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
    access: t.boolean({
      nullable: true,
      description: 'Whether the caller may open the card.',
      resolve: (c) => c.access ?? null,
    }),
    datasourceId: t.string({
      nullable: true,
      description: 'Id of the dataset the card is built on.',
      resolve: (c) => c.datasourceId ?? null,
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
    resolve: (d, args, ctx) => cardsLoader(ctx).load(`${d.id}|${args.drill ?? true}`),
  }),
);
