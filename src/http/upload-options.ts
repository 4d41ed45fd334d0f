/**
 * The PUT route's query string as upload options, under the argument rules GraphQL applies too
 * (src/upload/args.ts): `?mode&dataTag&restateDataTag&header&index&message&partSizeKB&keyColumns`.
 */
import {
  commitMessage,
  dataTag,
  keyColumns,
  partSizeBytes,
  UploadArgumentError,
  type UploadMode,
  uploadMode,
} from '../upload/index.ts';

export interface PutUploadOptions {
  mode: UploadMode;
  hasHeader: boolean;
  index: boolean;
  partSizeBytes?: number;
  keyColumns?: string[];
  dataTag?: string;
  restateDataTag?: string;
  message?: string;
}

function bool(value: string | null, name: string, fallback: boolean): boolean {
  if (value === null || value === '') return fallback;
  if (value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  throw new UploadArgumentError(name, `${name} must be true or false`);
}

/** Throws an UploadArgumentError naming the parameter that breaks a rule. */
export function putUploadOptions(q: URLSearchParams): PutUploadOptions {
  const mode = uploadMode(q.get('mode') ?? 'append');
  return {
    mode,
    hasHeader: bool(q.get('header'), 'header', true),
    index: bool(q.get('index'), 'index', true),
    partSizeBytes: partSizeBytes(q.get('partSizeKB')),
    keyColumns: keyColumns(q.get('keyColumns')?.split(',').filter(Boolean), mode),
    dataTag: dataTag(q.get('dataTag')),
    restateDataTag: dataTag(q.get('restateDataTag'), 'restateDataTag'),
    message: commitMessage(q.get('message')),
  };
}
