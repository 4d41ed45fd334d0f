/**
 * Error masking for the later payloads of an incremental answer (@defer, @stream). Envelop's
 * useMaskedErrors, which yoga runs, masks `errors` of each payload but not `incremental[].errors`,
 * where a failed deferred fragment or stream puts its errors: unmasked, an unexpected error's
 * message would reach the client, and an outcome a client can act on would miss its code. The same
 * mask function as yoga's (src/server.ts), in an envelop hook.
 */
import type { GraphQLError } from 'graphql';
import { isAsyncIterable, type Plugin } from 'graphql-yoga';

export type MaskError = (error: unknown, message: string, isDev?: boolean) => Error;

const UNEXPECTED = 'Unexpected error.';

interface Incremental {
  incremental?: Array<{ errors?: readonly GraphQLError[] }>;
}

export function useIncrementalErrorMasking(mask: MaskError): Plugin {
  return {
    onExecute() {
      return {
        onExecuteDone({ result }) {
          if (!isAsyncIterable(result)) return;
          return {
            onNext({ result: payload, setResult }) {
              const incremental = (payload as Incremental).incremental;
              if (!incremental?.some((part) => part.errors?.length)) return;
              setResult({
                ...payload,
                incremental: incremental.map((part) =>
                  part.errors?.length
                    ? { ...part, errors: part.errors.map((e) => mask(e, UNEXPECTED, false) as GraphQLError) }
                    : part,
                ),
              } as typeof payload);
            },
          };
        },
      };
    },
  };
}
