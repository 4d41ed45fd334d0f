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
  | { hang: true }
  | StreamStep;

/**
 * A body written chunk by chunk as the client reads it (backpressure), generated on the fly so a
 * huge answer is never held; stops as soon as the client closes the connection.
 */
export interface StreamStep {
  status: number;
  headers?: Record<string, string>;
  chunks: () => Iterable<string | Uint8Array> | AsyncIterable<string | Uint8Array>;
  /** After the last chunk, destroy the socket (a connection broken mid-body) instead of ending. */
  thenReset?: boolean;
}

export interface FakeUpstream {
  url: string;
  /** Requests received, in order. */
  requests: Array<{ method: string; url: string; headers: IncomingMessage['headers'] }>;
  /** Requests whose connection closed before an answer was sent (the client gave up). */
  abandoned: number;
  /** Body bytes written by stream steps, in all. */
  sent: number;
  close(): Promise<void>;
}

export const json = (status: number, body: unknown, headers: Record<string, string> = {}): Step => ({
  status,
  body: JSON.stringify(body),
  headers: { 'content-type': 'application/json', ...headers },
});

/** Answers each request from what it asked (method, path, the headers it sent). */
export type Responder = (request: FakeUpstream['requests'][number]) => Step;

/** Serves `steps` in order (once they run out, the last step repeats), or asks `steps` per request. */
export async function fakeUpstream(steps: Step[] | Responder): Promise<FakeUpstream> {
  const fake: FakeUpstream = { url: '', requests: [], abandoned: 0, sent: 0, close: async () => {} };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const request = { method: req.method ?? '', url: req.url ?? '', headers: req.headers };
    const step =
      typeof steps === 'function' ? steps(request) : steps[Math.min(fake.requests.length, steps.length - 1)]!;
    fake.requests.push(request);
    res.on('close', () => {
      if (!res.writableFinished) fake.abandoned++;
    });
    req.resume();
    if ('reset' in step) {
      req.socket.destroy();
      return;
    }
    if ('hang' in step) return;
    if ('chunks' in step) {
      res.writeHead(step.status, step.headers ?? {});
      void pump(step, req, res, fake);
      return;
    }
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

async function pump(step: StreamStep, req: IncomingMessage, res: ServerResponse, fake: FakeUpstream) {
  const closed = new AbortController();
  res.on('close', () => closed.abort());
  try {
    for await (const chunk of step.chunks()) {
      if (closed.signal.aborted) return;
      fake.sent += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.byteLength;
      if (!res.write(chunk)) await once(res, 'drain', { signal: closed.signal });
    }
    if (step.thenReset) {
      // Destroying drops unflushed writes: let the headers and chunks reach the client first.
      await new Promise((resolve) => res.write('', resolve));
      req.socket.destroy();
    } else res.end();
  } catch {
    // the client went away mid-body
  }
}
