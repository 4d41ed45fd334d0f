/**
 * The parsed-document cache both lanes share (yoga's parser-and-validation cache, given this LRU):
 * a document is parsed once per distinct text, and validated once per parsed document (yoga keys
 * validation results by the parsed document, so they leave with it). Bounded twice: by entries
 * (GATEWAY_DOCUMENT_CACHE_SIZE) and by the total length of the cached documents' text
 * (GATEWAY_DOCUMENT_CACHE_BYTES), so a client sending endless distinct documents cannot grow the
 * gateway. A document longer than a quarter of the byte bound is never cached.
 */
export interface DocumentCacheSettings {
  /** Most distinct documents kept (0: no cache). */
  maxEntries: number;
  /** Most document text kept, in characters, summed over entries. */
  maxBytes: number;
}

export const DEFAULT_DOCUMENT_CACHE: DocumentCacheSettings = { maxEntries: 1_000, maxBytes: 4_000_000 };

/** A Map in recency order (its insertion order): get moves an entry to the end, set evicts from the front. */
export class DocumentCache<V> {
  private readonly entries = new Map<string, V>();
  private bytes = 0;

  constructor(private readonly settings: DocumentCacheSettings) {}

  get(key: string): V | undefined {
    const value = this.entries.get(key);
    if (value === undefined) return undefined;
    this.entries.delete(key);
    this.entries.set(key, value);
    return value;
  }

  set(key: string, value: V): void {
    const { maxEntries, maxBytes } = this.settings;
    if (maxEntries === 0 || key.length > maxBytes / 4) return;
    if (this.entries.delete(key)) this.bytes -= key.length;
    this.entries.set(key, value);
    this.bytes += key.length;
    for (const oldest of this.entries.keys()) {
      if (this.entries.size <= maxEntries && this.bytes <= maxBytes) break;
      this.entries.delete(oldest);
      this.bytes -= oldest.length;
    }
  }

  get size(): number {
    return this.entries.size;
  }

  /** The cached documents' text length, summed. */
  get textBytes(): number {
    return this.bytes;
  }
}
