/** The upload pipeline's public face, for graph, http and the CLI. */
export * from './args.ts';
export { columnsResolver } from './columns.ts';
export { type CsvColumn, CsvInputError, type CsvPart, csvField, partBytes } from './csv-text.ts';
export { COMMIT_STATES, type CommitState, UploadError, type UploadErrorDetails } from './errors.ts';
export {
  type UploadClient,
  type UploadCsvOptions,
  type UploadCsvResult,
  type UploadProgress,
  uploadCsv,
} from './pipeline.ts';
export { DEFAULT_UPLOAD_POLICY, type UploadPolicy, uploadPolicy } from './policy.ts';
export { pump } from './pump.ts';
export { CsvPartSplitter } from './splitter.ts';
