/**
 * A stream's schedule, defined once: the ScheduleType enum (from domo/schedule.ts's list), the
 * schedule as read (StreamSchedule, with advancedScheduleJson parsed into AdvancedSchedule), the
 * schedule as written (AdvancedScheduleInput) and its validation.
 */
import {
  parseAdvancedSchedule,
  SCHEDULE_TYPES,
  type ScheduleType,
  serializeAdvancedSchedule,
} from '../../../domo/schedule.ts';
import type { DomoAdvancedSchedule, DomoStream } from '../../../domo/types.ts';
import { builder } from '../../builder.ts';
import { badUserInput } from '../../errors.ts';
import { text } from '../args.ts';
import { knownOrUnknown } from '../enums.ts';

export const ScheduleTypeRef = builder.enumType('ScheduleType', {
  description: 'How often a stream runs (the `type` of advancedScheduleJson).',
  values: {
    MANUAL: { description: 'Only when started by hand or through executeStream.' },
    ONCE: { description: 'Once, at the start date.' },
    MINUTE: { description: 'Every `interval` minutes.' },
    HOUR: { description: 'Every `interval` hours.' },
    DAY: { description: 'Every day (or every `interval` days).' },
    WEEK: { description: 'On the given days of the week.' },
    MONTH: { description: 'On the given days of the month.' },
    UNKNOWN: { description: 'A type Domo sent that this gateway does not know; see typeName.' },
  } satisfies Record<ScheduleType | 'UNKNOWN', { description: string }>,
});

// --- read ----------------------------------------------------------------------------------------

export const WindowRef = builder.simpleObject('ScheduleWindow', {
  description: 'A time-of-day window a schedule runs within.',
  fields: (t) => ({
    start: t.string({ nullable: true, description: 'Start of the window, as Domo sends it.' }),
    end: t.string({ nullable: true, description: 'End of the window, as Domo sends it.' }),
  }),
});

const ints = (value: unknown): number[] | null =>
  Array.isArray(value) && value.every((v) => Number.isInteger(v)) ? (value as number[]) : null;
const int = (value: unknown): number | null => (Number.isInteger(value) ? (value as number) : null);

export const AdvancedScheduleRef = builder.objectRef<DomoAdvancedSchedule>('AdvancedSchedule').implement({
  description: 'A stream’s advancedScheduleJson, parsed. Known fields are typed; `json` holds everything.',
  fields: (t) => {
    const intField = (key: 'interval' | 'minute' | 'hour', description: string) =>
      t.int({ nullable: true, description, resolve: (s) => int(s[key]) });
    const intsField = (key: 'daysOfWeek' | 'daysOfMonth' | 'months', description: string) =>
      t.intList({ nullable: true, description, resolve: (s) => ints(s[key]) });
    return {
      type: t.field({
        type: ScheduleTypeRef,
        description: 'How often it runs.',
        resolve: (s) => knownOrUnknown(s.type, SCHEDULE_TYPES) ?? 'UNKNOWN',
      }),
      typeName: t.string({ description: 'The type exactly as Domo sent it.', resolve: (s) => s.type }),
      timezone: t.string({
        nullable: true,
        description: 'IANA time zone, e.g. UTC.',
        resolve: (s) => (typeof s.timezone === 'string' ? s.timezone : null),
      }),
      interval: intField('interval', 'Every how many units it runs.'),
      between: t.field({
        type: WindowRef,
        nullable: true,
        description: 'Time-of-day window, when set.',
        resolve: (s) =>
          s.between && typeof s.between === 'object'
            ? { start: s.between.start ?? null, end: s.between.end ?? null }
            : null,
      }),
      minute: intField('minute', 'Minute of the hour it runs at.'),
      hour: intField('hour', 'Hour of the day it runs at.'),
      daysOfWeek: intsField('daysOfWeek', 'Days of the week (0 = Sunday).'),
      daysOfMonth: intsField('daysOfMonth', 'Days of the month.'),
      months: intsField('months', 'Months (1 = January).'),
      json: t.field({
        type: 'JSONObject',
        description: 'Every field of the parsed JSON, known or not.',
        resolve: (s) => s,
      }),
    };
  },
});

export const ScheduleRef = builder.objectRef<DomoStream>('StreamSchedule').implement({
  description: 'When a stream runs, from the stream payload (no extra call).',
  fields: (t) => ({
    expression: t.exposeString('scheduleExpression', {
      nullable: true,
      description: 'Quartz cron expression (scheduleExpression), e.g. "0 13/30 * * * ?".',
    }),
    startDate: t.expose('scheduleStartDate', {
      type: 'DateTime',
      nullable: true,
      description: 'When the schedule starts (scheduleStartDate; epoch milliseconds or ISO text).',
    }),
    retryExpression: t.exposeString('scheduleRetryExpression', {
      nullable: true,
      description: 'Cron expression of retries (scheduleRetryExpression).',
    }),
    retryCount: t.exposeInt('scheduleRetryCount', {
      nullable: true,
      description: 'Retries after a failed run (scheduleRetryCount).',
    }),
    advancedScheduleJson: t.exposeString('advancedScheduleJson', {
      nullable: true,
      description: 'The schedule JSON exactly as Domo stores it.',
    }),
    advanced: t.field({
      type: AdvancedScheduleRef,
      nullable: true,
      description: 'advancedScheduleJson parsed; null when absent or not a JSON object with a type.',
      resolve: (s) => parseAdvancedSchedule(s.advancedScheduleJson),
    }),
    state: t.exposeString('scheduleState', {
      nullable: true,
      description: 'Schedule state (scheduleState), e.g. ACTIVE.',
    }),
    assertion: t.exposeBoolean('scheduleAssertion', { nullable: true, description: 'scheduleAssertion.' }),
    inactiveScheduleCode: t.string({
      nullable: true,
      description: 'Why the schedule is inactive, when it is.',
      resolve: (s) =>
        s.inactiveScheduleCode === null || s.inactiveScheduleCode === undefined
          ? null
          : String(s.inactiveScheduleCode),
    }),
  }),
});

// --- write ---------------------------------------------------------------------------------------

const WindowInputRef = builder.inputType('ScheduleWindowInput', {
  description: 'A time-of-day window.',
  fields: (t) => ({
    start: t.string({ required: true, description: 'Start, e.g. 08:00.' }),
    end: t.string({ required: true, description: 'End, e.g. 17:00.' }),
  }),
});

export const ScheduleInputRef = builder.inputType('AdvancedScheduleInput', {
  description: 'A schedule; sent as the advancedScheduleJson string.',
  fields: (t) => ({
    type: t.field({ type: ScheduleTypeRef, required: true, description: 'How often it runs.' }),
    timezone: t.string({ defaultValue: 'UTC', description: 'IANA time zone (default UTC).' }),
    interval: t.int({ description: 'Every how many units (MINUTE, HOUR, DAY).' }),
    between: t.field({ type: WindowInputRef, description: 'Only within this time-of-day window.' }),
    minute: t.int({ description: 'Minute of the hour, 0-59.' }),
    hour: t.int({ description: 'Hour of the day, 0-23.' }),
    daysOfWeek: t.intList({ description: 'Days of the week, 0 (Sunday) to 6.' }),
    daysOfMonth: t.intList({ description: 'Days of the month, 1-31.' }),
    months: t.intList({ description: 'Months, 1-12.' }),
  }),
});

export type ScheduleInput = typeof ScheduleInputRef.$inferInput;

function intIn(
  value: number | null | undefined,
  min: number,
  max: number,
  field: string,
): number | undefined {
  if (value === null || value === undefined) return undefined;
  if (!Number.isInteger(value) || value < min || value > max)
    throw badUserInput(`${field} must be a whole number from ${min} to ${max}`, field);
  return value;
}

function intsIn(
  values: readonly number[] | null | undefined,
  min: number,
  max: number,
  field: string,
): number[] | undefined {
  if (!values) return undefined;
  if (values.length === 0) throw badUserInput(`${field} must not be empty when given`, field);
  for (const [i, v] of values.entries()) intIn(v, min, max, `${field}[${i}]`);
  if (new Set(values).size !== values.length) throw badUserInput(`${field} has duplicates`, field);
  return [...values];
}

export function validTimezone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** The schedule object to serialize, validated. */
export function scheduleFromInput(input: ScheduleInput, field = 'input.schedule'): DomoAdvancedSchedule {
  if (!(SCHEDULE_TYPES as readonly string[]).includes(input.type))
    throw badUserInput(`${field}.type must be one of ${SCHEDULE_TYPES.join(', ')}`, `${field}.type`);
  const timezone = input.timezone ?? 'UTC';
  if (!validTimezone(timezone))
    throw badUserInput(
      `${field}.timezone must be an IANA time zone such as UTC or America/Denver`,
      `${field}.timezone`,
    );
  const schedule: DomoAdvancedSchedule = { type: input.type, timezone };
  const interval = intIn(input.interval, 1, 1440, `${field}.interval`);
  if (interval !== undefined) schedule.interval = interval;
  if (input.between) {
    schedule.between = {
      start: text(input.between.start, `${field}.between.start`, 32),
      end: text(input.between.end, `${field}.between.end`, 32),
    };
  }
  const minute = intIn(input.minute, 0, 59, `${field}.minute`);
  if (minute !== undefined) schedule.minute = minute;
  const hour = intIn(input.hour, 0, 23, `${field}.hour`);
  if (hour !== undefined) schedule.hour = hour;
  const days = intsIn(input.daysOfWeek, 0, 6, `${field}.daysOfWeek`);
  if (days) schedule.daysOfWeek = days;
  const monthDays = intsIn(input.daysOfMonth, 1, 31, `${field}.daysOfMonth`);
  if (monthDays) schedule.daysOfMonth = monthDays;
  const months = intsIn(input.months, 1, 12, `${field}.months`);
  if (months) schedule.months = months;
  return schedule;
}

/** The advancedScheduleJson string of a validated schedule input. */
export const scheduleJson = (input: ScheduleInput): string =>
  serializeAdvancedSchedule(scheduleFromInput(input));
