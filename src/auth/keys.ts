/**
 * Gateway API keys, stored as SHA-256 hashes so the configuration never holds a usable key.
 *
 * `GATEWAY_API_KEYS` (or the file `GATEWAY_API_KEYS_FILE`) lists entries separated by whitespace,
 * `;` or new lines (a `#` starts a comment to the end of its line):
 *
 *     sha256:<64 hex digits>:<scopes>[:<allow-list>]
 *
 * scopes: comma-separated from read, write, upload, share; allow-list (optional): comma-separated
 * dataset ids or `tag:<name>`. Hash a key with `npx tsx src/auth/hash-key.ts` (src/auth/hash-key.ts)
 * or `printf %s "$KEY" | sha256sum`. Removing an entry revokes its key.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { type DatasetAllowList, parseAllowList, parseScopes, type Scope } from './scopes.ts';

export interface ApiKeyEntry {
  /** The hash's first 12 hex digits: names the key in logs without revealing it. */
  id: string;
  /** SHA-256 of the key, lowercase hex. */
  sha256: string;
  scopes: Scope[];
  datasets: DatasetAllowList | null;
}

const ENTRY = /^sha256:([0-9a-fA-F]{64}):([^:]*)(?::(.*))?$/;

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** Parses the entries; a malformed one throws an Error naming its position (never its hash). */
export function parseApiKeyEntries(text: string): ApiKeyEntry[] {
  const entries: ApiKeyEntry[] = [];
  const raw = text
    .split('\n')
    .map((line) => line.replace(/#.*$/, ''))
    .join('\n')
    .split(/[\s;]+/)
    .filter(Boolean);
  raw.forEach((item, i) => {
    const match = ENTRY.exec(item);
    if (!match) {
      throw new Error(
        `entry ${i + 1} is not sha256:<64 hex digits>:<scopes>[:<allow-list>] (hash a key with: npx tsx src/auth/hash-key.ts)`,
      );
    }
    const sha256 = match[1]!.toLowerCase();
    let scopes: Scope[];
    let datasets: DatasetAllowList | null;
    try {
      scopes = parseScopes(match[2]!.split(',').filter(Boolean));
      if (scopes.length === 0) throw new Error('no scopes (give at least one of read, write, upload, share)');
      datasets = match[3] === undefined ? null : parseAllowList(match[3].split(',').filter(Boolean));
    } catch (error) {
      throw new Error(`entry ${i + 1}: ${(error as Error).message}`);
    }
    if (entries.some((e) => e.sha256 === sha256)) throw new Error(`entry ${i + 1} repeats an earlier key`);
    entries.push({ id: sha256.slice(0, 12), sha256, scopes, datasets });
  });
  return entries;
}

/** Finds the entry of a presented key, comparing against every stored hash in constant time. */
export class ApiKeyStore {
  private readonly hashes: Array<{ entry: ApiKeyEntry; digest: Buffer }>;

  constructor(entries: readonly ApiKeyEntry[]) {
    this.hashes = entries.map((entry) => ({ entry, digest: Buffer.from(entry.sha256, 'hex') }));
  }

  get size(): number {
    return this.hashes.length;
  }

  find(key: string): ApiKeyEntry | undefined {
    // Hashing first makes every comparison 32 bytes whatever the key's length, and the loop never
    // stops early, so the time spent says nothing about which hash (or how much of it) matched.
    const digest = createHash('sha256').update(key, 'utf8').digest();
    let found: ApiKeyEntry | undefined;
    for (const { entry, digest: stored } of this.hashes) {
      if (timingSafeEqual(digest, stored) && !found) found = entry;
    }
    return found;
  }
}
