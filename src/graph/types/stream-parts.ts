/**
 * The parts of a stream payload that are plain objects: transport, connector, account, configuration
 * items and the schedule (advancedScheduleJson parsed into typed fields). All from the stream payload.
 */
import { parseAdvancedSchedule, SCHEDULE_TYPES, type ScheduleType } from '../../domo/schedule.ts';
import type {
  DomoAdvancedSchedule,
  DomoDataProvider,
  DomoStream,
  DomoStreamAccount,
  DomoStreamConfigurationItem,
} from '../../domo/types.ts';
import { builder } from '../builder.ts';
import { knownOrUnknown } from './execution.ts';

export const TransportRef = builder.simpleObject('StreamTransport', {
  description: 'How data reaches Domo through a stream.',
  fields: (t) => ({
    type: t.string({ description: 'Transport type, e.g. CONNECTOR, API, WEBFORM.' }),
    description: t.string({
      nullable: true,
      description: 'Connector class, e.g. com.domo.connector.covid19.',
    }),
    version: t.string({ nullable: true, description: 'Connector version.' }),
  }),
});

export const DataProviderRef = builder.objectRef<DomoDataProvider>('DataProvider').implement({
  description:
    'The connector behind a stream, with every field Domo sends. Not a Relay node: the API has no endpoint that reads one connector by id.',
  fields: (t) => {
    const text = (key: keyof DomoDataProvider, description: string) =>
      t.string({
        nullable: true,
        description,
        resolve: (p) => (p[key] === null || p[key] === undefined ? null : String(p[key])),
      });
    const flag = (key: keyof DomoDataProvider, description: string) =>
      t.boolean({
        nullable: true,
        description,
        resolve: (p) => (typeof p[key] === 'boolean' ? (p[key] as boolean) : null),
      });
    return {
      id: t.field({
        type: 'Long',
        nullable: true,
        description: "Domo's id of the provider.",
        resolve: (p) => p.id ?? null,
      }),
      key: t.exposeString('key', {
        description: 'Provider key, e.g. covid-19 (the dataset’s dataProviderType).',
      }),
      name: text('name', 'Display name.'),
      url: text('url', 'Provider URL.'),
      defaultConnectorId: text('defaultConnectorId', 'Default connector id.'),
      defaultConnectorLabel: text('defaultConnectorLabel', 'Default connector label.'),
      authenticationScheme: text('authenticationScheme', 'Authentication scheme, e.g. oauth, fields.'),
      connectorValidatorPresent: flag(
        'connectorValidatorPresent',
        'The connector validates its configuration.',
      ),
      resourceBundlePresent: flag('resourceBundlePresent', 'The connector ships a resource bundle.'),
      moduleHandler: text('moduleHandler', 'Module handler.'),
      iconPicker: flag('iconPicker', 'The connector offers an icon picker.'),
      scope: text('scope', 'Scope.'),
      producer: text('producer', 'Who built the connector, e.g. DOMO.'),
      version: text('version', 'Provider version.'),
      dateCreated: t.field({
        type: 'DateTime',
        nullable: true,
        description: 'When the provider was created (Domo sends epoch milliseconds).',
        resolve: (p) => p.dateCreated ?? null,
      }),
      dateUpdated: t.field({
        type: 'DateTime',
        nullable: true,
        description: 'When the provider was last updated (epoch milliseconds).',
        resolve: (p) => p.dateUpdated ?? null,
      }),
      visibility: text('visibility', 'Visibility, e.g. WITH_CONNECTOR.'),
      type: text('type', 'Provider type, e.g. STANDARD.'),
      authenticationSchemeConfiguration: t.field({
        type: ['JSON'],
        description: 'Authentication scheme configuration, as Domo sends it.',
        resolve: (p) => p.authenticationSchemeConfiguration ?? [],
      }),
    };
  },
});

export const AccountRef = builder.objectRef<DomoStreamAccount>('StreamAccount').implement({
  description:
    'The account (credentials) a stream’s connector uses. Not a Relay node: the API has no endpoint that reads one account by id.',
  fields: (t) => ({
    id: t.field({ type: 'Long', description: "Domo's id of the account.", resolve: (a) => a.id }),
    name: t.string({ nullable: true, description: 'Name.', resolve: (a) => a.name ?? null }),
    displayName: t.string({
      nullable: true,
      description: 'Display name.',
      resolve: (a) => a.displayName ?? null,
    }),
    dataProviderType: t.string({
      nullable: true,
      description: 'Provider the account belongs to.',
      resolve: (a) => a.dataProviderType ?? null,
    }),
    valid: t.boolean({
      nullable: true,
      description: 'The account’s credentials work.',
      resolve: (a) => a.valid ?? null,
    }),
    json: t.field({
      type: 'JSONObject',
      description: 'The account object as Domo sent it.',
      resolve: (a) => a,
    }),
  }),
});

export const ConfigurationItemRef = builder
  .objectRef<DomoStreamConfigurationItem>('StreamConfigurationItem')
  .implement({
    description: 'One configuration entry of a stream (a connector setting).',
    fields: (t) => ({
      streamId: t.field({
        type: 'Long',
        nullable: true,
        description: 'Stream it belongs to.',
        resolve: (c) => c.streamId ?? null,
      }),
      category: t.exposeString('category', { description: 'Category, e.g. METADATA.' }),
      name: t.exposeString('name', { description: 'Setting name.' }),
      type: t.exposeString('type', { description: 'Value type, e.g. string.' }),
      value: t.exposeString('value', { description: 'Value, as text.' }),
    }),
  });

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
  fields: (t) => ({
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
    interval: t.int({
      nullable: true,
      description: 'Every how many units it runs.',
      resolve: (s) => int(s.interval),
    }),
    between: t.field({
      type: WindowRef,
      nullable: true,
      description: 'Time-of-day window, when set.',
      resolve: (s) =>
        s.between && typeof s.between === 'object'
          ? { start: s.between.start ?? null, end: s.between.end ?? null }
          : null,
    }),
    minute: t.int({
      nullable: true,
      description: 'Minute of the hour it runs at.',
      resolve: (s) => int(s.minute),
    }),
    hour: t.int({ nullable: true, description: 'Hour of the day it runs at.', resolve: (s) => int(s.hour) }),
    daysOfWeek: t.intList({
      nullable: true,
      description: 'Days of the week (0 = Sunday).',
      resolve: (s) => ints(s.daysOfWeek),
    }),
    daysOfMonth: t.intList({
      nullable: true,
      description: 'Days of the month.',
      resolve: (s) => ints(s.daysOfMonth),
    }),
    months: t.intList({
      nullable: true,
      description: 'Months (1 = January).',
      resolve: (s) => ints(s.months),
    }),
    json: t.field({
      type: 'JSONObject',
      description: 'Every field of the parsed JSON, known or not.',
      resolve: (s) => s,
    }),
  }),
});

export const ScheduleRef = builder.objectRef<DomoStream>('StreamSchedule').implement({
  description: 'When a stream runs, from the stream payload (no extra call).',
  fields: (t) => ({
    expression: t.string({
      nullable: true,
      description: 'Quartz cron expression (scheduleExpression), e.g. "0 13/30 * * * ?".',
      resolve: (s) => s.scheduleExpression ?? null,
    }),
    startDate: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'When the schedule starts (scheduleStartDate; epoch milliseconds or ISO text).',
      resolve: (s) => s.scheduleStartDate ?? null,
    }),
    retryExpression: t.string({
      nullable: true,
      description: 'Cron expression of retries (scheduleRetryExpression).',
      resolve: (s) => s.scheduleRetryExpression ?? null,
    }),
    retryCount: t.int({
      nullable: true,
      description: 'Retries after a failed run (scheduleRetryCount).',
      resolve: (s) => s.scheduleRetryCount ?? null,
    }),
    advancedScheduleJson: t.string({
      nullable: true,
      description: 'The schedule JSON exactly as Domo stores it.',
      resolve: (s) => s.advancedScheduleJson ?? null,
    }),
    advanced: t.field({
      type: AdvancedScheduleRef,
      nullable: true,
      description: 'advancedScheduleJson parsed; null when absent or not a JSON object with a type.',
      resolve: (s) => parseAdvancedSchedule(s.advancedScheduleJson),
    }),
    state: t.string({
      nullable: true,
      description: 'Schedule state (scheduleState), e.g. ACTIVE.',
      resolve: (s) => s.scheduleState ?? null,
    }),
    assertion: t.boolean({
      nullable: true,
      description: 'scheduleAssertion.',
      resolve: (s) => s.scheduleAssertion ?? null,
    }),
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
