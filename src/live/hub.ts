/**
 * The live hub: subscriptions to objects Domo cannot push (a stream run, an indexing run, a
 * dataset's versions), served by polling. One poller per watched object and caller, however many
 * subscribers (the topic is a hash of the caller's credential hash, the kind and the object, since
 * two credentials may see different things); across replicas one poller between them (the bus's
 * lease, src/live/bus.ts). A poller waits with the project's one backoff (src/domo/retry.ts):
 * quick after a change, slower while nothing changes, Retry-After when Domo throttles. It stops on a
 * terminal state, on a failure that will not heal (not found, forbidden), or when its last
 * subscriber leaves. Limits: SUBSCRIPTIONS_PER_CALLER and SUBSCRIPTIONS_MAX per gateway process,
 * and SUBSCRIPTION_IDLE_MINUTES without a state change ends a subscription.
 */
import { createHash, randomUUID } from 'node:crypto';
import { DomoError } from '../domo/errors.ts';
import { isRetryable, retryDelay } from '../domo/retry.ts';
import { type FailureKind, failure } from '../errors/codes.ts';
import type { Logger } from '../log.ts';
import type { LiveBus } from './bus.ts';

export interface LiveSettings {
  /** SUBSCRIPTIONS_PER_CALLER: open subscriptions one caller may hold on this gateway. */
  perCaller: number;
  /** SUBSCRIPTIONS_MAX: open subscriptions on this gateway in all. */
  max: number;
  /** SUBSCRIPTION_IDLE_MINUTES, in ms: a subscription with no new state for this long is ended. */
  idleMs: number;
  /** First wait between polls, and the wait right after a change. */
  pollBaseMs: number;
  /** Longest wait between polls while nothing changes. */
  pollMaxMs: number;
}

export const DEFAULT_LIVE_SETTINGS: LiveSettings = {
  perCaller: 20,
  max: 1_000,
  idleMs: 30 * 60_000,
  pollBaseMs: 500,
  pollMaxMs: 10_000,
};

/** What a subscriber receives: a state, or the failure that ended the watch. */
export type LiveMessage<T> =
  | { state: T; terminal: boolean }
  | { error: { code: string; message: string }; terminal: true };

export interface WatchSpec<T> {
  /** What is watched ("execution", "index", "dataset"); part of the topic. */
  kind: string;
  /** The object's ids, as one string; part of the topic. */
  objectId: string;
  /** The caller's credential hash (src/ops/caller.ts), never the credential. */
  callerId: string;
  /** Reads the current state from Domo (the signal stops the poller). */
  poll(signal: AbortSignal): Promise<T>;
  /** The state is final: it is sent, then the subscription completes. */
  terminal(state: T): boolean;
  /** What a Domo failure that will not heal means for this watch (default: an error message). */
  onFailure?(error: DomoError): LiveMessage<T> | undefined;
}

/** A refusal or an end the hub decides itself: its code comes from the one table (src/errors). */
export class LiveError extends Error {
  readonly code: string;
  constructor(kind: FailureKind, message: string) {
    super(message);
    this.code = failure(kind).code;
  }
}

interface Subscriber {
  callerId: string;
  push(message: string): void;
  end(): void;
}

interface Topic {
  subscribers: Set<Subscriber>;
  last: string | null;
  poller: AbortController;
  unsubscribe?: Promise<() => Promise<void>>;
}

export interface LiveHub {
  /** Subscribes to an object; throws a LiveError TOO_MANY_SUBSCRIPTIONS past a limit. */
  watch<T>(spec: WatchSpec<T>, signal?: AbortSignal): AsyncIterableIterator<LiveMessage<T>>;
  /** Open subscriptions and running pollers in this process (for tests and /metrics). */
  stats(): { subscriptions: number; topics: number; polling: number };
  close(): Promise<void>;
}

/** A poll lease outlives a few of the longest waits between polls, so its holder keeps it. */
const MIN_LEASE_MS = 15_000;

export function createLiveHub(bus: LiveBus, settings: LiveSettings, logger: Logger): LiveHub {
  const owner = randomUUID();
  const topics = new Map<string, Topic>();
  const perCaller = new Map<string, number>();
  let total = 0;
  const leaseMs = Math.max(MIN_LEASE_MS, 3 * settings.pollMaxMs);
  /** Topics this replica polls now (holds the lease of). */
  const polling = new Set<string>();

  const deliver = (topic: Topic, message: string) => {
    topic.last = message;
    for (const subscriber of [...topic.subscribers]) subscriber.push(message);
  };

  const stop = (name: string, topic: Topic) => {
    if (topics.get(name) !== topic) return;
    topics.delete(name);
    topic.poller.abort();
    polling.delete(name);
    void bus.release(name, owner);
    void topic.unsubscribe?.then((off) => off());
  };

  /** Polls while this replica holds the lease; waits for it otherwise (another replica polls). */
  const run = async <T>(name: string, topic: Topic, spec: WatchSpec<T>) => {
    const { signal } = topic.poller;
    const policy = {
      maxRetries: Number.POSITIVE_INFINITY,
      baseMs: settings.pollBaseMs,
      maxDelayMs: settings.pollMaxMs,
    };
    let attempt = 1;
    while (!signal.aborted) {
      if (!(await bus.lease(name, owner, leaseMs))) {
        polling.delete(name);
        await sleep(leaseMs / 3, signal);
        continue;
      }
      polling.add(name);
      let message: LiveMessage<T> | undefined;
      let retryAfterMs: number | undefined;
      try {
        const state = await spec.poll(signal);
        message = { state, terminal: spec.terminal(state) };
      } catch (error) {
        if (signal.aborted) return;
        if (error instanceof LiveError) {
          message = { error: { code: error.code, message: error.message }, terminal: true };
        } else if (error instanceof DomoError && isRetryable(error)) {
          retryAfterMs = error.retryAfterMs;
        } else if (error instanceof DomoError) {
          message = spec.onFailure?.(error) ?? {
            error: {
              code: failure(error.kind).code,
              message: `${spec.kind} ${spec.objectId}: ${error.message}`,
            },
            terminal: true,
          };
        } else {
          logger.error('live poll failed', { kind: spec.kind, error });
          message = {
            error: { code: failure('internal').code, message: 'Unexpected error.' },
            terminal: true,
          };
        }
      }
      if (signal.aborted) return;
      const text = message && JSON.stringify(message);
      if (text !== undefined && text !== topic.last) {
        attempt = 1;
        await bus.publish(name, text);
        // Without a bus round trip (memory, or Redis away) the message is delivered here.
        if (topic.last !== text) deliver(topic, text);
      } else {
        attempt++;
      }
      if (message?.terminal) return stop(name, topic);
      await sleep(retryDelay(attempt, policy, retryAfterMs), signal);
    }
  };

  const open = <T>(name: string, spec: WatchSpec<T>): Topic => {
    const existing = topics.get(name);
    if (existing) return existing;
    const topic: Topic = { subscribers: new Set(), last: null, poller: new AbortController() };
    topics.set(name, topic);
    topic.unsubscribe = bus.subscribe(name, (message) => {
      if (message !== topic.last) deliver(topic, message);
      if ((JSON.parse(message) as { terminal?: boolean }).terminal) stop(name, topic);
    });
    void topic.unsubscribe
      .then(async () => {
        // Another replica polls already: start from its last state, without a call of our own.
        // (Polling here, the first poll comes at once: a state kept from an earlier watch may be stale.)
        if (!(await bus.lease(name, owner, leaseMs))) {
          const last = await bus.last(name);
          if (last && topic.last === null && topics.get(name) === topic) deliver(topic, last);
        }
        return run(name, topic, spec);
      })
      .catch((error: unknown) => logger.error('live poller failed', { kind: spec.kind, error }));
    return topic;
  };

  return {
    watch<T>(spec: WatchSpec<T>, signal?: AbortSignal) {
      const mine = perCaller.get(spec.callerId) ?? 0;
      if (mine >= settings.perCaller)
        throw new LiveError(
          'too_many_subscriptions',
          `this caller already holds ${mine} subscriptions (SUBSCRIPTIONS_PER_CALLER is ${settings.perCaller})`,
        );
      if (total >= settings.max)
        throw new LiveError(
          'too_many_subscriptions',
          `the gateway already serves ${total} subscriptions (SUBSCRIPTIONS_MAX is ${settings.max})`,
        );
      perCaller.set(spec.callerId, mine + 1);
      total++;

      const name = createHash('sha256')
        .update(`${spec.callerId}\0${spec.kind}\0${spec.objectId}`)
        .digest('hex');
      const queue: LiveMessage<T>[] = [];
      let wake: (() => void) | undefined;
      let done = false;
      let idle: NodeJS.Timeout | undefined;
      const armIdle = () => {
        clearTimeout(idle);
        idle = setTimeout(() => {
          queue.push({
            error: {
              code: failure('subscription_idle').code,
              message: `no new state for ${settings.idleMs / 60_000} minutes (SUBSCRIPTION_IDLE_MINUTES): the subscription ended`,
            },
            terminal: true,
          });
          wake?.();
        }, settings.idleMs);
        idle.unref();
      };
      const subscriber: Subscriber = {
        callerId: spec.callerId,
        push(message) {
          queue.push(JSON.parse(message) as LiveMessage<T>);
          armIdle();
          wake?.();
        },
        end: () => leave(),
      };
      const leave = () => {
        if (done) return;
        done = true;
        clearTimeout(idle);
        signal?.removeEventListener('abort', leave);
        total--;
        const left = (perCaller.get(spec.callerId) ?? 1) - 1;
        if (left > 0) perCaller.set(spec.callerId, left);
        else perCaller.delete(spec.callerId);
        const topic = topics.get(name);
        if (!topic) return;
        topic.subscribers.delete(subscriber);
        if (topic.subscribers.size === 0) stop(name, topic);
        wake?.();
      };
      signal?.addEventListener('abort', leave, { once: true });

      const topic = open(name, spec);
      topic.subscribers.add(subscriber);
      if (topic.last) queue.push(JSON.parse(topic.last) as LiveMessage<T>);
      armIdle();

      const iterator: AsyncIterableIterator<LiveMessage<T>> = {
        async next() {
          while (!done && queue.length === 0) await new Promise<void>((resolve) => (wake = resolve));
          wake = undefined;
          const message = queue.shift();
          if (!message) return { done: true, value: undefined };
          if (message.terminal) leave();
          return { done: false, value: message };
        },
        async return() {
          leave();
          queue.length = 0;
          return { done: true, value: undefined };
        },
        async throw(error) {
          leave();
          throw error;
        },
        [Symbol.asyncIterator]() {
          return iterator;
        },
      };
      return iterator;
    },
    stats() {
      return { subscriptions: total, topics: topics.size, polling: polling.size };
    },
    async close() {
      for (const [name, topic] of topics) {
        for (const subscriber of topic.subscribers) subscriber.end();
        stop(name, topic);
      }
      await bus.close();
    },
  };
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    timer.unref();
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
