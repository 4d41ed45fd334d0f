/**
 * What an upload answers: UploadResult (the same fields, with the same JSON types, as the PUT route's
 * JSON: test/integration/upload-shapes.test.ts), its mode and its commit state.
 */
import type { COMMIT_STATES, UploadCsvResult, UploadMode } from '../../upload/index.ts';
import { builder } from '../builder.ts';
import { DatasetRef } from './dataset.ts';

export const UploadModeEnum = builder.enumType('UploadMode', {
  description: "How an upload changes a dataset (the upload start's `appendId`).",
  values: {
    APPEND: { value: 'APPEND', description: 'Adds the rows.' },
    REPLACE: { value: 'REPLACE', description: 'Replaces all rows, or only the partition named by dataTag.' },
    UPSERT: { value: 'UPSERT', description: "Replaces rows with the same key (the dataset's key columns)." },
    DELETE: {
      value: 'DELETE',
      description: 'Removes the rows whose keys the file lists; unknown keys are ignored.',
    },
  } satisfies Record<UploadMode, unknown>,
});

export const CommitStateEnum = builder.enumType('CommitState', {
  description:
    "Whether an upload committed. When the commit gets no answer (a reset connection, a timeout), the dataset's data versions decide; never a guess.",
  values: {
    COMMITTED: {
      description: 'The commit happened (its answer, or a new data version of this upload, says so).',
    },
    NOT_COMMITTED: {
      description:
        'Nothing was committed: a failure before the commit, a commit Domo refused, or no new data version after the checks.',
    },
    UNKNOWN: {
      description:
        "The commit got no answer and the data versions could not tell (unreadable, or new versions not clearly this upload's): read them before uploading again.",
    },
  } satisfies Record<(typeof COMMIT_STATES)[number], unknown>,
});

export interface UploadPayload extends UploadCsvResult {
  datasetId: string;
  mode: UploadMode;
}

export const UploadResultRef = builder.objectRef<UploadPayload>('UploadResult').implement({
  description: 'A committed upload.',
  fields: (t) => ({
    uploadId: t.exposeID('uploadId', { description: "Domo's upload id." }),
    mode: t.expose('mode', { type: UploadModeEnum, description: 'The mode it ran in.' }),
    dataVersion: t.exposeID('dataVersion', {
      nullable: true,
      description:
        "The data version the commit created, when the commit's answer named it (or, when that answer was lost, the data versions did).",
    }),
    commitState: t.expose('commitState', {
      type: CommitStateEnum,
      description: 'COMMITTED (a failed upload is an error whose extensions carry its commitState).',
    }),
    commitAnswerLost: t.exposeBoolean('commitAnswerLost', {
      description:
        "The commit's answer never came (reset, timeout) and the data versions showed the commit; `commit` is null then.",
    }),
    parts: t.exposeInt('parts', { description: 'Parts sent (numbered 1..parts).' }),
    rows: t.expose('rows', { type: 'Long', description: 'Data rows in the file (no header).' }),
    bytes: t.expose('bytes', { type: 'Long', description: 'Bytes of the file.' }),
    durationMs: t.exposeInt('durationMs', {
      description: 'Milliseconds from the first byte to the commit answer.',
    }),
    commit: t.expose('commit', {
      type: 'JSON',
      nullable: true,
      description: "The commit's answer as Domo sent it (null when it was lost; Domo documents none).",
    }),
    dataset: t.field({
      type: DatasetRef,
      description: 'The dataset after the commit, re-read (row count, last update).',
      resolve: (r) => r.datasetId,
    }),
  }),
});
