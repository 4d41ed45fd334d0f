/**
 * Rate limits, as an envelop onExecute plugin (yoga and the lean lane share it), before any
 * upstream call: each caller (its hash, src/ops/caller.ts) has a token bucket of RATE_LIMIT_BURST
 * operations refilled at RATE_LIMIT_PER_MINUTE; and operations that use Domo's search, which Domo
 * documents at about 120 requests a minute (DOMO-NOTES.md "Errors and limits"), share one budget
 * of RATE_SEARCH_PER_MINUTE across every caller (and every replica on Redis). A refused
 * operation gets RATE_LIMITED with `retryAfterSeconds` (and HTTP 429 with Retry-After).
 * Put it before the response cache: a caller's answered-from-cache operations count against its
 * own bucket, but only an operation that does reach Domo spends the shared search budget.
 */
import type { Plugin } from '@envelop/core';
import { type DocumentNode, GraphQLError, Kind, visit } from 'graphql';
import type { RateLimitSettings } from '../config-settings.ts';
import { failure } from '../errors/codes.ts';
import type { GraphContext } from '../graph/context.ts';
import type { Bucket, Buckets } from './buckets.ts';
import type { OpsSink } from './events.ts';

/** Root fields that call Domo's search endpoint (`POST /api/data/ui/v3/datasources/search`). */
const SEARCH_FIELDS = new Set(['searchDatasets']);

export function rateLimited(scope: 'caller' | 'upstream', retryAfterSeconds: number): GraphQLError {
  const { code, httpStatus } = failure('throttled');
  const message =
    scope === 'caller'
      ? `Too many operations from this caller: try again in ${retryAfterSeconds} s (RATE_LIMIT_PER_MINUTE)`
      : `Too many searches of Domo's datasets from all callers (Domo allows about 120 a minute): try again in ${retryAfterSeconds} s (RATE_SEARCH_PER_MINUTE)`;
  return new GraphQLError(message, {
    extensions: {
      code,
      retryAfterSeconds,
      http: { status: httpStatus, headers: { 'retry-after': String(retryAfterSeconds) } },
    },
  });
}

export function useRateLimits(
  settings: RateLimitSettings,
  buckets: Buckets,
  ops: OpsSink,
): Plugin<GraphContext> {
  const caller: Bucket = { capacity: settings.burst, perSecond: settings.perMinute / 60 };
  const search: Bucket = { capacity: settings.searchPerMinute, perSecond: settings.searchPerMinute / 60 };
  /** The caller's bucket: false (and the answer set) when it is empty. */
  const callerAllowed = async (
    context: GraphContext,
    stop: (result: { errors: ReturnType<typeof rateLimited>[] }) => void,
  ): Promise<boolean> => {
    if (settings.perMinute <= 0) return true;
    const taken = await buckets.take(`caller:${context.caller?.id ?? 'anonymous'}`, caller);
    if (taken.ok) return true;
    ops.emit({ type: 'rate-limited', scope: 'caller' });
    stop({ errors: [rateLimited('caller', taken.retryAfterSeconds)] });
    return false;
  };
  return {
    // A subscription's start is one operation of the caller's (its polls are the gateway's, shared).
    async onSubscribe({ args, setResultAndStopExecution }) {
      await callerAllowed(args.contextValue as GraphContext, setResultAndStopExecution);
    },
    async onExecute({ args, executeFn, setExecuteFn, setResultAndStopExecution }) {
      const context = args.contextValue as GraphContext;
      if (!(await callerAllowed(context, setResultAndStopExecution))) return;
      const searches = settings.searchPerMinute > 0 ? countFields(args.document, SEARCH_FIELDS) : 0;
      if (searches === 0) return;
      // Inside the execution, so an answer from the cache (which skips it) spends nothing.
      setExecuteFn(async (executionArgs) => {
        const taken = await buckets.take('upstream:search', search, searches);
        if (!taken.ok) {
          ops.emit({ type: 'rate-limited', scope: 'upstream' });
          return { errors: [rateLimited('upstream', taken.retryAfterSeconds)] };
        }
        return executeFn(executionArgs);
      });
    },
  };
}

/** How many times the document selects one of `names` (fragments included, each where defined). */
function countFields(document: DocumentNode, names: Set<string>): number {
  let count = 0;
  visit(document, {
    [Kind.FIELD](node) {
      if (names.has(node.name.value)) count++;
    },
  });
  return count;
}
