/**
 * The sandbox: a Domo-compatible REST server on embedded DuckDB. Same paths, methods, status codes
 * and JSON as domo-dataset-api.md. Tests count its requests and inject faults through the handle
 * `createSandbox` returns; nothing of that is reachable over HTTP.
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { writeOrWait } from '../http/backpressure.ts';
import { errorBody, SandboxError } from './errors.ts';
import { defineMysqlFunctions } from './mysql-functions.ts';
import { Router, type SandboxRequest } from './router.ts';
import { accessRoutes } from './routes/access.ts';
import { datasetRoutes } from './routes/datasets.ts';
import { exportRoutes } from './routes/export.ts';
import { queryRoutes } from './routes/query.ts';
import { streamRoutes } from './routes/streams.ts';
import { uploadRoutes } from './routes/uploads.ts';
import { userRoutes } from './routes/users.ts';
import { versionRoutes } from './routes/versions.ts';
import { seedDemoData } from './seed.ts';
import { SandboxStore } from './store.ts';

export interface SandboxOptions {
  /** The token the sandbox accepts, as a developer token or a session token. */
  token: string;
  /** DuckDB file; null keeps everything in memory. */
  dbPath?: string | null;
  sqlShape?: 'objects' | 'columns';
  /** Seed the demo datasets (default true). */
  seed?: boolean;
  /** Rows of the large demo dataset (default 200,000). */
  largeRows?: number;
  port?: number;
  host?: string;
  /** Largest JSON body read, in bytes. */
  maxJsonBytes?: number;
  /**
   * Keep every request in `requests` (default true, for tests and benches). A long-running sandbox
   * (`npm start`, `npm run sandbox`) turns it off, or the log would grow without end.
   */
  recordRequests?: boolean;
  /** Milliseconds an execution started through the API stays RUNNING before reads see SUCCESS (default 200). */
  executionSettleMs?: number;
  /**
   * Milliseconds an indexing run takes: QUEUED its first half, RUNNING its second, then COMPLETE.
   * 0 (the default): each status read moves it one step instead (QUEUED → RUNNING → COMPLETE).
   */
  indexSettleMs?: number;
  /** Milliseconds a SQL query may run before the engine is interrupted (default 60,000, Domo's limit). */
  queryTimeoutMs?: number;
  /** false: SQL answers are always encoded in JS, never by DuckDB (tests compare the two). */
  engineJson?: boolean;
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: string;
  /** Milliseconds since the epoch when the request arrived. */
  at: number;
  /** The body as text, for a non-GET request whose route read it (tests compare it with the API doc). */
  body?: string;
}

/** A fault the next matching requests get instead of the real answer. */
export interface Fault {
  method?: string;
  /** Matched against the path (no query). */
  path: RegExp | string;
  /** How many matching requests fail (default 1). */
  times?: number;
  status?: number;
  /** A JSON body to send; default a Domo error body for the status. */
  body?: unknown;
  /** Raw text instead of JSON (an HTML maintenance page, say). */
  text?: string;
  headers?: Record<string, string>;
  /** Destroy the socket without answering. */
  reset?: boolean;
  /** Wait this long before answering (or resetting). */
  delayMs?: number;
}

export interface Sandbox {
  url: string;
  token: string;
  store: SandboxStore;
  server: Server;
  /** Every request that passed routing, in arrival order. */
  readonly requests: RecordedRequest[];
  /** Highest number of routed requests handled at once since the start or `resetStats()`. */
  readonly maxInFlight: number;
  /** Clears the request log and the in-flight high-water mark. */
  resetStats(): void;
  /** Milliseconds every routed request waits before it is handled (0, the default, for none). */
  setLatency(ms: number): void;
  /** Requests matching a method and a path pattern. */
  count(method: string, path: RegExp | string): number;
  inject(fault: Fault): void;
  clearFaults(): void;
  close(): Promise<void>;
}

export interface SandboxRouteContext {
  router: Router;
  store: SandboxStore;
  options: Required<
    Pick<SandboxOptions, 'sqlShape' | 'executionSettleMs' | 'indexSettleMs' | 'queryTimeoutMs' | 'engineJson'>
  >;
  /** Work to do when the sandbox closes (temp files of abandoned uploads). */
  onClose: (task: () => Promise<void>) => void;
}

/** Route modules, each registering one domain's endpoints. */
const ROUTE_MODULES: Array<(ctx: SandboxRouteContext) => void> = [
  ({ router, store }) => datasetRoutes(router, store),
  ({ router, store, options }) =>
    queryRoutes(router, store, {
      shape: options.sqlShape,
      timeoutMs: options.queryTimeoutMs,
      engineJson: options.engineJson,
    }),
  ({ router, store, options }) => accessRoutes(router, store, options.indexSettleMs),
  ({ router, store, options }) => streamRoutes(router, store, options),
  ({ router }) => userRoutes(router),
  ({ router, store, onClose }) => onClose(uploadRoutes(router, store).cleanup),
  ({ router, store }) => versionRoutes(router, store),
  ({ router, store }) => exportRoutes(router, store),
];

function matches(pattern: RegExp | string, path: string): boolean {
  return typeof pattern === 'string' ? pattern === path : pattern.test(path);
}

export async function createSandbox(options: SandboxOptions): Promise<Sandbox> {
  const store = await SandboxStore.open(options.dbPath ?? null);
  await defineMysqlFunctions((sql) => store.run(sql));
  if (options.seed !== false) await seedDemoData(store, { largeRows: options.largeRows ?? 200_000 });

  const router = new Router();
  const sqlShape = options.sqlShape ?? 'objects';
  const executionSettleMs = options.executionSettleMs ?? 200;
  const indexSettleMs = options.indexSettleMs ?? 0;
  const queryTimeoutMs = options.queryTimeoutMs ?? 60_000;
  const engineJson = options.engineJson ?? true;
  const closers: Array<() => Promise<void>> = [];
  const onClose = (task: () => Promise<void>) => closers.push(task);
  for (const register of ROUTE_MODULES)
    register({
      router,
      store,
      options: { sqlShape, executionSettleMs, indexSettleMs, queryTimeoutMs, engineJson },
      onClose,
    });
  // Setup is over: from here on DuckDB's configuration cannot change (lockdown.ts).
  await store.lockDown();

  const requests: RecordedRequest[] = [];
  // Concurrency seen by the server, so tests can prove the gateway bounds its fan-out.
  let inFlight = 0;
  let maxInFlight = 0;
  let latencyMs = 0;
  let faults: Array<Fault & { remaining: number }> = [];
  const maxJsonBytes = options.maxJsonBytes ?? 16 * 1024 * 1024;

  const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    const text = body === undefined ? '' : JSON.stringify(body);
    res.writeHead(status, {
      ...(text ? { 'content-type': 'application/json;charset=UTF-8' } : {}),
      'content-length': Buffer.byteLength(text),
      ...headers,
    });
    res.end(text);
  };

  const readBody = async (req: IncomingMessage): Promise<string> => {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > maxJsonBytes) throw new SandboxError(413, 'request body too large');
      chunks.push(chunk as Buffer);
    }
    return Buffer.concat(chunks).toString('utf8');
  };

  const authorized = (req: IncomingMessage): boolean => {
    const developer = req.headers['x-domo-developer-token'];
    const session = req.headers['x-domo-authentication'];
    return developer === options.token || session === options.token;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://sandbox');
    const method = req.method ?? 'GET';
    const path = url.pathname.replace(/\/+$/, '') || '/';
    let counted = false;
    try {
      if (!authorized(req)) {
        throw new SandboxError(401, 'Full authentication is required to access this resource');
      }
      const found = router.match(method, path);
      if (!found) throw new SandboxError(404, `No handler for ${method} ${path}`);
      if ('allowed' in found) {
        throw new SandboxError(405, `Request method '${method}' not supported`);
      }
      const recorded: RecordedRequest = { method, path, query: url.search, at: Date.now() };
      if (options.recordRequests !== false) requests.push(recorded);
      inFlight++;
      counted = true;
      maxInFlight = Math.max(maxInFlight, inFlight);
      if (latencyMs > 0) await new Promise((r) => setTimeout(r, latencyMs));

      const fault = faults.find(
        (f) => (!f.method || f.method === method) && matches(f.path, path) && f.remaining > 0,
      );
      if (fault) {
        fault.remaining--;
        if (fault.delayMs) await new Promise((r) => setTimeout(r, fault.delayMs));
        if (fault.reset) {
          req.socket.destroy();
          return;
        }
        const status = fault.status ?? 500;
        if (fault.text !== undefined) {
          res.writeHead(status, { 'content-type': 'text/html', ...fault.headers });
          res.end(fault.text);
        } else {
          send(res, status, fault.body ?? errorBody(status, 'injected fault'), fault.headers);
        }
        return;
      }

      let bodyText: Promise<string> | undefined;
      const text = () => {
        bodyText ??= readBody(req).then((raw) => {
          if (method !== 'GET') recorded.body = raw;
          return raw;
        });
        return bodyText;
      };
      // The client hanging up before its answer (or close() cutting the socket) cancels the work.
      const cancel = new AbortController();
      res.once('close', () => {
        if (!res.writableFinished) cancel.abort();
      });
      const request: SandboxRequest = {
        signal: cancel.signal,
        method,
        path,
        params: found.params,
        query: url.searchParams,
        headers: req.headers,
        raw: req,
        text,
        json: async <T>() => {
          const raw = await text();
          if (raw.trim() === '') return undefined;
          try {
            return JSON.parse(raw) as T;
          } catch {
            throw new SandboxError(400, 'the request body is not valid JSON');
          }
        },
      };
      const response = await found.handler(request);
      if (response.stream) {
        res.writeHead(response.status ?? 200, {
          'content-type': 'application/json;charset=UTF-8',
          ...response.headers,
        });
        await response.stream((piece) => writeOrWait(res, piece));
        res.end();
        return;
      }
      send(res, response.status ?? 200, response.body, response.headers);
    } catch (error) {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (error instanceof SandboxError) {
        send(res, error.status, errorBody(error.status, error.message));
      } else {
        console.error('sandbox: unexpected error', error);
        send(res, 500, errorBody(500, 'Internal Server Error'));
      }
    } finally {
      if (counted) inFlight--;
    }
  };

  const server = createServer((req, res) => {
    void handle(req, res);
  });
  server.keepAliveTimeout = 65_000;
  server.listen(options.port ?? 0, options.host ?? '127.0.0.1');
  await once(server, 'listening');
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  return {
    url: `http://${host}:${address.port}`,
    token: options.token,
    store,
    server,
    requests,
    get maxInFlight() {
      return maxInFlight;
    },
    resetStats: () => {
      requests.length = 0;
      maxInFlight = inFlight;
    },
    setLatency: (ms) => {
      latencyMs = ms;
    },
    count: (method, path) => requests.filter((r) => r.method === method && matches(path, r.path)).length,
    inject: (fault) => {
      faults.push({ ...fault, remaining: fault.times ?? 1 });
    },
    clearFaults: () => {
      faults = [];
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await Promise.all(closers.map((close) => close()));
      await store.close();
    },
  };
}
