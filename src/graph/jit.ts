/**
 * graphql-jit for the operations it can run: each distinct document is compiled once per schema
 * (the typed roots' schema changes on reload, so the key is the pair), in WeakMaps that let an
 * entry go when the document cache (document-cache.ts) drops its document, so this cache is bounded
 * by that one. graphql-js runs what jit does not take: subscriptions, documents with @defer or
 * @stream (incremental delivery is yoga's executor's), and any document jit fails to compile.
 * An envelop onExecute plugin in createGateway's list, so both lanes run it.
 */
import type { Plugin } from '@envelop/core';
import { handleMaybePromise } from '@whatwg-node/promise-helpers';
import {
  BREAK,
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
  type GraphQLSchema,
  getOperationAST,
  visit,
} from 'graphql';
import { type CompiledQuery, compileQuery, isCompiledQuery } from 'graphql-jit';

/** A document jit does not run (kept so it is not compiled again). */
const NOT_JIT = Symbol('not jit');
type Entry = CompiledQuery | typeof NOT_JIT;

function incremental(document: DocumentNode): boolean {
  let found = false;
  visit(document, {
    Directive(node) {
      if (node.name.value === 'defer' || node.name.value === 'stream') {
        found = true;
        return BREAK;
      }
      return undefined;
    },
  });
  return found;
}

export function useJit(): Plugin {
  const bySchema = new WeakMap<GraphQLSchema, WeakMap<DocumentNode, Map<string, Entry>>>();

  const entryFor = (args: ExecutionArgs): Entry => {
    let byDocument = bySchema.get(args.schema);
    if (!byDocument) {
      byDocument = new WeakMap();
      bySchema.set(args.schema, byDocument);
    }
    let byOperation = byDocument.get(args.document);
    if (!byOperation) {
      byOperation = new Map();
      byDocument.set(args.document, byOperation);
    }
    const name = args.operationName ?? '';
    let entry = byOperation.get(name);
    if (entry === undefined) {
      const operation = getOperationAST(args.document, args.operationName);
      if (!operation || operation.operation === 'subscription' || incremental(args.document)) entry = NOT_JIT;
      else {
        const compiled = compileQuery(args.schema, args.document, args.operationName ?? undefined);
        entry = isCompiledQuery(compiled) ? compiled : NOT_JIT;
      }
      byOperation.set(name, entry);
    }
    return entry;
  };

  return {
    onExecute({ executeFn, setExecuteFn }) {
      // Compiled from the arguments the executor is finally called with, not those onExecute saw:
      // plugins after this one may still change them (the response cache adds typename aliases
      // to the document, from which it reads each answer's types and so its TTL).
      setExecuteFn((execution) => {
        const entry = entryFor(execution);
        if (entry === NOT_JIT) return executeFn(execution);
        // jit's own answer to variables it cannot coerce differs from graphql-js's (the
        // BAD_USER_INPUT message naming the variable): an answer without `data` means no resolver
        // ran, so graphql-js answers those instead (never a repeat of resolvers, which may have written).
        return handleMaybePromise(
          () =>
            entry.query(execution.rootValue, execution.contextValue, execution.variableValues ?? {}) as
              | ExecutionResult
              | Promise<ExecutionResult>,
          (result) => (result.errors?.length && result.data === undefined ? executeFn(execution) : result),
        );
      });
    },
  };
}
