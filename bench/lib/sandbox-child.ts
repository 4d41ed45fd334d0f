/**
 * A sandbox in a process of its own for benchmarks, with createSandbox options that have no
 * setting (`engineJson: false`, say): JSON in BENCH_SANDBOX_OPTIONS. Prints `listening on URL`.
 */
import { createSandbox, type SandboxOptions } from '../../src/sandbox/server.ts';

const options = JSON.parse(process.env.BENCH_SANDBOX_OPTIONS ?? '{}') as SandboxOptions;
const sandbox = await createSandbox({ recordRequests: false, ...options });
process.stdout.write(`sandbox listening on ${sandbox.url}\n`);
process.once('SIGTERM', () => {
  void sandbox.close().then(() => process.exit(0));
});
