/**
 * Trusted documents: the manifest codegen writes holds every SDK operation under the hash of what
 * the SDK sends; `allow` takes hashes and documents, `only` hashes alone (GraphiQL's documents in
 * development only), a deployment's own manifest adds to the built-in one.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DocumentNode, print } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TrustedDocumentSettings } from '../../src/config-settings.ts';
import { loadTrustedDocuments } from '../../src/ops/trusted.ts';
import { documentHash } from '../../src/ops/trusted-manifest.ts';
import { DEMO_DATASETS } from '../../src/sandbox/seed.ts';
import * as generated from '../../src/sdk/generated/graphql.ts';
import { authHeader, type Stack, startStack } from '../helpers/stack.ts';

const manifest = JSON.parse(
  readFileSync(new URL('../../schema/persisted-documents.json', import.meta.url), 'utf8'),
) as Record<string, string>;
const DATASET = print(generated.DatasetDocument as DocumentNode);
const DATASET_HASH = documentHash(DATASET);
const SALES = DEMO_DATASETS.sales;
const ADHOC = `{ dataset(id: "${SALES}") { name } }`;

const dir = mkdtempSync(join(tmpdir(), 'trusted-'));
const OWN = `query OwnName($id: ID!) { dataset(id: $id) { name } }`;
const ownFile = join(dir, 'own.json');
writeFileSync(ownFile, JSON.stringify({ [documentHash(OWN)]: OWN }));

async function post(stack: Stack, body: Record<string, unknown>, headers: Record<string, string> = {}) {
  const response = await fetch(`${stack.gatewayUrl}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', ...authHeader(), ...headers },
    body: JSON.stringify(body),
  });
  const json = (await response.json()) as {
    data?: { dataset?: { name?: string } | null } | null;
    errors?: Array<{ message: string; extensions?: { code?: string } }>;
  };
  return { status: response.status, ...json };
}

const byHash = (hash: string, variables: Record<string, unknown> = { id: SALES }) => ({
  extensions: { persistedQuery: { version: 1, sha256Hash: hash } },
  variables,
});

function stackWith(trusted: TrustedDocumentSettings) {
  return startStack({ ops: { trustedDocuments: trusted } });
}

describe('the trusted-document manifest', () => {
  it('holds every SDK operation under the SHA-256 of the document the SDK sends', () => {
    const documents = Object.entries(generated)
      .filter(([name]) => name.endsWith('Document'))
      .map(([, document]) => print(document as DocumentNode));
    expect(documents.length).toBeGreaterThan(10);
    for (const document of documents) expect(manifest[documentHash(document)]).toBe(document);
    expect(Object.keys(manifest)).toHaveLength(documents.length);
  });

  it('refuses a manifest whose key is not its document’s hash', () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ [DATASET_HASH]: ADHOC }));
    expect(() => loadTrustedDocuments(bad)).toThrow(/not the lowercase SHA-256 hex of its document/);
  });
});

describe('TRUSTED_DOCUMENTS=allow', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await stackWith({ mode: 'allow', file: ownFile, development: false });
  });
  afterAll(() => stack.close());

  it('runs a known hash, the deployment’s own, and any document', async () => {
    const known = await post(stack, byHash(DATASET_HASH));
    expect(known.errors).toBeUndefined();
    expect(known.data?.dataset?.name).toEqual(expect.any(String));
    const own = await post(stack, byHash(documentHash(OWN)));
    expect(own.data?.dataset?.name).toBe(known.data?.dataset?.name);
    expect((await post(stack, { query: ADHOC })).data?.dataset?.name).toBe(known.data?.dataset?.name);
  });

  it('refuses an unknown hash with PERSISTED_QUERY_NOT_FOUND', async () => {
    const res = await post(stack, byHash('0'.repeat(64)));
    expect(res.status).toBe(404);
    expect(res.errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_NOT_FOUND');
  });
});

describe('TRUSTED_DOCUMENTS=only in production', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await stackWith({ mode: 'only', file: null, development: false });
  });
  afterAll(() => stack.close());

  it('runs known hashes, by APQ extension or documentId, and a document that is in the manifest', async () => {
    expect((await post(stack, byHash(DATASET_HASH))).errors).toBeUndefined();
    const byId = await post(stack, { documentId: `sha256:${DATASET_HASH}`, variables: { id: SALES } });
    expect(byId.errors).toBeUndefined();
    expect((await post(stack, { query: DATASET, variables: { id: SALES } })).errors).toBeUndefined();
  });

  it('refuses any other document with UNTRUSTED_DOCUMENT before any upstream call, GraphiQL’s too', async () => {
    const before = stack.sandbox.requests.length;
    for (const headers of [{}, { 'x-graphiql': '1' }] as Array<Record<string, string>>) {
      const res = await post(stack, { query: ADHOC }, headers);
      expect(res.status).toBe(403);
      expect(res.errors?.[0]?.extensions?.code).toBe('UNTRUSTED_DOCUMENT');
    }
    expect(stack.sandbox.requests.length).toBe(before);
  });

  it('serves no GraphiQL', async () => {
    const page = await fetch(`${stack.gatewayUrl}/graphql`, { headers: { accept: 'text/html' } });
    expect(await page.text()).not.toContain('<html');
    // Nor its assets (src/http/graphiql.ts is not routed).
    const asset = await fetch(`${stack.gatewayUrl}/graphiql/start.AAAAAAAAAAAAAAAA.js`);
    expect(asset.headers.get('cache-control')).not.toBe('no-store');
    expect(asset.status).toBe(404);
  });
});

describe('TRUSTED_DOCUMENTS=only in development', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await stackWith({ mode: 'only', file: null, development: true });
  });
  afterAll(() => stack.close());

  it('lets GraphiQL send any document, and no one else', async () => {
    const page = await fetch(`${stack.gatewayUrl}/graphql`, { headers: { accept: 'text/html' } });
    expect(await page.text()).toContain('x-graphiql');
    expect((await post(stack, { query: ADHOC }, { 'x-graphiql': '1' })).errors).toBeUndefined();
    expect((await post(stack, { query: ADHOC })).errors?.[0]?.extensions?.code).toBe('UNTRUSTED_DOCUMENT');
  });
});

describe('TRUSTED_DOCUMENTS=off', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await stackWith({ mode: 'off', file: null, development: false });
  });
  afterAll(() => stack.close());

  it('runs any document', async () => {
    expect((await post(stack, { query: ADHOC })).errors).toBeUndefined();
  });
});
