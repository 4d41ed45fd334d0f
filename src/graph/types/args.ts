/**
 * Argument checks shared by several fields, declared once: dataset id arguments, id lists, tags and
 * bounded texts. Each runs before any upstream call and fails with a BAD_USER_INPUT naming the
 * argument (and its position).
 */
import { MAX_IDS_PER_REQUEST } from '../builder.ts';
import type { GraphContext } from '../context.ts';
import { badUserInput } from '../errors.ts';
import { datasetEntry } from './dataset.ts';

/** Options of a required dataset id argument (`t.arg.id(DATASET_ID_ARG)`). */
export const DATASET_ID_ARG = {
  required: true,
  description: 'Domo dataset id (a UUID), or the global id `Dataset.id` returns.',
} as const;

/** Checks every dataset id (the error names its position) and bounds the list, before any upstream call. */
export function datasetIdList(ctx: GraphContext, ids: readonly (string | number)[], field = 'ids'): string[] {
  if (ids.length > MAX_IDS_PER_REQUEST) {
    throw badUserInput(`${field} must hold at most ${MAX_IDS_PER_REQUEST} ids, got ${ids.length}`, field);
  }
  return ids.map((id, i) => datasetEntry(ctx, id, `${field}[${i}]`));
}

/** Non-empty ids with no repeats (data version ids, which Domo leaves opaque). */
export function opaqueIdList(ids: readonly (string | number)[], field: string): string[] {
  const list = ids.map((raw, i) => {
    const id = String(raw).trim();
    if (id === '') throw badUserInput(`${field}[${i}] must not be empty`, `${field}[${i}]`);
    return id;
  });
  if (new Set(list).size !== list.length) throw badUserInput(`${field} must not repeat an id`, field);
  return list;
}

/** A non-blank text of at most `max` characters, or a BAD_USER_INPUT naming the field. */
export function text(value: string, field: string, max = 1024): string {
  if (value.trim() === '') throw badUserInput(`${field} must not be empty`, field);
  if (value.length > max) throw badUserInput(`${field} must be at most ${max} characters`, field);
  return value;
}

/** Tags: trimmed, non-empty, no repeats; `allowEmpty` for a list that may be emptied. */
export function checkTags(tags: readonly string[], field: string, allowEmpty: boolean): string[] {
  if (!allowEmpty && tags.length === 0) throw badUserInput(`${field} must not be empty`, field);
  const seen = new Set<string>();
  return tags.map((raw, i) => {
    const tag = raw.trim();
    if (tag === '') throw badUserInput(`${field}[${i}] must not be empty`, `${field}[${i}]`);
    if (seen.has(tag)) throw badUserInput(`${field}[${i}] repeats tag ${tag}`, `${field}[${i}]`);
    seen.add(tag);
    return tag;
  });
}
