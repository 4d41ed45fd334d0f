/**
 * The trusted-document manifest: `{ "<sha256 hex>": "<document>" }`, one entry per operation with
 * the fragments it spreads, printed as graphql-js prints it (what the SDK sends, src/sdk/client.ts).
 * Written by `npm run codegen` from sdk/operations (codegen.ts) to schema/persisted-documents.json,
 * drift-checked by `npm run codegen:check`; read by the gateway (trusted.ts). Pure: graphql only.
 */
import { createHash } from 'node:crypto';
import { type DefinitionNode, type DocumentNode, Kind, print, visit } from 'graphql';

/** The key of a document in the manifest, as APQ's `extensions.persistedQuery.sha256Hash` carries it. */
export function documentHash(document: string): string {
  return createHash('sha256').update(document).digest('hex');
}

/** One document per operation (its fragments after it, in the order first spread), as printed text. */
export function operationDocuments(documents: readonly DocumentNode[]): string[] {
  const fragments = new Map<string, DefinitionNode>();
  for (const document of documents) {
    for (const definition of document.definitions) {
      if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
    }
  }
  const out: string[] = [];
  for (const document of documents) {
    for (const definition of document.definitions) {
      if (definition.kind !== Kind.OPERATION_DEFINITION) continue;
      const used: DefinitionNode[] = [];
      const seen = new Set<string>();
      const collect = (node: DefinitionNode) => {
        visit(node, {
          FragmentSpread(spread) {
            const name = spread.name.value;
            if (seen.has(name)) return;
            seen.add(name);
            const fragment = fragments.get(name);
            if (!fragment) throw new Error(`fragment ${name} is spread but not defined in sdk/operations`);
            used.push(fragment);
            collect(fragment);
          },
        });
      };
      collect(definition);
      out.push(print({ kind: Kind.DOCUMENT, definitions: [definition, ...used] }));
    }
  }
  return out;
}

/** The manifest's JSON text, keys sorted, so a regenerated file differs only when an operation did. */
export function manifestJson(documents: readonly string[]): string {
  const entries = documents.map((text) => [documentHash(text), text] as const);
  entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `${JSON.stringify(Object.fromEntries(entries), null, 2)}\n`;
}

/** A codegen plugin (codegen.ts loads it by name, `persisted-documents`): the manifest of the documents. */
export const persistedDocumentsPlugin = {
  plugin(_schema: unknown, files: ReadonlyArray<{ document?: DocumentNode }>): string {
    const documents = files.flatMap((file) => (file.document ? [file.document] : []));
    return manifestJson(operationDocuments(documents));
  },
};
