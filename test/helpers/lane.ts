/**
 * The lane the gateways of this test run serve /graphql on (vitest.config.ts sets GATEWAY_LANE per
 * project), with the default document cache: every helper and test building a gateway passes it.
 */
import type { LaneSettings } from '../../src/config.ts';

export function testLane(): LaneSettings {
  const mode = process.env.GATEWAY_LANE === 'yoga' ? 'yoga' : 'lean';
  return {
    mode,
    documentCacheSize: 1_000,
    documentCacheBytes: 4_000_000,
    jit: process.env.GATEWAY_JIT === 'true',
  };
}
