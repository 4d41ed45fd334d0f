/**
 * Bad input is BAD_USER_INPUT however it arrives. graphql-js reports a literal of the wrong type
 * (an unknown enum value, a string for an Int) or a missing required argument as a validation error,
 * and a variable that does not coerce as a request error with no code at all; this plugin gives both
 * `extensions.code: "BAD_USER_INPUT"`, keeping graphql-js's message, which names the argument or the
 * variable. Both happen before any resolver runs, so no upstream call is made. Other validation
 * errors (an unknown field, a bad fragment) stay GRAPHQL_VALIDATION_FAILED: they are a broken
 * document, not a bad value.
 */
import type { GraphQLError, ValidationContext, ValidationRule } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { failure } from '../errors/codes.ts';

/** graphql-js rules whose errors are about argument values. Matched by name: see `markRule`. */
const ARGUMENT_RULES = new Set(['ValuesOfCorrectTypeRule', 'ProvidedRequiredArgumentsRule']);

function markBadInput(error: GraphQLError, extra: Record<string, string> = {}): GraphQLError {
  // GraphQLError's extensions object is mutable, and yoga only fills the code when none is set.
  Object.assign(error.extensions as Record<string, unknown>, { code: failure('bad_input').code, ...extra });
  return error;
}

/**
 * Wraps an argument rule so the errors it reports carry BAD_USER_INPUT. Rules are matched by name,
 * not identity: under vitest graphql's CommonJS and ESM builds can both be loaded, and the rules
 * yoga validates with may come from either.
 */
function markRule(rule: ValidationRule): ValidationRule {
  if (!ARGUMENT_RULES.has(rule.name)) return rule;
  return (context: ValidationContext) => {
    const marked: ValidationContext = Object.create(context);
    // The argument being visited, when there is one, names the field (as badUserInput does).
    marked.reportError = (error) => {
      const argument = context.getArgument();
      context.reportError(markBadInput(error, argument ? { field: argument.name } : {}));
    };
    return rule(marked);
  };
}

/** graphql-js's variable coercion errors all begin this way (`Variable "$first" got invalid value …`). */
const VARIABLE_ERROR = /^Variable "\$([_A-Za-z][_0-9A-Za-z]*)"/;

export function useBadUserInput(): Plugin {
  return {
    onValidate({ validateFn, setValidationFn }) {
      setValidationFn((schema, document, rules, typeInfo, options) =>
        validateFn(schema, document, rules?.map(markRule), typeInfo, options),
      );
    },
    onExecute() {
      return {
        onExecuteDone({ result }) {
          // A request error (no data at all) from coercing variables: the operation never ran.
          if (Symbol.asyncIterator in result || 'data' in result) return;
          for (const error of result.errors ?? []) {
            const variable = error.path ? null : VARIABLE_ERROR.exec(error.message);
            if (variable) markBadInput(error, { variable: variable[1]! });
          }
        },
      };
    },
  };
}
