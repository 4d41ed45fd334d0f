/**
 * Operation limits, checked before anything runs: an operation refused here makes no upstream call.
 * - tokens: graphql-js's own `parse(source, { maxTokens })`, so an oversized document is never
 *   parsed whole (this also bounds the cost of the other checks and of validation);
 * - depth: fields on the deepest path, following fragment spreads (each fragment measured once, so
 *   a fragment spread many times costs nothing extra, and a cycle cannot loop);
 * - aliases: aliased fields in the operation, a fragment's aliases counted every time it is spread
 *   (aliases are what turn one field into many upstream calls: `a1: query(sql: …) a2: …`).
 * Refusals carry `extensions.code: "OPERATION_TOO_COMPLEX"`, the setting's name (`limit`), its
 * value (`max`) and what the operation measured (`actual`, when known).
 *
 * Introspection (`__schema`, `__type`) is measured like anything else, except that `ofType` adds
 * no depth inside it: the chain of type wrappers is one object per level and null past the
 * wrappers (at most three in this schema), so it cannot fan out, while graphql-js's standard
 * introspection query nests it nine deep. `fields { type { fields … } }`, which does fan out,
 * still counts in full.
 *
 * Every operation of a document is checked, the ones not selected by `operationName` too: a
 * document is refused or accepted whole, as validation does.
 *
 * The checks run in yoga's onValidate, ahead of graphql-js's rules: a refused document skips
 * validation altogether (OverlappingFieldsCanBeMerged is quadratic in the fields it compares).
 * Under vitest graphql's CommonJS and ESM builds can both be loaded: nothing here relies on the
 * identity of a graphql class (AST kinds are compared as strings; errors come from yoga's
 * `createGraphQLError`, the build yoga itself checks errors against).
 */
import type {
  DocumentNode,
  FragmentDefinitionNode,
  GraphQLError,
  OperationDefinitionNode,
  SelectionSetNode,
} from 'graphql';
import { createGraphQLError, type Plugin } from 'graphql-yoga';
import { failure } from '../errors/codes.ts';

export interface OperationLimits {
  /** Most fields on one path of an operation (MAX_DEPTH). */
  maxDepth: number;
  /** Most aliased fields in one operation, fragments counted where spread (MAX_ALIASES). */
  maxAliases: number;
  /** Most lexical tokens in a document (MAX_TOKENS). */
  maxTokens: number;
}

export const DEFAULT_LIMITS: OperationLimits = { maxDepth: 12, maxAliases: 30, maxTokens: 10_000 };

export interface OperationMeasure {
  /** The operation, as the document names it (undefined for an anonymous one). */
  operation: OperationDefinitionNode;
  depth: number;
  aliases: number;
}

interface Measure {
  depth: number;
  aliases: number;
}

const INTROSPECTION_ROOTS = new Set(['__schema', '__type']);

/** Depth and alias count of every operation in a document. Pure; tolerates unknown fragments. */
export function measureOperations(document: DocumentNode): OperationMeasure[] {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === 'FragmentDefinition') fragments.set(definition.name.value, definition);
  }
  // Keyed by fragment and whether it sits inside introspection (where `ofType` adds no depth).
  const memo = new Map<string, Measure>();
  const visiting = new Set<string>();

  const measureSet = (set: SelectionSetNode | undefined, introspection: boolean): Measure => {
    const result: Measure = { depth: 0, aliases: 0 };
    if (!set) return result;
    for (const selection of set.selections) {
      let inner: Measure;
      if (selection.kind === 'Field') {
        const name = selection.name.value;
        const sub = measureSet(selection.selectionSet, introspection || INTROSPECTION_ROOTS.has(name));
        const own = introspection && name === 'ofType' ? 0 : 1;
        inner = { depth: own + sub.depth, aliases: (selection.alias ? 1 : 0) + sub.aliases };
      } else if (selection.kind === 'InlineFragment') {
        inner = measureSet(selection.selectionSet, introspection);
      } else {
        const name = selection.name.value;
        const key = `${introspection ? 'i' : 'o'}:${name}`;
        const known = memo.get(key);
        const fragment = fragments.get(name);
        // A cycle (refused by graphql-js's NoFragmentCyclesRule) or an unknown fragment adds nothing.
        if (known) inner = known;
        else if (!fragment || visiting.has(key)) inner = { depth: 0, aliases: 0 };
        else {
          visiting.add(key);
          inner = measureSet(fragment.selectionSet, introspection);
          visiting.delete(key);
          memo.set(key, inner);
        }
      }
      result.depth = Math.max(result.depth, inner.depth);
      result.aliases += inner.aliases;
    }
    return result;
  };

  const measures: OperationMeasure[] = [];
  for (const definition of document.definitions) {
    if (definition.kind !== 'OperationDefinition') continue;
    measures.push({ operation: definition, ...measureSet(definition.selectionSet, false) });
  }
  return measures;
}

/** The refusal of an operation over a limit. */
export function tooComplex(
  message: string,
  limit: string,
  max: number,
  actual?: number,
  nodes?: OperationDefinitionNode,
): GraphQLError {
  return createGraphQLError(message, {
    nodes,
    extensions: {
      code: failure('operation_limit').code,
      limit,
      max,
      ...(actual === undefined ? {} : { actual }),
      http: { status: 400 },
    },
  });
}

/** The errors for every operation of the document over the depth or alias limit (none: it passes). */
export function checkOperationLimits(
  document: DocumentNode,
  limits: Pick<OperationLimits, 'maxDepth' | 'maxAliases'>,
): GraphQLError[] {
  const errors: GraphQLError[] = [];
  for (const { operation, depth, aliases } of measureOperations(document)) {
    const name = operation.name ? `Operation "${operation.name.value}"` : 'The operation';
    if (depth > limits.maxDepth) {
      errors.push(
        tooComplex(
          `${name} is ${depth} fields deep; the limit is ${limits.maxDepth} (MAX_DEPTH)`,
          'MAX_DEPTH',
          limits.maxDepth,
          depth,
          operation,
        ),
      );
    }
    if (aliases > limits.maxAliases) {
      errors.push(
        tooComplex(
          `${name} has ${aliases} aliased fields (fragments counted where spread); the limit is ${limits.maxAliases} (MAX_ALIASES)`,
          'MAX_ALIASES',
          limits.maxAliases,
          aliases,
          operation,
        ),
      );
    }
  }
  return errors;
}

/**
 * checkOperationLimits remembered per document. Yoga's parser cache hands back the same DocumentNode
 * for the same query text, so a repeated operation is measured once, not on every request (the walk
 * showed in profiles of the per-request path). Weak keys: a document yoga's cache evicts is dropped
 * here too.
 */
export function cachedLimitCheck(
  limits: Pick<OperationLimits, 'maxDepth' | 'maxAliases'>,
): (document: DocumentNode) => GraphQLError[] {
  const checked = new WeakMap<DocumentNode, GraphQLError[]>();
  return (document) => {
    let errors = checked.get(document);
    if (!errors) {
      errors = checkOperationLimits(document, limits);
      checked.set(document, errors);
    }
    return errors;
  };
}

/** graphql-js's message when `maxTokens` stops the parser (16.x spells it "more that"). */
const TOO_MANY_TOKENS = /^Syntax Error: Document contains more th(?:at|an) \d+ tokens/;

export function useOperationLimits(limits: OperationLimits): Plugin {
  const check = cachedLimitCheck(limits);
  return {
    onParse({ parseFn, setParseFn }) {
      setParseFn((source, options) => {
        try {
          return parseFn(source, { ...options, maxTokens: limits.maxTokens });
        } catch (error) {
          if (error instanceof Error && TOO_MANY_TOKENS.test(error.message)) {
            throw tooComplex(
              `The document has more than ${limits.maxTokens} tokens, the limit (MAX_TOKENS)`,
              'MAX_TOKENS',
              limits.maxTokens,
            );
          }
          throw error;
        }
      });
    },
    onValidate({ params, setResult }) {
      // One linear walk of the document (fragments measured once), cheap beside validation itself,
      // and done once per document.
      const errors = check(params.documentAST);
      if (errors.length > 0) setResult(errors);
    },
  };
}
