/** Refusals of a row query, before any upstream call: what was wrong and where in the arguments. */
export class RowsInputError extends Error {
  override name = 'RowsInputError';
  constructor(
    message: string,
    /** The argument path, e.g. `where.and[1].gt`. */
    readonly path: string,
  ) {
    super(`${path}: ${message}`);
  }
}
