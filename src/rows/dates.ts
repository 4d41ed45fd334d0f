/**
 * Relative date ranges (`last 3 MONTH`, `previous 1 QUARTER`, `toDate YEAR`) resolved against a
 * stated clock: the instant taken as "now" and the time zone whose calendar the periods follow.
 * The compiler emits only the resulting bounds as literals, so the SQL (and its results) is the
 * same on every server and reproducible in tests. Weeks start on Sunday (MySQL's default WEEK mode,
 * and Domo's standard calendar); Domo's fiscal calendar is not known to the gateway.
 */
import { RowsInputError } from './errors.ts';
import { utcText } from './values.ts';

export type DateUnit = 'DAY' | 'WEEK' | 'MONTH' | 'QUARTER' | 'YEAR';
export const DATE_UNITS: readonly DateUnit[] = ['DAY', 'WEEK', 'MONTH', 'QUARTER', 'YEAR'];

export interface Clock {
  /** Epoch milliseconds taken as "now". */
  now: number;
  /** IANA time zone name (e.g. `Europe/Paris`, `UTC`). */
  timeZone: string;
}

/** A local calendar day. */
interface Day {
  y: number;
  m: number;
  d: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** Checks a time zone name, refusing an unknown one with the argument's path. */
export function checkTimeZone(timeZone: string, path: string): string {
  try {
    formatter(timeZone);
    return timeZone;
  } catch {
    throw new RowsInputError(
      `unknown time zone "${timeZone.slice(0, 64)}" (use an IANA name such as UTC or Europe/Paris)`,
      path,
    );
  }
}

/** Wall-clock fields of an instant in a zone. */
function wall(epoch: number, timeZone: string) {
  const parts: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(new Date(epoch))) {
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  }
  return parts as { year: number; month: number; day: number; hour: number; minute: number; second: number };
}

/** The instant a local midnight falls on in a zone (DST-safe: the offset is checked at the result). */
function midnightEpoch(day: Day, timeZone: string): number {
  const local = Date.UTC(day.y, day.m - 1, day.d);
  let epoch = local;
  for (let i = 0; i < 2; i++) {
    const w = wall(epoch, timeZone);
    const offset = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second) - epoch;
    epoch = local - offset;
  }
  return epoch;
}

const dayText = (day: Day) =>
  `${String(day.y).padStart(4, '0')}-${String(day.m).padStart(2, '0')}-${String(day.d).padStart(2, '0')}`;

function addDays(day: Day, n: number): Day {
  const t = new Date(Date.UTC(day.y, day.m - 1, day.d + n));
  return { y: t.getUTCFullYear(), m: t.getUTCMonth() + 1, d: t.getUTCDate() };
}

function addMonths(day: Day, n: number): Day {
  const t = new Date(Date.UTC(day.y, day.m - 1 + n, day.d));
  return { y: t.getUTCFullYear(), m: t.getUTCMonth() + 1, d: t.getUTCDate() };
}

function periodStart(day: Day, unit: DateUnit): Day {
  switch (unit) {
    case 'DAY':
      return day;
    case 'WEEK':
      return addDays(day, -new Date(Date.UTC(day.y, day.m - 1, day.d)).getUTCDay());
    case 'MONTH':
      return { y: day.y, m: day.m, d: 1 };
    case 'QUARTER':
      return { y: day.y, m: Math.floor((day.m - 1) / 3) * 3 + 1, d: 1 };
    case 'YEAR':
      return { y: day.y, m: 1, d: 1 };
  }
}

function shift(day: Day, unit: DateUnit, n: number): Day {
  switch (unit) {
    case 'DAY':
      return addDays(day, n);
    case 'WEEK':
      return addDays(day, 7 * n);
    case 'MONTH':
      return addMonths(day, n);
    case 'QUARTER':
      return addMonths(day, 3 * n);
    case 'YEAR':
      return addMonths(day, 12 * n);
  }
}

export type RelativeRange =
  | { kind: 'last'; count: number; unit: DateUnit }
  | { kind: 'previous'; count: number; unit: DateUnit }
  | { kind: 'toDate'; unit: DateUnit };

/** Bounds as SQL-ready text: `from` inclusive; `to` exclusive, or inclusive when `toInclusive`. */
export interface Bounds {
  from: string;
  to: string;
  toInclusive: boolean;
}

/**
 * The bounds of a relative range for a DATE or DATETIME column:
 * - `last N unit`: the current period and the N-1 before it (`last 7 DAY` is today and the 6 days before);
 * - `previous N unit`: the N complete periods before the current one (`previous 1 MONTH` is last month);
 * - `toDate unit`: from the start of the current period up to now (today included for a DATE).
 * DATETIME bounds are the zone's local midnights converted to UTC, as Domo stores DATETIME.
 */
export function resolveRange(range: RelativeRange, clock: Clock, type: 'DATE' | 'DATETIME'): Bounds {
  const w = wall(clock.now, clock.timeZone);
  const today: Day = { y: w.year, m: w.month, d: w.day };
  const start = periodStart(today, range.unit);
  let from: Day;
  let to: Day;
  if (range.kind === 'last') {
    from = shift(start, range.unit, -(range.count - 1));
    to = shift(start, range.unit, 1);
  } else if (range.kind === 'previous') {
    from = shift(start, range.unit, -range.count);
    to = start;
  } else {
    from = start;
    to = addDays(today, 1);
    if (type === 'DATETIME')
      return {
        from: utcText(midnightEpoch(from, clock.timeZone)),
        to: utcText(clock.now),
        toInclusive: true,
      };
  }
  if (type === 'DATE') return { from: dayText(from), to: dayText(to), toInclusive: false };
  return {
    from: utcText(midnightEpoch(from, clock.timeZone)),
    to: utcText(midnightEpoch(to, clock.timeZone)),
    toInclusive: false,
  };
}
