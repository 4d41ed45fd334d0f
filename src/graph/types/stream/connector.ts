/**
 * What a stream connects through: its transport, connector (data provider), account and
 * configuration, as read from the stream payload and as written in createStream/updateStream, with
 * the validation of what is written (each problem a BAD_USER_INPUT naming the field).
 */
import type { StreamWriteParts } from '../../../domo/streams.ts';
import type {
  DomoDataProvider,
  DomoStreamAccount,
  DomoStreamConfigurationItem,
  DomoStreamWriteRequest,
} from '../../../domo/types.ts';
import { builder } from '../../builder.ts';
import { badUserInput } from '../../errors.ts';
import { text } from '../args.ts';

// --- read ----------------------------------------------------------------------------------------

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
    const time = (key: 'dateCreated' | 'dateUpdated', description: string) =>
      t.expose(key, { type: 'DateTime', nullable: true, description });
    return {
      id: t.expose('id', { type: 'Long', nullable: true, description: "Domo's id of the provider." }),
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
      dateCreated: time('dateCreated', 'When the provider was created (Domo sends epoch milliseconds).'),
      dateUpdated: time('dateUpdated', 'When the provider was last updated (epoch milliseconds).'),
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
    // DomoStreamAccount has an index signature, which t.expose cannot key.
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
      streamId: t.expose('streamId', { type: 'Long', nullable: true, description: 'Stream it belongs to.' }),
      category: t.exposeString('category', { description: 'Category, e.g. METADATA.' }),
      name: t.exposeString('name', { description: 'Setting name.' }),
      type: t.exposeString('type', { description: 'Value type, e.g. string.' }),
      value: t.exposeString('value', { description: 'Value, as text.' }),
    }),
  });

// --- write ---------------------------------------------------------------------------------------

export const TransportInputRef = builder.inputType('StreamTransportInput', {
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

export const ConfigurationInputRef = builder.inputType('StreamConfigurationInput', {
  description: 'One connector setting; names must be unique within a stream.',
  fields: (t) => ({
    name: t.string({ required: true, description: 'Setting name, e.g. query.' }),
    value: t.string({ required: true, description: 'Value, as text.' }),
    type: t.string({ defaultValue: 'string', description: 'Value type (default string).' }),
    category: t.string({ defaultValue: 'METADATA', description: 'Category (default METADATA).' }),
  }),
});

export const AccountInputRef = builder.inputType('StreamAccountInput', {
  description: 'The account the connector uses.',
  fields: (t) => ({ id: t.field({ type: 'Long', required: true, description: "Domo's account id." }) }),
});

export const DataProviderInputRef = builder.inputType('StreamDataProviderInput', {
  description: 'The connector, by key.',
  fields: (t) => ({
    key: t.string({ required: true, description: 'Provider key, e.g. snowflake-unload-v2.' }),
  }),
});

const PROVIDER_KEY = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const TRANSPORT_TYPE = /^[A-Z][A-Z0-9_]{0,63}$/;

export function transportFromInput(
  input: typeof TransportInputRef.$inferInput,
): DomoStreamWriteRequest['transport'] {
  if (!TRANSPORT_TYPE.test(input.type))
    throw badUserInput(
      'input.transport.type must be an upper-case word such as CONNECTOR',
      'input.transport.type',
    );
  return {
    type: input.type,
    description: text(input.description, 'input.transport.description', 256),
    version: text(input.version, 'input.transport.version', 32),
  };
}

export function configurationFromInput(
  items: ReadonlyArray<typeof ConfigurationInputRef.$inferInput>,
): DomoStreamWriteRequest['configuration'] {
  const seen = new Set<string>();
  return items.map((item, i) => {
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

export function accountFromInput(input: typeof AccountInputRef.$inferInput): StreamWriteParts['account'] {
  if (!Number.isSafeInteger(input.id) || input.id <= 0)
    throw badUserInput('input.account.id must be a positive integer', 'input.account.id');
  return { id: input.id };
}

export function dataProviderFromInput(
  input: typeof DataProviderInputRef.$inferInput,
): DomoStreamWriteRequest['dataProvider'] {
  if (!PROVIDER_KEY.test(input.key))
    throw badUserInput(
      'input.dataProvider.key must be a provider key such as snowflake-unload-v2',
      'input.dataProvider.key',
    );
  return { key: input.key };
}
