/**
 * Backpressure for @stream. The executor (@graphql-tools/executor, under yoga's defer-stream plugin)
 * pulls a streamed field's async iterator as fast as it yields, and keeps every item until the
 * consumer takes the payload that carries it: a 1M-row stream over a slow client would end up whole
 * in memory. The flow counts, per streamed field (by its response path), the items of the payloads
 * the consumer has taken (a payload is taken when the transport's writer asks for the next one,
 * which it does once the previous one was written out), and `streamed()` lets a source run only a
 * few items ahead of that; the items the consumer took are let go (StreamFlow.taken). Envelop hooks only (onContextBuilding, onExecute), so any transport that
 * runs the plugins gets it; without the plugin a stream is not held back.
 */

import type { FieldNode, GraphQLResolveInfo, ValueNode } from 'graphql';
import { isAsyncIterable, type Plugin } from 'graphql-yoga';
import type { GraphContext } from './context.ts';

/** Items a streamed source may run ahead of what the consumer has taken (beyond initialCount). */
export const STREAM_READ_AHEAD = 2;

export class StreamFlow {
  private readonly delivered = new Map<string, number>();
  private wake: Array<() => void> = [];
  private closed = false;

  /**
   * A payload the consumer took: credits the stream items it carries, and returns it with its own
   * lists of items. The executor links each stream record to the one before it and keeps its items
   * list, so every page ever streamed would stay reachable from the newest record; the records'
   * lists are emptied here, and the copy (all the transport holds) goes once it is written.
   */
  taken<T>(payload: T): T {
    const incremental = (payload as { incremental?: unknown } | null)?.incremental;
    if (!Array.isArray(incremental)) return payload;
    const parts = (incremental as Array<{ items?: unknown; path?: unknown }>).map((entry) => {
      if (!Array.isArray(entry.items) || !Array.isArray(entry.path)) return entry;
      const key = entry.path.slice(0, -1).join('.');
      this.delivered.set(key, (this.delivered.get(key) ?? 0) + entry.items.length);
      const items = [...entry.items];
      entry.items.length = 0;
      return { ...entry, items };
    });
    this.notify();
    return { ...payload, incremental: parts };
  }

  /** The answer ended: nothing waits any more. */
  close(): void {
    this.closed = true;
    this.notify();
  }

  /** Resolves once `produced` items of the stream at `key` are at most `allowance` ahead of the consumer. */
  async ready(key: string, produced: number, allowance: number, signal?: AbortSignal): Promise<void> {
    while (!this.closed && !signal?.aborted && produced - (this.delivered.get(key) ?? 0) >= allowance) {
      await new Promise<void>((resolve) => {
        const done = () => {
          signal?.removeEventListener('abort', done);
          resolve();
        };
        this.wake.push(done);
        signal?.addEventListener('abort', done, { once: true });
      });
    }
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = [];
    for (const done of wake) done();
  }
}

/** Gives every operation its flow, and feeds it the payloads its consumer takes. */
export function useStreamFlow(): Plugin<{ streamFlow?: StreamFlow }> {
  return {
    onContextBuilding({ extendContext }) {
      extendContext({ streamFlow: new StreamFlow() });
    },
    onExecute({ args }) {
      const flow = (args.contextValue as { streamFlow?: StreamFlow }).streamFlow;
      if (!flow) return;
      return {
        onExecuteDone({ result }) {
          if (!isAsyncIterable(result)) return;
          return {
            onNext: ({ result: payload, setResult }) => setResult(flow.taken(payload)),
            onEnd: () => flow.close(),
          };
        },
      };
    },
  };
}

/** The field's @stream, when it is on and applies (its `if` is not false): its initialCount. */
export function streamDirective(info: GraphQLResolveInfo): { initialCount: number } | undefined {
  const node = info.fieldNodes[0] as FieldNode | undefined;
  const directive = node?.directives?.find((d) => d.name.value === 'stream');
  if (!directive) return undefined;
  const value = (name: string): unknown => {
    const arg = directive.arguments?.find((a) => a.name.value === name)?.value;
    return arg ? literal(arg, info.variableValues) : undefined;
  };
  if (value('if') === false) return undefined;
  const initialCount = value('initialCount');
  return { initialCount: typeof initialCount === 'number' && initialCount > 0 ? initialCount : 0 };
}

function literal(node: ValueNode, variables: Record<string, unknown>): unknown {
  if (node.kind === 'Variable') return variables[node.name.value];
  if (node.kind === 'BooleanValue') return node.value;
  if (node.kind === 'IntValue') return Number(node.value);
  return undefined;
}

/**
 * `source` as a streamed field's result: under @stream it runs at most STREAM_READ_AHEAD items
 * ahead of the consumer (beyond initialCount), and it is closed (return(): an upstream request is
 * aborted) when the caller goes away. Without @stream the executor reads it whole, as a list.
 */
export function streamed<T>(
  ctx: GraphContext,
  info: GraphQLResolveInfo,
  source: AsyncIterator<T>,
): AsyncIterableIterator<T> {
  const stream = streamDirective(info);
  const flow = stream ? ctx.streamFlow : undefined;
  const key = pathKey(info.path);
  const allowance = (stream?.initialCount ?? 0) + STREAM_READ_AHEAD;
  let produced = 0;
  let done = false;
  const close = async (): Promise<IteratorResult<T, undefined>> => {
    if (!done) {
      done = true;
      await source.return?.();
    }
    return { value: undefined, done: true };
  };
  ctx.signal?.addEventListener('abort', () => void close(), { once: true });
  return {
    [Symbol.asyncIterator]() {
      return this;
    },
    async next() {
      if (flow) await flow.ready(key, produced, allowance, ctx.signal);
      if (done || ctx.signal?.aborted) return close();
      const item = await source.next();
      if (item.done) done = true;
      else produced++;
      return item;
    },
    return: close,
  };
}

function pathKey(path: GraphQLResolveInfo['path'] | undefined): string {
  const parts: Array<string | number> = [];
  for (let p = path; p; p = p.prev) parts.unshift(p.key);
  return parts.join('.');
}
