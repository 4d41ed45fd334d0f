/**
 * Inputs of the stream mutations: GraphQL input types, their validation (before any upstream call,
 * each problem a BAD_USER_INPUT naming the field) and the request bodies of the API doc's examples.
 */
import { SCHEDULE_TYPES, type ScheduleType, serializeAdvancedSchedule } from '../../domo/schedule.ts';
import type { DomoAdvancedSchedule, DomoStream, DomoStreamWriteRequest } from '../../domo/types.ts';
import { builder } from '../builder.ts';
import { badUserInput } from '../errors.ts';
import { UpdateMethodRef } from './execution.ts';
import { ScheduleTypeRef } from './stream-parts.ts';

export interface TransportInput {
  type: string;
  description: string;
  version: string;
}
export interface ConfigurationInput {
  name: string;
  value: string;
  type?: string | null;
  category?: string | null;
}
export interface ScheduleInput {
  type: ScheduleType | 'UNKNOWN';
  timezone?: string | null;
  interval?: number | null;
  between?: { start: string; end: string } | null;
  minute?: number | null;
  hour?: number | null;
  daysOfWeek?: number[] | null;
  daysOfMonth?: number[] | null;
  months?: number[] | null;
}
export interface StreamInput {
  transport?: TransportInput | null;
  configuration?: ConfigurationInput[] | null;
  account?: { id: number } | null;
  updateMethod?: string | null;
  dataProvider?: { key: string } | null;
  dataSource?: { name: string; description?: string | null } | null;
  schedule?: ScheduleInput | null;
}

const TransportInputRef = builder.inputType('StreamTransportInput', {
  description: 'How data reaches Domo (the `transport` of the request).',
  fields: (t) => ({
    type: t.string({
      required: true,
      defaultValue: 'CONNECTOR',
      description: 'Transport type, e.g. CONNECTOR.',
    }),
    description: t.string({
      required: true,
      description: 'Connector class, e.g. com.domo.connector.snowflakeunloadv2.',
    }),
    version: t.string({ required: true, defaultValue: '0', description: 'Connector version.' }),
  }),
});

const ConfigurationInputRef = builder.inputType('StreamConfigurationInput', {
  description: 'One connector setting; names must be unique within a stream.',
  fields: (t) => ({
    name: t.string({ required: true, description: 'Setting name, e.g. query.' }),
    value: t.string({ required: true, description: 'Value, as text.' }),
    type: t.string({ defaultValue: 'string', description: 'Value type (default string).' }),
    category: t.string({ defaultValue: 'METADATA', description: 'Category (default METADATA).' }),
  }),
});

const AccountInputRef = builder.inputType('StreamAccountInput', {
  description: 'The account the connector uses.',
  fields: (t) => ({ id: t.field({ type: 'Long', required: true, description: "Domo's account id." }) }),
});

const DataProviderInputRef = builder.inputType('StreamDataProviderInput', {
  description: 'The connector, by key.',
  fields: (t) => ({
    key: t.string({ required: true, description: 'Provider key, e.g. snowflake-unload-v2.' }),
  }),
});

const DataSourceInputRef = builder.inputType('StreamDataSourceInput', {
  description: 'Name and description of the stream’s dataset.',
  fields: (t) => ({
    name: t.string({ required: true, description: 'Dataset name.' }),
    description: t.string({ description: 'Dataset description.' }),
  }),
});

const WindowInputRef = builder.inputType('ScheduleWindowInput', {
  description: 'A time-of-day window.',
  fields: (t) => ({
    start: t.string({ required: true, description: 'Start, e.g. 08:00.' }),
    end: t.string({ required: true, description: 'End, e.g. 17:00.' }),
  }),
});

const ScheduleInputRef = builder.inputType('AdvancedScheduleInput', {
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

export const CreateStreamInputRef = builder.inputType('CreateStreamInput', {
  description: 'A new stream and the dataset it feeds (POST /api/data/v1/streams).',
  fields: (t) => ({
    transport: t.field({ type: TransportInputRef, required: true, description: 'How data arrives.' }),
    configuration: t.field({
      type: [ConfigurationInputRef],
      defaultValue: [],
      description: 'Connector settings.',
    }),
    // The API doc marks account required on create (a stream read back may still show none).
    account: t.field({ type: AccountInputRef, required: true, description: 'Account the connector uses.' }),
    updateMethod: t.field({ type: UpdateMethodRef, required: true, description: 'APPEND, REPLACE, …' }),
    dataProvider: t.field({ type: DataProviderInputRef, required: true, description: 'The connector.' }),
    dataSource: t.field({ type: DataSourceInputRef, required: true, description: 'The new dataset.' }),
    schedule: t.field({ type: ScheduleInputRef, description: 'When it runs; omit to leave it to Domo.' }),
  }),
});

export const UpdateStreamInputRef = builder.inputType('UpdateStreamInput', {
  description:
    'Changes to a stream (PUT /api/data/v1/streams/{id}). Domo wants the whole stream, so what is left out is taken from the stream as it is.',
  fields: (t) => ({
    transport: t.field({ type: TransportInputRef, description: 'How data arrives.' }),
    configuration: t.field({
      type: [ConfigurationInputRef],
      description: 'Connector settings (replaces the list).',
    }),
    account: t.field({ type: AccountInputRef, description: 'Account the connector uses.' }),
    updateMethod: t.field({ type: UpdateMethodRef, description: 'APPEND, REPLACE, …' }),
    dataProvider: t.field({ type: DataProviderInputRef, description: 'The connector.' }),
    dataSource: t.field({ type: DataSourceInputRef, description: 'New dataset name and description.' }),
    schedule: t.field({ type: ScheduleInputRef, description: 'When it runs.' }),
  }),
});

const PROVIDER_KEY = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const TRANSPORT_TYPE = /^[A-Z][A-Z0-9_]{0,63}$/;

function text(value: string, field: string, max = 1024): string {
  if (value.trim() === '') throw badUserInput(`${field} must not be empty`, field);
  if (value.length > max) throw badUserInput(`${field} must be at most ${max} characters`, field);
  return value;
}

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
  values: number[] | null | undefined,
  min: number,
  max: number,
  field: string,
): number[] | undefined {
  if (!values) return undefined;
  if (values.length === 0) throw badUserInput(`${field} must not be empty when given`, field);
  for (const [i, v] of values.entries()) intIn(v, min, max, `${field}[${i}]`);
  if (new Set(values).size !== values.length) throw badUserInput(`${field} has duplicates`, field);
  return values;
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

type Parts = Partial<DomoStreamWriteRequest>;

/** Validates every given part of the input and turns it into the request's fields. */
export function partsFromInput(input: StreamInput): Parts {
  const parts: Parts = {};
  if (input.transport) {
    const { type, description, version } = input.transport;
    if (!TRANSPORT_TYPE.test(type))
      throw badUserInput(
        'input.transport.type must be an upper-case word such as CONNECTOR',
        'input.transport.type',
      );
    parts.transport = {
      type,
      description: text(description, 'input.transport.description', 256),
      version: text(version, 'input.transport.version', 32),
    };
  }
  if (input.configuration) {
    const seen = new Set<string>();
    parts.configuration = input.configuration.map((item, i) => {
      const field = `input.configuration[${i}]`;
      const name = text(item.name, `${field}.name`, 256).trim();
      if (seen.has(name)) throw badUserInput(`${field}.name "${name}" appears twice`, `${field}.name`);
      seen.add(name);
      return {
        name,
        value: item.value,
        type: text(item.type ?? 'string', `${field}.type`, 64),
        category: text(item.category ?? 'METADATA', `${field}.category`, 64),
      };
    });
  }
  if (input.account) {
    if (!Number.isSafeInteger(input.account.id) || input.account.id <= 0)
      throw badUserInput('input.account.id must be a positive integer', 'input.account.id');
    parts.account = { id: input.account.id };
  }
  if (input.updateMethod !== null && input.updateMethod !== undefined) {
    if (input.updateMethod === 'UNKNOWN')
      throw badUserInput(
        'input.updateMethod must be APPEND, REPLACE, PARTITION or UPSERT',
        'input.updateMethod',
      );
    parts.updateMethod = input.updateMethod;
  }
  if (input.dataProvider) {
    if (!PROVIDER_KEY.test(input.dataProvider.key))
      throw badUserInput(
        'input.dataProvider.key must be a provider key such as snowflake-unload-v2',
        'input.dataProvider.key',
      );
    parts.dataProvider = { key: input.dataProvider.key };
  }
  if (input.dataSource) {
    const name = text(input.dataSource.name, 'input.dataSource.name', 256).trim();
    const description = input.dataSource.description;
    if (description && description.length > 4096)
      throw badUserInput(
        'input.dataSource.description must be at most 4096 characters',
        'input.dataSource.description',
      );
    parts.dataSource = description === null || description === undefined ? { name } : { name, description };
  }
  if (input.schedule)
    parts.advancedScheduleJson = serializeAdvancedSchedule(scheduleFromInput(input.schedule));
  return parts;
}

/** The body of a create, in the doc's field order. */
export function createBody(input: StreamInput): DomoStreamWriteRequest {
  const parts = partsFromInput(input);
  const body: DomoStreamWriteRequest = {
    transport: parts.transport!,
    configuration: parts.configuration ?? [],
    account: parts.account ?? null,
    updateMethod: parts.updateMethod!,
    dataProvider: parts.dataProvider!,
    dataSource: parts.dataSource!,
  };
  if (parts.advancedScheduleJson) body.advancedScheduleJson = parts.advancedScheduleJson;
  return body;
}

/** The body of an update: the stream as it is, with the validated changes laid over it. */
export function updateBody(current: DomoStream, parts: Parts): DomoStreamWriteRequest {
  const description = current.dataSource?.description;
  const currentDataSource = {
    name: current.dataSource?.name ?? '',
    ...(description !== undefined ? { description } : {}),
  };
  const body: DomoStreamWriteRequest = {
    transport: parts.transport ?? {
      type: current.transport?.type ?? 'CONNECTOR',
      description: current.transport?.description ?? '',
      version: current.transport?.version ?? '0',
    },
    configuration:
      parts.configuration ??
      (current.configuration ?? []).map(({ name, value, type, category }) => ({
        name,
        value,
        type,
        category,
      })),
    account: parts.account ?? (current.account ? { id: current.account.id } : null),
    updateMethod: parts.updateMethod ?? current.updateMethod ?? 'REPLACE',
    dataProvider: parts.dataProvider ?? { key: current.dataProvider?.key ?? '' },
    // A new name alone keeps the description the dataset has.
    dataSource: { ...currentDataSource, ...parts.dataSource },
  };
  const schedule = parts.advancedScheduleJson ?? current.advancedScheduleJson;
  if (schedule) body.advancedScheduleJson = schedule;
  return body;
}
