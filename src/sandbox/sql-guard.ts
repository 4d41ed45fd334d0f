/**
 * The second check on a query, made on DuckDB's own parse tree (`json_serialize_sql`), so it sees
 * exactly what the engine will run, whatever the hand tokenizer in sql.ts understood:
 * - one SELECT statement (json_serialize_sql serialises nothing else);
 * - every table is the dataset's own table, unqualified, or a CTE name in scope where it is used;
 * - no table function, no SHOW/DESCRIBE/SUMMARIZE, no PIVOT, no time travel (`AT (…)`);
 * - every function is on the allow-list (see lockdown.ts), qualified by no schema but `main` and no
 *   catalog;
 * - every node kind is one this file knows: an unknown kind is refused, not skipped.
 */
import { badRequest, SandboxError } from './errors.ts';
import { deniedFunction } from './lockdown.ts';

/** A function not on the allow-list; the caller may re-read the catalogue once. */
export class UnlistedFunctionError extends SandboxError {
  constructor(readonly functionName: string) {
    super(400, `function ${functionName} is not available`);
  }
}

type Json = Record<string, unknown>;

export interface GuardRules {
  /** The dataset's table as DuckDB names it (`ds_<id>`), compared case-insensitively as DuckDB does. */
  table: string;
  /** Lower-case names of the functions a query may call. */
  functions: ReadonlySet<string>;
}

/** Query-node and modifier kinds a SELECT may hold. */
const NODE_TYPES = new Set([
  'SELECT_NODE',
  'SET_OPERATION_NODE',
  'ORDER_MODIFIER',
  'LIMIT_MODIFIER',
  'LIMIT_PERCENT_MODIFIER',
  'DISTINCT_MODIFIER',
  'ORDER_DEFAULT',
  'ASCENDING',
  'DESCENDING',
]);
/** Table references a query may use; BASE_TABLE is checked further. */
const TABLE_REFS = new Set(['BASE_TABLE', 'JOIN', 'SUBQUERY', 'EXPRESSION_LIST', 'EMPTY']);
/** Expression classes; FUNCTION and WINDOW are checked further. PARAMETER is absent: no `?`, no `$1`. */
const EXPRESSION_CLASSES = new Set([
  'CONSTANT',
  'COLUMN_REF',
  'FUNCTION',
  'WINDOW',
  'CAST',
  'COMPARISON',
  'CONJUNCTION',
  'OPERATOR',
  'CASE',
  'BETWEEN',
  'STAR',
  'SUBQUERY',
  'LAMBDA',
  'COLLATE',
  'POSITIONAL_REFERENCE',
]);

/** Parses the output of `json_serialize_sql` and refuses anything outside the rules. */
export function checkSerializedQuery(serialized: string, rules: GuardRules): void {
  let tree: Json;
  try {
    tree = JSON.parse(serialized) as Json;
  } catch {
    throw badRequest('the SQL statement could not be read');
  }
  if (tree.error) {
    const message = String(tree.error_message ?? 'the SQL statement could not be read');
    if (/only SELECT statements/i.test(message)) throw badRequest('only SELECT statements are supported');
    throw badRequest(`SQL error: ${message}`);
  }
  const statements = tree.statements;
  if (!Array.isArray(statements) || statements.length !== 1) {
    throw badRequest('only one SQL statement may be sent');
  }
  new Walker(rules).statement(statements[0] as Json);
}

class Walker {
  private readonly table: string;

  constructor(private readonly rules: GuardRules) {
    this.table = rules.table.toLowerCase();
  }

  statement(statement: Json): void {
    this.node(statement.node, []);
  }

  /**
   * A query node with the CTE names visible around it. Its own CTEs are bound in order: each body
   * sees the ones before it (DuckDB reads a later name, or a CTE's own name in its body, as a real
   * table), and a recursive CTE's name is visible only in its recursive term.
   */
  private node(value: unknown, scope: readonly string[]): void {
    const node = asObject(value);
    const type = String(node.type);
    if (!type.endsWith('_NODE') || !NODE_TYPES.has(type)) refuse(type);
    let inner = [...scope];
    for (const entry of asArray(asObject(node.cte_map ?? { map: [] }).map)) {
      const { key, value: cte } = asObject(entry);
      const name = String(key).toLowerCase();
      const { query, ...rest } = asObject(cte);
      const body = asObject(asObject(query).node);
      this.fields(rest, inner);
      if (body.type === 'RECURSIVE_CTE_NODE') this.recursive(body, inner, name);
      else this.node(body, inner);
      inner = [...inner, name];
    }
    for (const [field, child] of Object.entries(node)) {
      if (field === 'cte_map' || field === 'type') continue;
      this.any(child, inner);
    }
  }

  /** `WITH RECURSIVE name AS (anchor UNION [ALL] recursive term)`. */
  private recursive(node: Json, scope: readonly string[], name: string): void {
    const { left, right, cte_map, type: _type, ...rest } = node;
    if (asArray(asObject(cte_map ?? { map: [] }).map).length > 0)
      throw badRequest('WITH inside a recursive CTE is not supported');
    this.node(left, scope);
    this.node(right, [...scope, name]);
    this.fields(rest, scope);
  }

  /** Any value inside a node: expressions, table references, modifiers, lists of them. */
  private any(value: unknown, scope: readonly string[]): void {
    if (Array.isArray(value)) {
      for (const item of value) this.any(item, scope);
      return;
    }
    if (!value || typeof value !== 'object') return;
    const object = value as Json;
    if (typeof object.class === 'string') this.expression(object, scope);
    else if (typeof object.type !== 'string') this.fields(object, scope);
    else if (object.type.endsWith('_NODE')) this.node(object, scope);
    else if (NODE_TYPES.has(object.type) || object.type.endsWith('_TYPE_INFO')) this.fields(object, scope);
    else if (TABLE_REFS.has(object.type)) this.tableRef(object, scope);
    else refuse(object.type);
  }

  private fields(object: Json, scope: readonly string[]): void {
    for (const [field, child] of Object.entries(object)) {
      if (field === 'type') continue;
      this.any(child, scope);
    }
  }

  private tableRef(ref: Json, scope: readonly string[]): void {
    if (ref.at_clause != null) throw badRequest('time travel (AT …) is not supported');
    if (ref.type === 'BASE_TABLE') {
      const name = String(ref.table_name).toLowerCase();
      const qualified = Boolean(ref.schema_name) || Boolean(ref.catalog_name);
      if (qualified || (name !== this.table && !scope.includes(name))) {
        throw badRequest('a query may read only the dataset it is sent to');
      }
    }
    this.fields(ref, scope);
  }

  private expression(expression: Json, scope: readonly string[]): void {
    const kind = String(expression.class);
    if (!EXPRESSION_CLASSES.has(kind)) {
      throw badRequest(
        kind === 'PARAMETER' ? 'query parameters are not supported' : `${kind} is not supported`,
      );
    }
    if (kind === 'FUNCTION' || kind === 'WINDOW') {
      const name = String(expression.function_name);
      // The parser itself writes `main` for some (EXTRACT becomes main.date_part); the allow-list
      // holds only main's functions, so `main` adds nothing, while another schema or a catalog would.
      const schema = String(expression.schema ?? '').toLowerCase();
      const elsewhere = (schema !== '' && schema !== 'main') || Boolean(expression.catalog);
      if (elsewhere || !this.rules.functions.has(name.toLowerCase())) {
        if (elsewhere || deniedFunction(name)) throw badRequest(`function ${name} is not available`);
        throw new UnlistedFunctionError(name);
      }
    }
    this.fields(expression, scope);
  }
}

function refuse(type: string): never {
  if (type === 'TABLE_FUNCTION') throw badRequest('table functions are not supported');
  if (type === 'SHOW_REF') throw badRequest('SHOW, DESCRIBE and SUMMARIZE are not supported in a query');
  throw badRequest(`${type.toLowerCase().replaceAll('_', ' ')} is not supported in a query`);
}

function asObject(value: unknown): Json {
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw badRequest('unexpected SQL shape');
  return value as Json;
}

function asArray(value: unknown): unknown[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw badRequest('unexpected SQL shape');
  return value;
}

/**
 * Whether `wrapped` (json_serialize_sql of `SELECT … FROM (statement) AS _q(…)`) is one SELECT
 * reading, as the only table of its FROM, a subquery that is exactly `original`'s statement (the
 * one the guard checked): same parse tree, positions in the text aside. So a statement whose text
 * would read otherwise once wrapped (a stray `)`, a comment) is never run that way.
 */
export function wrapsStatement(wrapped: string, original: string): boolean {
  try {
    const outer = JSON.parse(wrapped) as Json;
    const inner = JSON.parse(original) as Json;
    const [statement] = asArray(outer.statements);
    const [checked] = asArray(inner.statements);
    if (outer.error || inner.error || asArray(outer.statements).length !== 1) return false;
    const node = asObject(asObject(statement).node);
    const from = asObject(node.from_table);
    if (node.type !== 'SELECT_NODE' || from.type !== 'SUBQUERY') return false;
    const subquery = asObject(asObject(from.subquery).node);
    return (
      JSON.stringify(withoutPositions(subquery)) === JSON.stringify(withoutPositions(asObject(checked).node))
    );
  } catch {
    return false;
  }
}

function withoutPositions(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutPositions);
  if (!value || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => key !== 'query_location')
      .map(([key, child]) => [key, withoutPositions(child)]),
  );
}
