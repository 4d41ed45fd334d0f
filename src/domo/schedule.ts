/**
 * A stream's `advancedScheduleJson`: Domo keeps the schedule as a JSON-encoded string inside the
 * stream, e.g. `{"type":"MINUTE","timezone":"UTC","between":null,"interval":30}`. These helpers read
 * it into an object and write one back in the form the API doc's request examples show.
 */
import type { DomoAdvancedSchedule } from './types.ts';

/** Schedule types; MANUAL and MINUTE appear in the API doc, the rest in Domo's scheduler UI. */
export const SCHEDULE_TYPES = ['MANUAL', 'ONCE', 'MINUTE', 'HOUR', 'DAY', 'WEEK', 'MONTH'] as const;
export type ScheduleType = (typeof SCHEDULE_TYPES)[number];

/** The parsed schedule, or null when the string is absent, not JSON, or not an object with a type. */
export function parseAdvancedSchedule(raw: string | null | undefined): DomoAdvancedSchedule | null {
  if (!raw) return null;
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return null;
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) return null;
  const record = value as Record<string, unknown>;
  if (typeof record.type !== 'string') return null;
  return record as DomoAdvancedSchedule;
}

/**
 * The JSON string for a schedule, with `type` and `timezone` first and Python-style separators
 * (`", "` and `": "`) exactly as the API doc's create/update examples send it:
 * `{"type": "MANUAL", "timezone": "UTC"}`. Undefined fields are left out; nulls are kept.
 */
export function serializeAdvancedSchedule(schedule: DomoAdvancedSchedule): string {
  const { type, timezone, ...rest } = schedule;
  const ordered: Record<string, unknown> = { type };
  if (timezone !== undefined) ordered.timezone = timezone;
  for (const [key, value] of Object.entries(rest)) if (value !== undefined) ordered[key] = value;
  return encode(ordered);
}

function encode(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(encode).join(', ')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined);
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}: ${encode(v)}`).join(', ')}}`;
  }
  return JSON.stringify(value ?? null);
}
