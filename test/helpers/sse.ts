/**
 * Subscriptions over yoga's own SSE (POST /graphql with `Accept: text/event-stream`): the events of
 * one subscription, read as they arrive, until it completes or the caller stops it.
 */
import { authHeader } from './stack.ts';

export interface SseResult<T> {
  data?: T | null;
  errors?: Array<{ message: string; extensions?: { code?: string } }>;
}

export interface SseSubscription<T> {
  /** The next result (undefined once the stream completed). */
  next(): Promise<SseResult<T> | undefined>;
  /** Every result until the stream completes. */
  rest(): Promise<SseResult<T>[]>;
  /** Goes away, as a browser tab closing does. */
  stop(): void;
}

export async function subscribeSse<T = Record<string, unknown>>(
  gatewayUrl: string,
  query: string,
  variables: Record<string, unknown> = {},
  headers: Record<string, string> = authHeader(),
): Promise<SseSubscription<T>> {
  const controller = new AbortController();
  const response = await fetch(`${gatewayUrl}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...headers },
    body: JSON.stringify({ query, variables }),
    signal: controller.signal,
  });
  if (!response.body) throw new Error(`no body (HTTP ${response.status})`);
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  let done = false;
  const next = async (): Promise<SseResult<T> | undefined> => {
    while (!done) {
      const end = buffer.indexOf('\n\n');
      if (end >= 0) {
        const event = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const lines = event.split('\n');
        const type = lines
          .find((l) => l.startsWith('event:'))
          ?.slice(6)
          .trim();
        const data = lines
          .filter((l) => l.startsWith('data:'))
          .map((l) => l.slice(5).trim())
          .join('\n');
        if (type === 'complete') {
          done = true;
          controller.abort();
          return undefined;
        }
        if (type === 'next' && data) return JSON.parse(data) as SseResult<T>;
        continue;
      }
      const chunk = await reader.read().catch(() => ({ done: true, value: undefined }));
      if (chunk.done) {
        done = true;
        return undefined;
      }
      buffer += chunk.value;
    }
    return undefined;
  };
  return {
    next,
    async rest() {
      const all: SseResult<T>[] = [];
      for (let r = await next(); r; r = await next()) all.push(r);
      return all;
    },
    stop() {
      done = true;
      controller.abort();
    },
  };
}
