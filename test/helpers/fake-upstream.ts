/**
 * A port-0 HTTP server that answers each request with the next scripted step: the fault shapes the
 * sandbox cannot produce on demand (resets mid-stream, silence, arbitrary bodies).
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Step =
  | { status: number; body?: string; headers?: Record<string, string> }
  | { reset: true }
  | { hang: true };

export interface FakeUpstream {
  url: string;
  /** Requests received, in order. */
  requests: Array<{ method: string; url: string; headers: IncomingMessage['headers'] }>;
  /** Requests whose connection closed before an answer was sent (the client gave up). */
  abandoned: number;
  close(): Promise<void>;
}

export const json = (status: number, body: unknown, headers: Record<string, string> = {}): Step => ({
  status,
  body: JSON.stringify(body),
  headers: { 'content-type': 'application/json', ...headers },
});

/** Picks the answer to a request by what it asks for (the requests before it are in `fake.requests`). */
export type Route = (request: { method: string; url: string }) => Step;

/** Serves `steps` in order (once they run out, the last step repeats), or asks `route` for each. */
export async function fakeUpstream(steps: Step[] | Route): Promise<FakeUpstream> {
  const fake: FakeUpstream = { url: '', requests: [], abandoned: 0, close: async () => {} };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const request = { method: req.method ?? '', url: req.url ?? '' };
    const step =
      typeof steps === 'function' ? steps(request) : steps[Math.min(fake.requests.length, steps.length - 1)]!;
    fake.requests.push({ ...request, headers: req.headers });
    res.on('close', () => {
      if (!res.writableFinished) fake.abandoned++;
    });
    req.resume();
    if ('reset' in step) {
      req.socket.destroy();
      return;
    }
    if ('hang' in step) return;
    res.writeHead(step.status, step.headers ?? {});
    res.end(step.body ?? '');
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  fake.close = async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return fake;
}
