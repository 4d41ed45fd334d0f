/**
 * Every GraphQL example in README.md runs as written against the gateway on the sandbox, with the
 * server's own credentials as `npm start` has them: a README example that breaks fails here.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_TYPED_DATASETS } from '../../src/example.ts';
import { SANDBOX_TOKEN, type Stack, startStack } from '../helpers/stack.ts';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const examples = [...readme.matchAll(/```graphql\n([\s\S]*?)```/g)].map((m) => m[1]!);

let stack: Stack;
beforeAll(async () => {
  // As `npm start` on the sandbox: the demo datasets pinned as typed roots.
  stack = await startStack({
    serverCredentials: { kind: 'developer', token: SANDBOX_TOKEN },
    typed: { datasets: DEMO_TYPED_DATASETS },
  });
});
afterAll(() => stack.close());

describe('README examples', () => {
  it('has examples', () => {
    expect(examples.length).toBeGreaterThan(3);
  });

  it.each(examples.map((text) => [text.match(/^(query|mutation)\s+(\w+)/m)?.[2] ?? text.slice(0, 40), text]))(
    '%s runs without errors',
    async (_name, text) => {
      const res = await stack.gql(text, undefined, {});
      // An alias named `missing` shows the NOT_FOUND answer on purpose.
      const errors = (res.errors ?? []).filter((e) => e.path?.[0] !== 'missing');
      expect(errors).toEqual([]);
      expect(res.data).toBeTruthy();
    },
  );
});
