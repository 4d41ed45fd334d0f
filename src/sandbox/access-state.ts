/** Catalog kinds and helpers for cards, access lists and index records (src/sandbox/README.md). */
import type { DomoAccessEntry, DomoCard, DomoPrincipalType } from '../domo/types.ts';
import { DEMO_GROUPS, DEMO_USERS } from './seed.ts';
import type { SandboxStore } from './store.ts';

/** Per dataset: CardRecord[]. */
export const CARDS_KIND = 'cards';
/** Per dataset: DomoAccessEntry[], the owner first. */
export const ACCESS_KIND = 'access';
/** Per index id: IndexRecord. */
export const INDEX_KIND = 'index';

export interface CardRecord {
  card: DomoCard;
  /** A drill-path card: listed only with `drill=true`, not counted in the dataset's cardCount. */
  drill: boolean;
  views: number;
}

export interface IndexRecord {
  indexId: string;
  dataSourceId: string;
  status: 'QUEUED' | 'RUNNING' | 'COMPLETE' | 'FAILED';
  dataIds: Array<string | number>;
  requestedAt: number;
  updatedAt: number;
}

/**
 * The sandbox has one token and so one caller: it acts as this user (Alexis Lorenz), who owns what
 * it creates. A function, not a constant: seed.ts and this module import each other.
 */
export function sandboxCurrentUser(): { id: string; name: string } {
  return DEMO_USERS[0]!;
}

/** The display name of a known user or group; undefined when the sandbox does not know it. */
export function principalName(type: DomoPrincipalType | string, id: string): string | undefined {
  const known = type === 'GROUP' ? DEMO_GROUPS : type === 'USER' ? DEMO_USERS : [];
  return known.find((p) => p.id === id)?.name;
}

export function accessEntries(store: SandboxStore, datasetId: string): DomoAccessEntry[] {
  return store.getDoc<DomoAccessEntry[]>(ACCESS_KIND, datasetId) ?? [];
}
