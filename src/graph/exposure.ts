/**
 * What the schema tells a stranger. Outside development, validation errors lose graphql-js's
 * "Did you mean …" hints (they let a caller map a schema with introspection off, field by field),
 * and introspection (`__schema`, `__type`) can be turned off (INTROSPECTION=false). GraphiQL needs
 * introspection for its docs and completion; `__typename` is never refused (clients rely on it).
 * No graphql class identity is relied on (see limits.ts).
 */
import type { DocumentNode, SelectionSetNode } from 'graphql';
import { createGraphQLError, type Plugin } from 'graphql-yoga';
import { failure } from '../errors/codes.ts';

export interface ExposureSettings {
  introspection: boolean;
  fieldSuggestions: boolean;
}

const SUGGESTION = /\s*Did you mean [^?]*\?/g;

/** The message without its "Did you mean …?" parts. */
export function withoutSuggestions(message: string): string {
  return message.replace(SUGGESTION, '');
}

/** True when the document asks for `__schema` or `__type` anywhere, fragments included. */
export function asksIntrospection(document: DocumentNode): boolean {
  const walk = (set: SelectionSetNode | undefined): boolean =>
    !!set?.selections.some((selection) => {
      if (selection.kind === 'Field') {
        const name = selection.name.value;
        return name === '__schema' || name === '__type' || walk(selection.selectionSet);
      }
      return selection.kind === 'InlineFragment' ? walk(selection.selectionSet) : false;
    });
  return document.definitions.some(
    (definition) =>
      (definition.kind === 'OperationDefinition' || definition.kind === 'FragmentDefinition') &&
      walk(definition.selectionSet),
  );
}

function strip(errors: ReadonlyArray<{ message: string }>): void {
  for (const error of errors) {
    // GraphQLError's message is a plain own property; rewriting it keeps locations, path and code.
    const message = withoutSuggestions(error.message);
    if (message !== error.message) error.message = message;
  }
}

export function useSchemaExposure(settings: ExposureSettings): Plugin {
  return {
    onValidate({ params, setResult }) {
      if (!settings.introspection && asksIntrospection(params.documentAST)) {
        setResult([
          createGraphQLError('Introspection is turned off on this server (INTROSPECTION=false)', {
            extensions: {
              code: failure('introspection_off').code,
              http: { status: failure('introspection_off').httpStatus },
            },
          }),
        ]);
        return;
      }
      if (settings.fieldSuggestions) return;
      return ({ result }) => strip(result);
    },
    onExecute() {
      if (settings.fieldSuggestions) return;
      // Variable coercion ("Value "X" does not exist in "Y" enum. Did you mean …") fails in execute.
      return {
        onExecuteDone({ result }) {
          if ('errors' in result && result.errors) strip(result.errors);
        },
      };
    },
  };
}
