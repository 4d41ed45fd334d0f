/**
 * The gateway's node-server bookkeeping (server.ts): readiness (/ready) and the drain on shutdown.
 * `drain` turns /ready to 503, refuses new work, lets running requests finish for a while, then
 * cuts them.
 */
import type { Server, ServerResponse } from 'node:http';
import type { DomoHttp } from '../domo/http.ts';
import { failure } from '../errors/codes.ts';
import type { SharedRedis } from '../ops/redis.ts';

export const json = (res: ServerResponse, status: number, body: unknown) => {
  // A probe answered by drain() meanwhile, or a caller gone: nothing to send.
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
};

/** Ready, or what is not: the upstream, or the Redis REDIS_URL names (replicas need it to share). */
export type Readiness = { ok: true } | { ok: false; why: 'upstream unreachable' | 'redis unreachable' };

/**
 * Readiness probes can arrive often and from many places: one upstream check at a time, its answer
 * reused for readyTtlMs. With REDIS_URL set, Redis must answer too.
 */
export function createReadiness(
  http: Pick<DomoHttp, 'url'>,
  connectTimeoutMs: number,
  readyTtlMs: number,
  redis?: Pick<SharedRedis, 'healthy'>,
): () => Promise<Readiness> {
  let readyAt = Number.NEGATIVE_INFINITY;
  let ready: Readiness = { ok: false, why: 'upstream unreachable' };
  let checking: Promise<Readiness> | undefined;
  const probe = async (): Promise<Readiness> => {
    const [upstream, shared] = await Promise.all([probeUpstream(), redis ? redis.healthy() : true]);
    if (!upstream) return { ok: false, why: 'upstream unreachable' };
    return shared ? { ok: true } : { ok: false, why: 'redis unreachable' };
  };
  const probeUpstream = async (): Promise<boolean> => {
    try {
      // Any HTTP answer below 500 (even 401) proves the upstream is reachable.
      const response = await fetch(http.url({ path: '/api/content/v2/users/me' }), {
        signal: AbortSignal.timeout(connectTimeoutMs),
      });
      await response.body?.cancel();
      return response.status < 500;
    } catch {
      return false;
    }
  };
  const checkReady = (): Promise<Readiness> => {
    if (Date.now() - readyAt < readyTtlMs) return Promise.resolve(ready);
    checking ??= probe().then((ok) => {
      ready = ok;
      readyAt = Date.now();
      checking = undefined;
      return ok;
    });
    return checking;
  };
  return checkReady;
}

export interface Lifecycle {
  /** Answers /ready: 503 while draining, else the (shared, cached) upstream check's outcome. */
  ready(res: ServerResponse): void;
  /** While draining, answers 503 SHUTTING_DOWN and returns true. */
  refuseWhileDraining(res: ServerResponse): boolean;
  /** Counts a request as running until its response closes. */
  track(res: ServerResponse): void;
  /** Gateway.drain (server.ts). Idempotent. */
  drain(server: Server, timeoutMs: number, abortUploads: () => void): Promise<{ cut: number }>;
}

/** `upstream` is said on /ready, so an operator sees at once when the gateway serves demo data. */
export function createLifecycle(
  checkReady: () => Promise<Readiness>,
  upstream: 'sandbox' | 'domo',
): Lifecycle {
  const running = new Set<ServerResponse>();
  const waitingReady = new Set<ServerResponse>();
  let draining = false;
  let onIdle: (() => void) | undefined;
  let drained: Promise<{ cut: number }> | undefined;

  return {
    ready(res) {
      if (draining) return json(res, 503, { status: 'shutting down', upstream });
      // A probe still waiting on the upstream when the drain starts is answered by drain().
      waitingReady.add(res);
      void checkReady().then((readiness) => {
        if (!waitingReady.delete(res)) return;
        json(res, readiness.ok ? 200 : 503, { status: readiness.ok ? 'ready' : readiness.why, upstream });
      });
    },

    refuseWhileDraining(res) {
      if (!draining) return false;
      res.setHeader('connection', 'close');
      const refusal = failure('shutting_down');
      json(res, refusal.httpStatus, {
        errors: [
          {
            message: 'the server is shutting down: send the request again (to another instance)',
            extensions: { code: refusal.code },
          },
        ],
      });
      return true;
    },

    track(res) {
      running.add(res);
      res.once('close', () => {
        running.delete(res);
        if (running.size === 0) onIdle?.();
      });
    },

    drain(server, timeoutMs, abortUploads) {
      drained ??= (async () => {
        // Keep listening while draining: probes and callers get a 503 they can act on rather than a
        // refused connection. Idle keep-alive sockets go now, so their clients reconnect elsewhere.
        draining = true;
        for (const res of waitingReady) json(res, 503, { status: 'shutting down', upstream });
        waitingReady.clear();
        server.closeIdleConnections();
        let timer: NodeJS.Timeout | undefined;
        const finished = await new Promise<boolean>((resolve) => {
          if (running.size === 0) return resolve(true);
          onIdle = () => resolve(true);
          timer = setTimeout(() => resolve(false), timeoutMs);
        });
        clearTimeout(timer);
        const cut = finished ? 0 : running.size;
        if (!finished) {
          // Cut: uploads stop uncommitted, and closing the sockets aborts every request's signal,
          // which cancels its upstream calls.
          abortUploads();
        }
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeAllConnections();
        await closed;
        return { cut };
      })();
      return drained;
    },
  };
}
