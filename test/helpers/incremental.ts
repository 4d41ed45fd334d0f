/**
 * A client of incremental delivery (@defer, @stream) for tests: posts an operation with
 * `Accept: multipart/mixed` or `Accept: text/event-stream` and yields each payload as it arrives,
 * read from the body as it comes (so a test can stop reading, or go away, midway).
 */

export type Transport = 'multipart' | 'sse';

export interface IncrementalPayload {
  data?: Record<string, unknown> | null;
  errors?: Array<{ message: string; path?: Array<string | number>; extensions?: Record<string, unknown> }>;
  incremental?: Array<{
    items?: unknown[] | null;
    data?: Record<string, unknown> | null;
    path: Array<string | number>;
    errors?: IncrementalPayload['errors'];
  }>;
  hasNext?: boolean;
}

export const ACCEPT: Record<Transport, string> = {
  multipart: 'multipart/mixed',
  sse: 'text/event-stream',
};

export async function postIncremental(
  url: string,
  transport: Transport,
  query: string,
  options: { headers?: Record<string, string>; signal?: AbortSignal; variables?: unknown } = {},
): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: ACCEPT[transport], ...options.headers },
    body: JSON.stringify({ query, variables: options.variables }),
    signal: options.signal,
  });
}

/** The payloads of a multipart/mixed or text/event-stream answer, parsed as they arrive. */
export async function* payloads(response: Response): AsyncGenerator<IncrementalPayload> {
  const type = response.headers.get('content-type') ?? '';
  if (!response.body) throw new Error('no body');
  const reader = response.body.getReader();
  let buffer = Buffer.alloc(0);
  const more = async (): Promise<boolean> => {
    const { done, value } = await reader.read();
    if (done) return false;
    buffer = Buffer.concat([buffer, value]);
    return true;
  };
  try {
    if (type.startsWith('multipart/mixed')) {
      for (;;) {
        let header = buffer.indexOf('\r\n\r\n');
        while (header < 0) {
          if (!(await more())) return;
          header = buffer.indexOf('\r\n\r\n');
        }
        const length = Number(/Content-Length: (\d+)/i.exec(buffer.subarray(0, header).toString())?.[1]);
        if (!Number.isFinite(length))
          throw new Error(`a part without Content-Length: ${buffer.subarray(0, header)}`);
        while (buffer.length < header + 4 + length) if (!(await more())) throw new Error('a part was cut');
        yield JSON.parse(buffer.subarray(header + 4, header + 4 + length).toString()) as IncrementalPayload;
        buffer = buffer.subarray(header + 4 + length);
      }
    }
    if (type.startsWith('text/event-stream')) {
      for (;;) {
        let end = buffer.indexOf('\n\n');
        while (end < 0) {
          if (!(await more())) return;
          end = buffer.indexOf('\n\n');
        }
        const event = buffer.subarray(0, end).toString();
        buffer = buffer.subarray(end + 2);
        const lines = event.split('\n');
        const name = lines
          .find((l) => l.startsWith('event:'))
          ?.slice(6)
          .trim();
        const data = lines
          .filter((l) => l.startsWith('data:'))
          .map((l) => l.slice(5).trimStart())
          .join('\n');
        if (name === 'next') yield JSON.parse(data) as IncrementalPayload;
        if (name === 'complete') return;
      }
    }
    throw new Error(`not an incremental answer: ${response.status} ${type} ${await response.text()}`);
  } finally {
    await reader.cancel().catch(() => {});
  }
}

/** Every payload of the answer. */
export async function allPayloads(response: Response): Promise<IncrementalPayload[]> {
  const all: IncrementalPayload[] = [];
  for await (const payload of payloads(response)) all.push(payload);
  return all;
}
