/**
 * What an authenticated caller may do: scopes, the dataset allow-list, and the one place that says
 * which scope each mutation needs. Pure functions: no HTTP, no GraphQL, no upstream calls.
 */

/** `read` every query; `write` changes to metadata, schema, tags, indexes, versions and streams;
 * `upload` changes to rows (CSV uploads, appendRows, deleteRows); `share` changes to who has access. */
export const SCOPES = ['read', 'write', 'upload', 'share'] as const;
export type Scope = (typeof SCOPES)[number];

/** Datasets a caller may touch: these ids, or any dataset carrying one of these tags. */
export interface DatasetAllowList {
  /** Lowercase dataset ids (UUIDs). */
  ids: string[];
  /** Tags, compared exactly (case-sensitive, as Domo stores them). */
  tags: string[];
}

/** Who is calling, as the gateway authenticated them (src/auth/authenticate.ts). */
export interface Principal {
  kind: 'anonymous' | 'api-key' | 'jwt';
  /** For logs: an API key's hash prefix or a token's `sub`; never a secret. */
  id: string;
  scopes: readonly Scope[];
  /** null: every dataset the Domo credentials can reach. */
  datasets: DatasetAllowList | null;
}

/** The caller when gateway authentication is off: today's behaviour, everything the Domo token allows. */
export const ANONYMOUS: Principal = Object.freeze({
  kind: 'anonymous',
  id: 'anonymous',
  scopes: SCOPES,
  datasets: null,
});

/**
 * Every mutation's scope, by root field. `creates`: it makes a new dataset, which no dataset
 * allow-list can name, so a caller with an allow-list may not run it. A mutation missing here is
 * refused (test/unit/auth-scopes.test.ts fails first, when the schema gains one).
 */
export const MUTATION_SCOPES: Readonly<Record<string, { scope: Scope; creates?: true }>> = {
  addDatasetTags: { scope: 'write' },
  alterDatasetSchema: { scope: 'write' },
  appendRows: { scope: 'upload' },
  createDataset: { scope: 'write', creates: true },
  createStream: { scope: 'write', creates: true },
  deleteDataVersion: { scope: 'write' },
  deletePartitionTag: { scope: 'write' },
  deleteRows: { scope: 'upload' },
  executeStream: { scope: 'write' },
  indexDataVersions: { scope: 'write' },
  indexDataset: { scope: 'write' },
  removeDatasetTags: { scope: 'write' },
  removeDatasetUser: { scope: 'share' },
  removeDatasetUsers: { scope: 'share' },
  revokeDatasetAccess: { scope: 'share' },
  setDatasetTags: { scope: 'write' },
  shareDataset: { scope: 'share' },
  updateDatasetProperties: { scope: 'write' },
  updateStream: { scope: 'write' },
  uploadDatasetCsv: { scope: 'upload' },
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const isDatasetId = (value: string): boolean => UUID.test(value);

/** Scope names from a list; an unknown one is an error (a typo must not silently grant less or more). */
export function parseScopes(names: readonly string[]): Scope[] {
  const scopes = new Set<Scope>();
  for (const name of names) {
    if (!(SCOPES as readonly string[]).includes(name)) {
      throw new Error(`unknown scope "${name.slice(0, 40)}" (known: ${SCOPES.join(', ')})`);
    }
    scopes.add(name as Scope);
  }
  return [...scopes];
}

/** An allow-list from entries that are dataset ids (UUIDs) or `tag:<name>`. */
export function parseAllowList(entries: readonly string[]): DatasetAllowList {
  const ids = new Set<string>();
  const tags = new Set<string>();
  for (const entry of entries) {
    if (entry.startsWith('tag:') && entry.length > 4) tags.add(entry.slice(4));
    else if (UUID.test(entry)) ids.add(entry.toLowerCase());
    else
      throw new Error(
        `dataset allow-list entries are dataset ids (UUIDs) or tag:<name>, got "${entry.slice(0, 64)}"`,
      );
  }
  return { ids: [...ids], tags: [...tags] };
}

export const hasScope = (principal: Principal, scope: Scope): boolean => principal.scopes.includes(scope);

/**
 * What the allow-list says from the id alone: `tags` when only the dataset's tags can decide
 * (its metadata must be read first; reading it is allowed).
 */
export function datasetDecision(principal: Principal | undefined, id: string): 'allowed' | 'denied' | 'tags' {
  const list = principal?.datasets;
  if (!list) return 'allowed';
  if (list.ids.includes(id.toLowerCase())) return 'allowed';
  return list.tags.length > 0 ? 'tags' : 'denied';
}

/** Domo sends a dataset's tags as a JSON-encoded array in a string; tolerate an array too. */
export function datasetTags(raw: unknown): string[] {
  if (Array.isArray(raw)) return raw.map(String);
  if (typeof raw !== 'string' || raw === '') return [];
  try {
    const value: unknown = JSON.parse(raw);
    return Array.isArray(value) ? value.map(String) : [];
  } catch {
    return [];
  }
}

/** The allow-list's verdict on a dataset whose metadata is at hand. */
export function datasetAllowed(
  principal: Principal | undefined,
  dataset: { id: string; tags?: unknown },
): boolean {
  const decision = datasetDecision(principal, dataset.id);
  if (decision !== 'tags') return decision === 'allowed';
  const allowed = principal?.datasets?.tags ?? [];
  return datasetTags(dataset.tags).some((tag) => allowed.includes(tag));
}
