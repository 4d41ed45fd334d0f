/**
 * schema/subgraph.graphql is the committed SDL of the federation subgraph (FEDERATION=true), as
 * `_service { sdl }` answers it; this fails when the code drifts from it. Regenerate with
 * `npx vitest run test/unit/subgraph-schema.test.ts -u` and commit the file.
 */
import { printSubgraphSchema } from '@apollo/subgraph';
import { printSchemaWithDirectives } from '@graphql-tools/utils';
import { describe, expect, it } from 'vitest';
import { subgraphSchema } from '../../src/graph/federation.ts';
import { schema } from '../../src/graph/schema.ts';

describe('federation subgraph SDL', () => {
  it('matches schema/subgraph.graphql', async () => {
    const sdl = printSubgraphSchema(subgraphSchema());
    expect(sdl).toMatch(/type Dataset implements Node\s+@key\(fields: "domoId"\)/);
    await expect(`${sdl}\n`).toMatchFileSnapshot('../../schema/subgraph.graphql');
  });

  it('leaves the schema served without FEDERATION as it was', () => {
    // graphql-tools' printer (the one codegen's schema-ast uses): it prints directives in extensions too.
    const plain = printSchemaWithDirectives(schema);
    subgraphSchema();
    expect(printSchemaWithDirectives(schema)).toBe(plain);
    expect(plain).not.toContain('_entities');
    expect(plain).not.toContain('_service');
    expect(plain).not.toContain('@key');
  });
});
