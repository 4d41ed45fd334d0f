/**
 * Batching, measured (issue #3, item 8): the dashboard operation over twenty datasets through the
 * gateway, against the sandbox on loopback, in one process. Prints the upstream calls per operation
 * beside what a naive resolver would make, and the time per operation beside the same data fetched
 * by hand-written REST calls straight to the sandbox (one after the other, and 8 at a time).
 *
 *   npx tsx bench/batching.ts [--runs 20] [--latency 0,10] [--concurrency 8]
 *
 * `--latency` adds that many milliseconds to every sandbox answer, as a far-away Domo would: each
 * value is one round of measurements. Numbers are printed, never asserted.
 */
import { parseArgs } from 'node:util';
import { createDomoClient, type DomoClient } from '../src/domo/client.ts';
import {
  DASHBOARD_QUERY,
  type DashboardDataset,
  minimalCalls,
  naiveCallCount,
  seedDashboard,
} from '../test/helpers/dashboard.ts';
import { type Stack, startStack } from '../test/helpers/stack.ts';

export interface BatchingOptions {
  /** Measured operations per latency (after three warm-up runs). */
  runs?: number;
  /** Milliseconds added to every sandbox answer, one round each. */
  latenciesMs?: number[];
  /** Upstream calls one GraphQL request may have in flight (DOMO_MAX_CONCURRENCY). */
  concurrency?: number;
  log?: (line: string) => void;
}

export interface BatchingRound {
  latencyMs: number;
  gatewayCalls: number;
  minimalCalls: number;
  naiveCalls: number;
  restCalls: number;
  gatewayMs: number;
  restSequentialMs: number;
  restConcurrentMs: number;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

async function timed(runs: number, work: () => Promise<void>): Promise<number> {
  for (let i = 0; i < 3; i++) await work();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await work();
    times.push(performance.now() - start);
  }
  return median(times);
}

/** The calls a hand-written REST client makes for the dashboard: no bulk call, no owner lookups. */
function restCalls(domo: DomoClient, dataset: DashboardDataset): Array<() => Promise<unknown>> {
  return [
    () => domo.datasets.get(dataset.id),
    ...(dataset.streamId === null
      ? []
      : [() => domo.streams.get(dataset.streamId!), () => domo.streams.history(dataset.streamId!)]),
    () => domo.cards.forDataset(dataset.id, true),
    () => domo.permissions.list(dataset.id),
  ];
}

export async function run(options: BatchingOptions = {}): Promise<BatchingRound[]> {
  const runs = options.runs ?? 20;
  const latencies = options.latenciesMs ?? [0, 10];
  const concurrency = options.concurrency ?? 8;
  const log = options.log ?? console.log;

  const stack: Stack = await startStack({
    sandbox: { executionSettleMs: 0 },
    maxConcurrencyPerRequest: concurrency,
  });
  const rounds: BatchingRound[] = [];
  try {
    const fixture = await seedDashboard(stack.sandbox, stack.http);
    const credentials = { kind: 'developer' as const, token: stack.sandbox.token };
    const sequential = createDomoClient(stack.http, { credentials, maxConcurrency: 1 });
    const concurrent = createDomoClient(stack.http, { credentials, maxConcurrency: concurrency });
    const naive = naiveCallCount(fixture.datasets);
    const minimal = minimalCalls(fixture.datasets).length;

    log(
      `dashboard: ${fixture.ids.length} datasets, ${runs} runs per row (median), gateway concurrency ${concurrency}`,
    );
    for (const latencyMs of latencies) {
      stack.sandbox.setLatency(latencyMs);

      let gatewayCalls = 0;
      const gatewayMs = await timed(runs, async () => {
        const before = stack.sandbox.requests.length;
        const res = await stack.gql(DASHBOARD_QUERY, { ids: fixture.ids });
        if (res.errors) throw new Error(`dashboard failed: ${res.errors[0]?.message}`);
        gatewayCalls = stack.sandbox.requests.length - before;
      });

      const restSequentialMs = await timed(runs, async () => {
        for (const dataset of fixture.datasets)
          for (const call of restCalls(sequential, dataset)) await call();
      });
      const restConcurrentMs = await timed(runs, async () => {
        await Promise.all(fixture.datasets.flatMap((d) => restCalls(concurrent, d)).map((call) => call()));
      });
      const rest = fixture.datasets.flatMap((d) => restCalls(sequential, d)).length;

      rounds.push({
        latencyMs,
        gatewayCalls,
        minimalCalls: minimal,
        naiveCalls: naive,
        restCalls: rest,
        gatewayMs,
        restSequentialMs,
        restConcurrentMs,
      });
      log(`\nupstream latency ${latencyMs} ms`);
      const ms = (value: number) => `${value.toFixed(1).padStart(8)} ms`;
      const ratio = (value: number) => `${(value / gatewayMs).toFixed(2)}x the gateway's time`;
      log(`  upstream calls per operation: gateway ${gatewayCalls} (minimal ${minimal})`);
      log(
        `    naive resolver (one call per field per parent) ${naive}: ${(naive / gatewayCalls).toFixed(2)}x the gateway's calls`,
      );
      log(
        `    hand-written REST (no bulk call, no owner lookups) ${rest}: ${(rest / gatewayCalls).toFixed(2)}x`,
      );
      log(`  time per operation (median):`);
      const label = (text: string) => `    ${text}`.padEnd(40);
      log(`${label('gateway, one GraphQL request')}${ms(gatewayMs)}`);
      log(`${label('REST by hand, one call at a time')}${ms(restSequentialMs)}  ${ratio(restSequentialMs)}`);
      log(
        `${label(`REST by hand, ${concurrency} calls at a time`)}${ms(restConcurrentMs)}  ${ratio(restConcurrentMs)}`,
      );
    }
  } finally {
    stack.sandbox.setLatency(0);
    await stack.close();
  }
  return rounds;
}

/** Command-line entry: `npx tsx bench/batching.ts`. */
export async function main(argv = process.argv.slice(2)): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: { runs: { type: 'string' }, latency: { type: 'string' }, concurrency: { type: 'string' } },
  });
  const number = (raw: string, name: string) => {
    const value = Number(raw);
    if (!Number.isInteger(value) || value < 0) throw new Error(`--${name} must be a whole number`);
    return value;
  };
  await run({
    runs: values.runs ? Math.max(1, number(values.runs, 'runs')) : undefined,
    latenciesMs: values.latency
      ? values.latency.split(',').map((v) => number(v.trim(), 'latency'))
      : undefined,
    concurrency: values.concurrency ? Math.max(1, number(values.concurrency, 'concurrency')) : undefined,
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
