/**
 * One shape per field: the PUT route's JSON and the GraphQL result of an upload agree on every
 * field's JSON type (GraphQL's schema is the reference: ID as a string, Long and Int as numbers),
 * and so do the fields a failure carries (GraphQL extensions, the PUT route's `error`).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_DATASETS } from '../../src/sandbox/seed.ts';
import { type Stack, startStack } from '../helpers/stack.ts';
import { gqlMultipart, putCsv } from '../helpers/uploads.ts';

const STAGING = DEMO_DATASETS.staging;
const HEADER = 'id,payload,amount,loaded_at\n';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack.close());

const jsonType = (value: unknown) =>
  value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;

/** The scalar and enum fields of UploadResult, read from the schema so a new field is compared too. */
async function resultFields(): Promise<string[]> {
  const res = await stack.gql<{ __type: { fields: Array<{ name: string; type: unknown }> } }>(
    '{ __type(name: "UploadResult") { fields { name type { kind ofType { kind } } } } }',
  );
  const fields = res.data!.__type.fields as Array<{
    name: string;
    type: { kind: string; ofType?: { kind: string } };
  }>;
  return fields.filter((f) => (f.type.ofType?.kind ?? f.type.kind) !== 'OBJECT').map((f) => f.name);
}

describe('upload results: one shape per field', () => {
  it('every UploadResult field has the same JSON type on the PUT route', async () => {
    const fields = await resultFields();
    expect(fields).toEqual(
      expect.arrayContaining(['uploadId', 'dataVersion', 'rows', 'bytes', 'commitState']),
    );
    const csv = `${HEADER}1,a,1.5,2025-01-01 10:00:00\n2,b,2.5,\n`;
    const gql = await gqlMultipart<{ uploadDatasetCsv: Record<string, unknown> }>(
      stack,
      `mutation($id: ID!, $file: Upload!) { uploadDatasetCsv(datasetId: $id, file: $file) { ${fields.join(' ')} } }`,
      { id: STAGING },
      csv,
    );
    expect(gql.errors).toBeUndefined();
    const put = await putCsv(stack, STAGING, csv);
    expect(put.status).toBe(200);
    const graph = gql.data!.uploadDatasetCsv;
    for (const field of fields) {
      expect(field in put.body, `PUT answers ${field}`).toBe(true);
      expect([field, jsonType(put.body[field])]).toEqual([field, jsonType(graph[field])]);
    }
    expect(jsonType(graph.uploadId)).toBe('string');
    expect(jsonType(graph.dataVersion)).toBe('string');
    expect(put.body).toMatchObject({
      mode: graph.mode,
      rows: graph.rows,
      bytes: graph.bytes,
      parts: graph.parts,
    });
  });

  it.each([
    ['a bad value', () => undefined, `${HEADER}1,a,oops,\n`],
    [
      'a part that keeps failing',
      () =>
        stack.sandbox.inject({ method: 'PUT', path: /\/uploads\/\d+\/parts\/1$/, status: 503, times: 1000 }),
      `${HEADER}1,a,1,\n`,
    ],
  ])('failures: %s carries the same fields with the same types', async (_, arrange, csv) => {
    arrange();
    const gql = await gqlMultipart(
      stack,
      'mutation($id: ID!, $file: Upload!) { uploadDatasetCsv(datasetId: $id, file: $file) { uploadId } }',
      { id: STAGING },
      csv,
    );
    const put = await putCsv(stack, STAGING, csv);
    const extensions = gql.errors?.[0]?.extensions ?? {};
    const error = put.body.error ?? {};
    const shared = ['line', 'column', 'part', 'uploadId', 'commitState', 'upstreamStatus'].filter(
      (k) => k in extensions || k in error,
    );
    expect(shared).toContain('commitState');
    for (const key of shared) {
      expect([key, jsonType(error[key])]).toEqual([key, jsonType(extensions[key])]);
    }
  });
});

describe('argument rules, the same on both routes (src/upload/args.ts)', () => {
  const UPLOAD_ARGS =
    'mutation($id: ID!, $file: Upload!, $dataTag: String, $partSizeKB: Int, $keyColumns: [String!], $message: String) { uploadDatasetCsv(datasetId: $id, file: $file, dataTag: $dataTag, partSizeKB: $partSizeKB, keyColumns: $keyColumns, message: $message) { uploadId } }';
  it.each([
    ['dataTag', { dataTag: 'a\tb' }, { dataTag: 'a\tb' }],
    ['dataTag', { dataTag: ' ' }, { dataTag: ' ' }],
    ['dataTag', { dataTag: 'x'.repeat(257) }, { dataTag: 'x'.repeat(257) }],
    ['partSizeKB', { partSizeKB: 262_145 }, { partSizeKB: '262145' }],
    ['keyColumns', { keyColumns: ['id'] }, { keyColumns: 'id' }],
    ['message', { message: 'x'.repeat(2001) }, { message: 'x'.repeat(2001) }],
  ])('%s: refused by both before any upstream call', async (field, variables, query) => {
    const before = stack.sandbox.requests.length;
    const gql = await gqlMultipart(stack, UPLOAD_ARGS, { id: STAGING, ...variables }, `${HEADER}1,a,1,\n`);
    expect(gql.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    const put = await putCsv(stack, STAGING, `${HEADER}1,a,1,\n`, query);
    expect(put.status).toBe(400);
    expect(put.body.error).toMatchObject({ code: 'BAD_USER_INPUT', field });
    expect(stack.sandbox.requests.length).toBe(before);
  });
});
