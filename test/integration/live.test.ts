/**
 * Subscriptions end to end: the real gateway over the real sandbox, whose stream runs and indexing
 * take time (executionSettleMs, indexSettleMs), over yoga's SSE and the graphql-sse protocol.
 */
import { createClient } from 'graphql-sse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SseResult, subscribeSse } from '../helpers/sse.ts';
import { authHeader, SANDBOX_TOKEN, type Stack, startStack } from '../helpers/stack.ts';

const STAGING = 'e2d4f6a8-1b3c-4d5e-8f70-a1b2c3d4e5f6';
const SALES = '3f5a1b2c-7d4e-4f60-9a8b-1c2d3e4f5a60';
const STAGING_STREAM = '105';

const EXECUTION = `subscription($s: ID!, $e: ID!) { executionProgress(streamId: $s, executionId: $e) { executionId currentState rowsInserted } }`;
const INDEX = `subscription($d: ID!, $i: ID!) { indexProgress(datasetId: $d, indexId: $i) { indexId status } }`;
const CHANGED = `subscription($id: ID!) { datasetChanged(id: $id) { datasetId rowCount deleted dataVersions { dataVersionId } } }`;

type Execution = {
  executionProgress: { executionId: number; currentState: string; rowsInserted: number | null };
};
type Index = { indexProgress: { indexId: string; status: string } };
type Changed = {
  datasetChanged: { datasetId: string; rowCount: number; deleted: boolean; dataVersions: unknown[] };
};

const callsTo = (stack: Stack, pattern: RegExp) =>
  stack.attempts.filter((a) => pattern.test(a.request.path)).length;

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({
    sandbox: { executionSettleMs: 400, indexSettleMs: 400 },
    live: { pollBaseMs: 40, pollMaxMs: 120 },
  });
});
afterAll(() => stack.close());

describe('subscriptions over yoga SSE', () => {
  it('executionProgress: RUNNING, then SUCCESS, then complete', async () => {
    const run = await stack.gql<{ executeStream: { execution: { executionId: number } } }>(
      `mutation { executeStream(streamId: "${STAGING_STREAM}") { execution { executionId } } }`,
    );
    expect(run.errors).toBeUndefined();
    const executionId = run.data!.executeStream.execution.executionId;
    const sub = await subscribeSse<Execution>(stack.gatewayUrl, EXECUTION, {
      s: STAGING_STREAM,
      e: executionId,
    });
    const events = await sub.rest();
    expect(events.map((e) => e.data?.executionProgress.currentState)).toEqual(['RUNNING', 'SUCCESS']);
    expect(events[1]!.data!.executionProgress.executionId).toBe(executionId);
    expect(stack.gateway.live.stats()).toMatchObject({ subscriptions: 0, topics: 0, polling: 0 });
  });
});
