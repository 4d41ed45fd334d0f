/**
 * Trusted documents (TRUSTED_DOCUMENTS): the operations the project ships (sdk/operations, as
 * schema/persisted-documents.json) and a deployment's own manifest (TRUSTED_DOCUMENTS_FILE), sent
 * by hash: APQ's `extensions.persistedQuery.sha256Hash` or the GraphQL-over-HTTP draft's
 * `documentId` (`sha256:<hex>` or the bare hex). `allow` takes a hash or any document; `only`
 * takes known hashes only, and refuses a document with UNTRUSTED_DOCUMENT, except from GraphiQL in
 * development. `trustedRequest` is transport-neutral (the lean lane calls it on its parsed body);
 * `useTrustedDocuments` is its yoga adapter, on yoga's onParams: the document must be chosen before
 * parsing, and envelop has no hook before onParse that sees the request's parameters.
 */
import { readFileSync } from 'node:fs';
import { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { TrustedDocumentSettings } from '../config-settings.ts';
import { failure } from '../errors/codes.ts';
import { documentHash } from './trusted-manifest.ts';

/** The header GraphiQL sends (server.ts adds it): in development, its documents pass under `only`. */
export const GRAPHIQL_HEADER = 'x-graphiql';

const BUILT_IN = new URL('../../schema/persisted-documents.json', import.meta.url);
const HASH = /^[0-9a-f]{64}$/;

/** Every trusted document by hash: the built-in manifest and the deployment's file. Throws when one is bad. */
export function loadTrustedDocuments(file: string | null): Map<string, string> {
  const documents = new Map<string, string>();
  for (const [path, label] of [
    [BUILT_IN, 'schema/persisted-documents.json'],
    ...(file ? [[file, `TRUSTED_DOCUMENTS_FILE (${file})`] as const] : []),
  ] as const) {
    let manifest: unknown;
    try {
      manifest = JSON.parse(readFileSync(path, 'utf8'));
    } catch (error) {
      throw new Error(
        `${label} must be a readable JSON manifest {"<sha256>": "<document>"}: ${(error as Error).message}`,
      );
    }
    if (manifest === null || typeof manifest !== 'object' || Array.isArray(manifest)) {
      throw new Error(`${label} must be a JSON object {"<sha256>": "<document>"}`);
    }
    for (const [hash, document] of Object.entries(manifest)) {
      // The key must be the document's own hash: a manifest cannot smuggle in a document under another's key.
      if (typeof document !== 'string' || !HASH.test(hash) || documentHash(document) !== hash) {
        throw new Error(`${label}: "${hash.slice(0, 70)}" is not the lowercase SHA-256 hex of its document`);
      }
      documents.set(hash, document);
    }
  }
  return documents;
}

export interface TrustedParams {
  query?: unknown;
  documentId?: unknown;
  extensions?: unknown;
}

/** The document to run (a known hash's, or the one sent when allowed), or the refusal. */
export type TrustedOutcome = { query: string } | { error: GraphQLError };

export function trustedRequest(
  params: TrustedParams,
  settings: Pick<TrustedDocumentSettings, 'mode' | 'development'>,
  documents: ReadonlyMap<string, string>,
  fromGraphiQL: boolean,
): TrustedOutcome | undefined {
  if (settings.mode === 'off') return undefined;
  const hash = requestedHash(params);
  const query = typeof params.query === 'string' && params.query.trim() !== '' ? params.query : undefined;
  if (hash !== undefined) {
    const known = documents.get(hash);
    if (known !== undefined) return { query: known };
    // APQ clients send the document with its hash: under `allow` that document is run as sent.
    if (query !== undefined && settings.mode === 'allow') return { query };
    return { error: refusal('persisted_not_found', `No trusted document has the hash ${hash.slice(0, 64)}`) };
  }
  if (query === undefined) return undefined; // yoga's own "Must provide query string."
  if (settings.mode === 'allow') return { query };
  if (documents.has(documentHash(query))) return { query };
  if (settings.development && fromGraphiQL) return { query };
  return {
    error: refusal(
      'untrusted_document',
      'This gateway runs trusted documents only (TRUSTED_DOCUMENTS=only): send the hash of a document in its manifest (extensions.persistedQuery.sha256Hash or documentId), not a document',
    ),
  };
}

function requestedHash(params: TrustedParams): string | undefined {
  if (typeof params.documentId === 'string') return params.documentId.replace(/^sha256:/, '').toLowerCase();
  const extensions = params.extensions as { persistedQuery?: { sha256Hash?: unknown } } | undefined;
  const hash = extensions?.persistedQuery?.sha256Hash;
  return typeof hash === 'string' ? hash.toLowerCase() : undefined;
}

function refusal(kind: 'persisted_not_found' | 'untrusted_document', message: string): GraphQLError {
  const { code, httpStatus } = failure(kind);
  return new GraphQLError(message, { extensions: { code, http: { status: httpStatus } } });
}

/** The yoga adapter: the request's parameters are replaced by the trusted document, or refused. */
export function useTrustedDocuments(settings: TrustedDocumentSettings): Plugin {
  const documents = loadTrustedDocuments(settings.file);
  return {
    onParams({ params, request, setParams }) {
      const outcome = trustedRequest(
        params as TrustedParams,
        settings,
        documents,
        request.headers.get(GRAPHIQL_HEADER) === '1',
      );
      if (!outcome) return;
      if ('error' in outcome) throw outcome.error;
      // Without documentId, which yoga's own check of the parameters refuses as unknown.
      const { documentId: _sent, ...rest } = params as TrustedParams & typeof params;
      setParams({ ...rest, query: outcome.query });
    },
  };
}
