/**
 * Relay connections over Domo's offset-paged lists: page bounds from the Relay arguments (forward
 * only, capped at MAX_PAGE_SIZE) and the connection of one page, with its `totalCount`.
 */
import { cursorToOffset, offsetToCursor } from '@pothos/plugin-relay';
import { badUserInput } from '../errors.ts';

/** Page bounds from Relay arguments, capped at the maximum page size. */
export function pageArgs(
  args: { first?: number | null; after?: string | null; last?: number | null; before?: string | null },
  max: number,
): { limit: number; offset: number } {
  // Domo's lists page forward by offset only; silently ignoring backward arguments would mislead.
  if (args.last !== undefined && args.last !== null)
    throw badUserInput('last is not supported: page forward with first and after', 'last');
  if (args.before !== undefined && args.before !== null)
    throw badUserInput('before is not supported: page forward with first and after', 'before');
  const first = args.first ?? max;
  if (first < 0) throw badUserInput('first must not be negative', 'first');
  if (first > max) throw badUserInput(`first must be at most ${max}`, 'first');
  let offset = 0;
  if (args.after) {
    try {
      offset = cursorToOffset(args.after) + 1;
    } catch {
      throw badUserInput('after is not a cursor from this connection', 'after');
    }
    if (!Number.isInteger(offset) || offset < 0)
      throw badUserInput('after is not a cursor from this connection', 'after');
  }
  return { limit: first, offset };
}

/** A connection from one page of an offset-paged upstream list. */
export function offsetPage<T>(
  items: T[],
  offset: number,
  limit: number,
  totalCount: number | undefined,
  /** Filters the page after cursors are given (the dataset allow-list), so paging still follows Domo. */
  keep?: (item: T) => boolean,
) {
  const page = items.slice(0, limit);
  const hasNextPage =
    totalCount !== undefined ? offset + page.length < totalCount : items.length >= limit && limit > 0;
  const edges = page.map((node, i) => ({ cursor: offsetToCursor(offset + i), node }));
  return {
    // Domo's count includes what the filter hides: unknown, rather than wrong or telling.
    totalCount: keep ? null : (totalCount ?? null),
    edges: keep ? edges.filter((edge) => keep(edge.node)) : edges,
    // The page's bounds stay Domo's, so `after: endCursor` continues past hidden items.
    pageInfo: {
      hasNextPage,
      hasPreviousPage: offset > 0,
      startCursor: page.length ? offsetToCursor(offset) : null,
      endCursor: page.length ? offsetToCursor(offset + page.length - 1) : null,
    },
  };
}

/** A page from an upstream list fetched with one extra item, which tells whether more follow. */
export function pageOf<T>(items: T[], offset: number, limit: number) {
  const total = items.length <= limit ? offset + items.length : undefined;
  return offsetPage(items, offset, limit, total);
}
