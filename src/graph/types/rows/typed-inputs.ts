/**
 * Per-type condition inputs of typed roots (Hasura's style: `{ quantity: { gt: 10 } }`), shared by
 * every pinned dataset, built with graphql-js beside the static schema's own types.
 */
import type {
  GraphQLInputFieldConfigMap,
  GraphQLInputObjectType,
  GraphQLInputType,
  GraphQLSchema,
} from 'graphql';
import type { ColumnType } from '../../../rows/values.ts';
import { OPERATOR_DOCS } from './inputs.ts';
import { realmOf } from './realm.ts';

export interface ConditionTypes {
  STRING: GraphQLInputObjectType;
  LONG: GraphQLInputObjectType;
  FLOAT: GraphQLInputObjectType;
  DATE: GraphQLInputObjectType;
  DATETIME: GraphQLInputObjectType;
}

const cache = new WeakMap<GraphQLSchema, ConditionTypes>();

export function conditionTypes(base: GraphQLSchema): ConditionTypes {
  const known = cache.get(base);
  if (known) return known;
  const R = realmOf(base);
  const long = base.getType('Long') as GraphQLInputType;
  const dateTime = base.getType('DateTime') as GraphQLInputType;
  const period = base.getType('RelativePeriod') as GraphQLInputType;
  const unit = base.getType('DateUnit') as GraphQLInputType;
  const op = (type: GraphQLInputType, key: keyof typeof OPERATOR_DOCS) => ({
    type,
    description: OPERATOR_DOCS[key],
  });
  const equality = (type: GraphQLInputType): GraphQLInputFieldConfigMap => ({
    eq: op(type, 'eq'),
    neq: op(type, 'neq'),
    in: op(new R.List(new R.NonNull(type)), 'in'),
    notIn: op(new R.List(new R.NonNull(type)), 'notIn'),
    isNull: op(R.Boolean, 'isNull'),
  });
  const ordered = (name: string, type: GraphQLInputType): GraphQLInputFieldConfigMap => ({
    lt: op(type, 'lt'),
    lte: op(type, 'lte'),
    gt: op(type, 'gt'),
    gte: op(type, 'gte'),
    between: op(
      new R.Input({
        name: `${name}Range`,
        description: 'Inclusive bounds.',
        fields: {
          from: { type: new R.NonNull(type), description: 'Lower bound, inclusive.' },
          to: { type: new R.NonNull(type), description: 'Upper bound, inclusive.' },
        },
      }),
      'between',
    ),
  });
  const relative: GraphQLInputFieldConfigMap = {
    last: op(period, 'last'),
    previous: op(period, 'previous'),
    toDate: op(unit, 'toDate'),
  };
  const types: ConditionTypes = {
    STRING: new R.Input({
      name: 'StringCondition',
      description: 'Conditions on a STRING column; several are ANDed.',
      fields: {
        ...equality(R.String),
        contains: op(R.String, 'contains'),
        notContains: op(R.String, 'notContains'),
        startsWith: op(R.String, 'startsWith'),
        endsWith: op(R.String, 'endsWith'),
        caseInsensitive: op(R.Boolean, 'caseInsensitive'),
      },
    }),
    LONG: new R.Input({
      name: 'LongCondition',
      description: 'Conditions on a LONG column; several are ANDed.',
      fields: { ...equality(long), ...ordered('Long', long) },
    }),
    FLOAT: new R.Input({
      name: 'FloatCondition',
      description: 'Conditions on a DOUBLE or DECIMAL column (or a metric); several are ANDed.',
      fields: { ...equality(R.Float), ...ordered('Float', R.Float) },
    }),
    DATE: new R.Input({
      name: 'DateCondition',
      description: 'Conditions on a DATE column (values as YYYY-MM-DD); several are ANDed.',
      fields: { ...equality(R.String), ...ordered('Date', R.String), ...relative },
    }),
    DATETIME: new R.Input({
      name: 'DateTimeCondition',
      description:
        'Conditions on a DATETIME column (ISO-8601; compared in UTC, as Domo stores them); several are ANDed.',
      fields: { ...equality(dateTime), ...ordered('DateTime', dateTime), ...relative },
    }),
  };
  cache.set(base, types);
  return types;
}

export function conditionFor(types: ConditionTypes, type: ColumnType): GraphQLInputObjectType {
  return type === 'DOUBLE' || type === 'DECIMAL' ? types.FLOAT : types[type];
}

/** DateTime inputs arrive as Date objects; the compiler reads ISO text. */
export function withIsoDates(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(withIsoDates);
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withIsoDates(v)]));
  return value;
}
