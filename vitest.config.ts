import { defineConfig } from 'vitest/config';

/**
 * One integration suite, two transports: test/integration runs once on the lean lane and once on
 * yoga's (GATEWAY_LANE, read by test/helpers/lane.ts), so every behaviour is proved on both.
 * `npx vitest run --project lean <files>` runs one lane.
 */
const integration = ['test/integration/**/*.test.ts'];

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/**/*.test.ts'], exclude: integration } },
      { extends: true, test: { name: 'lean', include: integration, env: { GATEWAY_LANE: 'lean' } } },
      { extends: true, test: { name: 'yoga', include: integration, env: { GATEWAY_LANE: 'yoga' } } },
    ],
  },
});
