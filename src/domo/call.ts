/**
 * A request bound to one caller: credentials, cancellation and a bound on concurrent calls. Domain
 * APIs (datasets.ts, query.ts, …) take a `Call` and never see tokens or sockets.
 */
import type { Credentials } from './auth.ts';
import { DomoError } from './errors.ts';
import type { DomoHttp, DomoRequest } from './http.ts';
import { Semaphore } from './limit.ts';

export type Call = <T>(request: DomoRequest) => Promise<T>;

export interface CallOptions {
  /** Null when the caller sent no credentials and the server holds none: every call fails first. */
  credentials: Credentials | null;
  signal?: AbortSignal;
  maxConcurrency?: number;
}

export function bindCall(http: DomoHttp, options: CallOptions): Call {
  const limit = new Semaphore(options.maxConcurrency ?? 8);
  return <T>(request: DomoRequest): Promise<T> => {
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
    return limit.run(() => http.request<T>(credentials, request, options.signal));
  };
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
