/**
 * graphql-js constructors and scalars taken from the static schema itself. graphql's CommonJS and ESM
 * builds can both be loaded in one process (vitest does; Pothos may pick the other build than this
 * module), and graphql-js refuses to mix types of two builds in one schema: building the typed roots
 * with the static schema's own classes keeps them in its realm, whichever that is.
 */
import type {
  GraphQLEnumType,
  GraphQLInputObjectType,
  GraphQLList,
  GraphQLNonNull,
  GraphQLObjectType,
  GraphQLScalarType,
  GraphQLSchema,
} from 'graphql';

export interface Realm {
  Schema: typeof GraphQLSchema;
  Object: typeof GraphQLObjectType;
  Input: typeof GraphQLInputObjectType;
  Enum: typeof GraphQLEnumType;
  NonNull: typeof GraphQLNonNull;
  List: typeof GraphQLList;
  String: GraphQLScalarType;
  Int: GraphQLScalarType;
  Float: GraphQLScalarType;
  Boolean: GraphQLScalarType;
}

const realms = new WeakMap<GraphQLSchema, Realm>();

export function realmOf(base: GraphQLSchema): Realm {
  const known = realms.get(base);
  if (known) return known;
  const scalar = (name: string) => {
    const type = base.getType(name);
    if (!type) throw new Error(`the static schema has no ${name} type`);
    return type as GraphQLScalarType;
  };
  // `nodes(ids: [ID!]!)` (Relay): a non-null list of non-null ids, for the two wrapper classes.
  const ids = base.getQueryType()!.getFields().nodes!.args[0]!.type as GraphQLNonNull<
    GraphQLList<GraphQLNonNull<never>>
  >;
  const realm: Realm = {
    Schema: base.constructor as typeof GraphQLSchema,
    Object: base.getQueryType()!.constructor as typeof GraphQLObjectType,
    Input: base.getType('RowClock')!.constructor as typeof GraphQLInputObjectType,
    Enum: base.getType('DateUnit')!.constructor as typeof GraphQLEnumType,
    NonNull: ids.constructor as typeof GraphQLNonNull,
    List: ids.ofType.constructor as typeof GraphQLList,
    String: scalar('String'),
    Int: scalar('Int'),
    Float: scalar('Float'),
    Boolean: scalar('Boolean'),
  };
  realms.set(base, realm);
  return realm;
}
