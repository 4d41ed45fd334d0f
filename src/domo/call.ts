/**
 * A request bound to one caller: credentials, cancellation, a bound on concurrent calls and a budget
 * of calls in all. Domain APIs (datasets.ts, query.ts, …) take a `Call` and never see tokens or
 * sockets.
 */
import type { Credentials } from './auth.ts';
import { CallBudgetError, DomoError } from './errors.ts';
import type { DomoHttp, DomoRequest } from './http.ts';
import { Semaphore } from './limit.ts';

export type Call = (<T>(request: DomoRequest) => Promise<T>) & {
  /**
   * A Call for the same caller whose calls together count as one against the budget: the first
   * takes it (or is refused), the rest are free. For a pipeline that must not be cut off halfway
   * (an upload: schema, start, every part, commit). Optional, so a plain function is still a Call.
   */
  asOne?: () => Call;
};

export interface CallOptions {
  /** Null when the caller sent no credentials and the server holds none: every call fails first. */
  credentials: Credentials | null;
  signal?: AbortSignal;
  maxConcurrency?: number;
  /**
   * Upstream calls this binding may make in all (default: no bound). Counted when a call is made,
   * in the order resolvers make them; a retry of the same call is not another call (retries have
   * their own bound, DOMO_MAX_RETRIES). Past it, calls fail with a CallBudgetError, never sent.
   */
  maxCalls?: number;
}

export function bindCall(http: DomoHttp, options: CallOptions): Call {
  const limit = new Semaphore(options.maxConcurrency ?? 8);
  const maxCalls = options.maxCalls ?? Number.POSITIVE_INFINITY;
  let used = 0;
  /** Takes one call from the budget; false when it is spent. */
  const take = (): boolean => {
    if (used >= maxCalls) return false;
    used++;
    return true;
  };

  const bound = (charge: () => boolean): Call => {
    const call = <T>(request: DomoRequest): Promise<T> => {
      const { credentials } = options;
      if (!credentials) {
        return Promise.reject(
          new DomoError({
            kind: 'unauthenticated',
            message:
              'no Domo credentials: send X-DOMO-Developer-Token, X-DOMO-Authentication or Authorization: Bearer',
            method: request.method,
            path: request.path,
          }),
        );
      }
      if (!charge()) return Promise.reject(new CallBudgetError(maxCalls, request));
      return limit.run(() => http.request<T>(credentials, request, options.signal));
    };
    return Object.assign(call, {
      asOne: () => {
        let charged = false;
        return bound(() => {
          if (!charged) charged = take();
          return charged;
        });
      },
    });
  };
  return bound(take);
}

/** Fails with a DomoError when an upstream answer does not have the shape a method relies on. */
export function unexpectedShape(request: Pick<DomoRequest, 'method' | 'path'>, what: string): DomoError {
  return new DomoError({
    kind: 'upstream',
    method: request.method,
    path: request.path,
    message: `Domo answered with an unexpected shape: ${what}`,
  });
}
