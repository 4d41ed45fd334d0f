/**
 * The SDK is a plain GraphQL-over-HTTP client: it must not reach into the gateway, the sandbox, the
 * Domo client or undici, so it can be lifted out and used by any service.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = new URL('../../src/sdk/', import.meta.url).pathname;
const files = readdirSync(root, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));

describe('src/sdk boundaries', () => {
  it.each(files)('%s imports only graphql, the TypedDocumentNode type and itself', (file) => {
    const source = readFileSync(join(root, file), 'utf8');
    const imports = [...source.matchAll(/\bfrom\s+'([^']+)'/g)].map((m) => m[1]!);
    for (const specifier of imports) {
      const allowed =
        specifier === 'graphql' ||
        specifier === '@graphql-typed-document-node/core' ||
        (specifier.startsWith('./') && !specifier.includes('..'));
      expect(allowed, `${file} imports ${specifier}`).toBe(true);
    }
  });
});
