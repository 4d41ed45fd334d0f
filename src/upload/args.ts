/**
 * Argument rules every way into an upload shares (GraphQL, the PUT route, the CLI), declared once:
 * modes, partition tags, part sizes, key columns and the commit message. A broken rule throws an
 * UploadArgumentError naming the argument, before any upstream call.
 */

export const UPLOAD_MODES = ['APPEND', 'REPLACE', 'UPSERT', 'DELETE'] as const;
export type UploadMode = (typeof UPLOAD_MODES)[number];

export const DEFAULT_PART_SIZE = 8 * 1024 * 1024;
/** Largest part, in KiB (256 MiB): a part is held in memory while it is sent. */
export const MAX_PART_KB = 256 * 1024;
export const DEFAULT_CONCURRENCY = 4;
export const MAX_TAG_LENGTH = 256;
export const MAX_MESSAGE_LENGTH = 2000;

export class UploadArgumentError extends Error {
  override name = 'UploadArgumentError';
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

/** A mode by name, in any case (`append` on the PUT route and the CLI, `APPEND` in GraphQL). */
export function uploadMode(value: string, field = 'mode'): UploadMode {
  const mode = value.toUpperCase();
  if (!(UPLOAD_MODES as readonly string[]).includes(mode)) {
    throw new UploadArgumentError(field, `${field} must be one of ${UPLOAD_MODES.join(', ').toLowerCase()}`);
  }
  return mode as UploadMode;
}

/**
 * A partition tag (`dataTag`, or its older name `restateDataTag`). The API doc types it as a string;
 * it is also the `{dataset_partition_id}` path segment of the partition endpoints, so it must be
 * usable as one: not blank, no slash, backslash or control character, and of a sane length.
 */
export function dataTag(value: string | null | undefined, field = 'dataTag'): string | undefined {
  if (value === null || value === undefined) return undefined;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it refuses
  if (value.trim() === '' || value.length > MAX_TAG_LENGTH || /[/\\\u0000-\u001f\u007f]/.test(value)) {
    throw new UploadArgumentError(
      field,
      `${field} must be 1 to ${MAX_TAG_LENGTH} characters, not blank, without slashes, backslashes or control characters`,
    );
  }
  return value;
}

/** Part size in KiB (a GraphQL Int, or the digits of a query parameter) as bytes. */
export function partSizeBytes(
  value: number | string | null | undefined,
  field = 'partSizeKB',
): number | undefined {
  if (value === null || value === undefined) return undefined;
  const kb = typeof value === 'number' ? value : /^\d{1,7}$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isInteger(kb) || kb < 1 || kb > MAX_PART_KB) {
    throw new UploadArgumentError(field, `${field} must be from 1 to ${MAX_PART_KB}`);
  }
  return kb * 1024;
}

/** DELETE's key columns: distinct names, for DELETE only. */
export function keyColumns(
  value: readonly string[] | null | undefined,
  mode: UploadMode,
  field = 'keyColumns',
): string[] | undefined {
  if (value === null || value === undefined) return undefined;
  if (value.length === 0 || value.some((c) => c === '') || new Set(value).size !== value.length) {
    throw new UploadArgumentError(field, `${field} must name distinct columns`);
  }
  if (mode !== 'DELETE') throw new UploadArgumentError(field, `${field} applies to DELETE only`);
  return [...value];
}

export function commitMessage(value: string | null | undefined, field = 'message'): string | undefined {
  if (value === null || value === undefined) return undefined;
  if (value.length > MAX_MESSAGE_LENGTH) {
    throw new UploadArgumentError(field, `${field} must be at most ${MAX_MESSAGE_LENGTH} characters`);
  }
  return value;
}
