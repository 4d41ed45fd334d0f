/** The argument rules GraphQL, the PUT route and the CLI share (src/upload/args.ts, src/domo/ids.ts). */
import { describe, expect, it } from 'vitest';
import { isDatasetId } from '../../src/domo/ids.ts';
import {
  commitMessage,
  dataTag,
  keyColumns,
  MAX_PART_KB,
  partSizeBytes,
  UploadArgumentError,
  uploadMode,
} from '../../src/upload/args.ts';

function refused(check: () => unknown, field: string) {
  let error: unknown;
  try {
    check();
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(UploadArgumentError);
  expect((error as UploadArgumentError).field).toBe(field);
}

describe('dataset ids', () => {
  it('are UUIDs, in any case', () => {
    expect(isDatasetId('6f1c8a52-3b9e-4d7a-9c1e-2a5b7d9e0f13')).toBe(true);
    expect(isDatasetId('6F1C8A52-3B9E-4D7A-9C1E-2A5B7D9E0F13')).toBe(true);
  });
  it.each([
    '',
    'nope',
    '6f1c8a52-3b9e-4d7a-9c1e-2a5b7d9e0f1',
    '6f1c8a52-3b9e-4d7a-9c1e-2a5b7d9e0f133',
    '6f1c8a52 3b9e-4d7a-9c1e-2a5b7d9e0f13',
    '6f1c8a52-3b9e-4d7a-9c1e-2a5b7d9e0f1g',
    '../6f1c8a52-3b9e-4d7a-9c1e-2a5b7d9e0f13',
    '6f1c8a52-3b9e-4d7a-9c1e-2a5b7d9e0f13\n',
    '6f1c8a52-3b9e-4d7a-9c1e-2a5b7d9e0f13/uploads',
  ])('refuses %j', (id) => {
    expect(isDatasetId(id)).toBe(false);
  });
});

describe('partition tags (dataTag, restateDataTag)', () => {
  it.each(['2025-Q1', 'région nord', 'a.b_c-d', 'x'.repeat(256), '  padded  '])('accepts %j', (tag) => {
    expect(dataTag(tag)).toBe(tag);
  });
  it('absent is absent', () => {
    expect(dataTag(undefined)).toBeUndefined();
    expect(dataTag(null)).toBeUndefined();
  });
  it.each(['', '   ', 'a/b', '/', 'a\\b', 'a\rb', 'a\nb', 'a\tb', 'a\u0000b', 'a\u007fb', 'x'.repeat(257)])(
    'refuses %j, naming the argument',
    (tag) => {
      refused(() => dataTag(tag), 'dataTag');
      refused(() => dataTag(tag, 'restateDataTag'), 'restateDataTag');
    },
  );
});

describe('part sizes (KiB)', () => {
  it('accepts 1 to the cap, as a number or digits', () => {
    expect(partSizeBytes(1)).toBe(1024);
    expect(partSizeBytes(MAX_PART_KB)).toBe(MAX_PART_KB * 1024);
    expect(partSizeBytes('64')).toBe(64 * 1024);
    expect(partSizeBytes(String(MAX_PART_KB))).toBe(MAX_PART_KB * 1024);
    expect(partSizeBytes(undefined)).toBeUndefined();
    expect(partSizeBytes(null)).toBeUndefined();
  });
  it.each([0, -1, 1.5, MAX_PART_KB + 1, Number.NaN, Number.POSITIVE_INFINITY])('refuses %d', (kb) => {
    refused(() => partSizeBytes(kb), 'partSizeKB');
  });
  it.each(['', '0', '-1', '1.5', '1e3', ' 1', '0x10', String(MAX_PART_KB + 1), '99999999', 'abc'])(
    'refuses %j',
    (kb) => refused(() => partSizeBytes(kb), 'partSizeKB'),
  );
});

describe('modes, key columns and messages', () => {
  it('modes in any case', () => {
    expect(uploadMode('append')).toBe('APPEND');
    expect(uploadMode('Delete')).toBe('DELETE');
    for (const bad of ['', 'merge', 'append ', 'APPENDS']) refused(() => uploadMode(bad), 'mode');
  });
  it('key columns: distinct names, DELETE only', () => {
    expect(keyColumns(['id', 'region'], 'DELETE')).toEqual(['id', 'region']);
    expect(keyColumns(undefined, 'APPEND')).toBeUndefined();
    refused(() => keyColumns([], 'DELETE'), 'keyColumns');
    refused(() => keyColumns(['id', 'id'], 'DELETE'), 'keyColumns');
    refused(() => keyColumns([''], 'DELETE'), 'keyColumns');
    refused(() => keyColumns(['id'], 'APPEND'), 'keyColumns');
  });
  it('commit messages up to 2000 characters', () => {
    expect(commitMessage('x'.repeat(2000))).toHaveLength(2000);
    refused(() => commitMessage('x'.repeat(2001)), 'message');
  });
});
