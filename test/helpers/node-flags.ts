/**
 * The V8 flags the Docker image starts the gateway with (its CMD; deploy.test.ts checks they agree),
 * for the tests that measure the gateway process's memory. Node 24's V8 sizes the young generation
 * from the machine's memory, where Node 20 capped a semi-space at 16 MB: streaming a 520 MB answer
 * grew VmHWM by 277 MB on Node 24 without the flag and 182 MB with it (Node 20: within 200 MB
 * either way). The heap after a GC is the same; only V8's slack differs.
 */
export const GATEWAY_NODE_FLAGS = ['--max-semi-space-size=16'];
