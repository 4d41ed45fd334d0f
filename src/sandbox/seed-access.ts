/**
 * Demo cards and access lists for the demo datasets: deterministic, and only where a dataset has
 * none yet (a persistent store keeps what it had, writes included).
 */
import type { DomoAccessEntry, DomoCard, DomoDataSource } from '../domo/types.ts';
import { ACCESS_KIND, CARDS_KIND, type CardRecord, principalName } from './access-state.ts';
import { DEMO_DATASETS, DEMO_GROUPS, DEMO_USERS } from './seed.ts';
import type { SandboxStore } from './store.ts';

interface DemoCard {
  title: string;
  chartType: string;
  type?: string;
  /** Index into DEMO_USERS. */
  owner: number;
  /** A drill path: listed only with `drill=true`, not counted in cardCount. */
  drill?: boolean;
  views: number;
}

interface DemoGrant {
  type: 'USER' | 'GROUP';
  /** Index into DEMO_USERS or DEMO_GROUPS. */
  who: number;
  accessLevel: DomoAccessEntry['accessLevel'];
}

/** A function, not a constant: seed.ts imports this module and DEMO_DATASETS is not ready at load. */
const demoAccess = (): Record<string, { cards: DemoCard[]; grants: DemoGrant[] }> => ({
  [DEMO_DATASETS.sales]: {
    cards: [
      { title: 'Revenue by Region', chartType: 'badge_vert_bar', owner: 0, views: 120 },
      { title: 'Units Sold per Month', chartType: 'badge_line', owner: 1, views: 45 },
      { title: 'Top Products', chartType: 'badge_table', type: 'table', owner: 0, views: 12 },
      { title: 'Revenue by Region: Products', chartType: 'badge_table', owner: 0, drill: true, views: 0 },
    ],
    grants: [
      { type: 'USER', who: 1, accessLevel: 'CO_OWNER' },
      { type: 'USER', who: 2, accessLevel: 'CAN_VIEW' },
      { type: 'GROUP', who: 0, accessLevel: 'CAN_VIEW' },
    ],
  },
  [DEMO_DATASETS.customers]: {
    cards: [
      { title: 'Customers by Country', chartType: 'badge_pie', owner: 1, views: 30 },
      { title: 'Lifetime Value Distribution', chartType: 'badge_histogram', owner: 3, views: 8 },
    ],
    grants: [
      { type: 'USER', who: 0, accessLevel: 'CAN_EDIT' },
      { type: 'GROUP', who: 1, accessLevel: 'CAN_SHARE' },
    ],
  },
  [DEMO_DATASETS.sessions]: {
    cards: [
      { title: 'Sessions by Source', chartType: 'badge_xyscatterplot', owner: 2, views: 64 },
      { title: 'Page Views by User', chartType: 'badge_xyscatterplot', owner: 1, views: 20 },
      { title: 'Sessions by Source: Daily', chartType: 'badge_line', owner: 2, drill: true, views: 0 },
    ],
    grants: [{ type: 'USER', who: 3, accessLevel: 'CAN_VIEW' }],
  },
  [DEMO_DATASETS.targets]: {
    cards: [{ title: 'Target vs Stretch', chartType: 'badge_vert_bar', owner: 3, views: 5 }],
    grants: [
      { type: 'GROUP', who: 0, accessLevel: 'CAN_EDIT' },
      { type: 'GROUP', who: 1, accessLevel: 'CAN_VIEW' },
      { type: 'USER', who: 0, accessLevel: 'CAN_SHARE' },
    ],
  },
  [DEMO_DATASETS.staging]: { cards: [], grants: [] },
});

/** Card ids are numbers in Domo; these start where the API doc's example does. */
const FIRST_CARD_ID = 93_905_300;

export async function seedAccessData(store: SandboxStore): Promise<void> {
  let nextCardId = FIRST_CARD_ID;
  for (const [datasetId, demo] of Object.entries(demoAccess())) {
    const firstId = nextCardId;
    nextCardId += 10;
    const dataset = store.getDoc<DomoDataSource>('dataset', datasetId);
    if (!dataset || store.getDoc(CARDS_KIND, datasetId) !== undefined) continue;

    const cards: CardRecord[] = demo.cards.map((c, i) => {
      const owner = DEMO_USERS[c.owner]!;
      const card: DomoCard = {
        id: firstId + i,
        urn: String(firstId + i),
        type: c.type ?? 'kpi',
        chartType: c.chartType,
        title: c.title,
        ownerId: Number(owner.id),
        owners: [{ id: owner.id, type: 'USER', displayName: owner.name }],
        access: true,
        datasourceId: datasetId,
      };
      return { card, drill: c.drill === true, views: c.views };
    });
    await store.putDoc(CARDS_KIND, datasetId, cards);

    const owner = dataset.owner!;
    const entries: DomoAccessEntry[] = [
      {
        type: 'USER',
        id: owner.id,
        accessLevel: 'OWNER',
        name: owner.name ?? principalName('USER', owner.id),
      },
      ...demo.grants.map((g) => {
        const who = g.type === 'USER' ? DEMO_USERS[g.who]! : DEMO_GROUPS[g.who]!;
        return { type: g.type, id: who.id, accessLevel: g.accessLevel, name: who.name };
      }),
    ];
    await store.putDoc(ACCESS_KIND, datasetId, entries);

    const counted = cards.filter((c) => !c.drill);
    const cardCount = counted.length;
    const cardViewCount = counted.reduce((sum, c) => sum + c.views, 0);
    await store.putDoc<DomoDataSource>('dataset', datasetId, {
      ...dataset,
      cardInfo: { cardCount, cardViewCount },
      cardCount,
    });
  }
}
