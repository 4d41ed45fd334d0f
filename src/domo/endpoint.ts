/**
 * The endpoint template of an upstream path, for metrics and spans: every segment that is not a
 * word of Domo's API (the literal parts of the paths src/domo builds with apiPath) becomes `{id}`,
 * so `/api/data/v3/datasources/3f5a…/uploads/7/parts/2` is `/api/data/v3/datasources/{id}/uploads/{id}/parts/{id}`.
 * A dataset id, user id or any value a caller chose never reaches a label: the number of templates
 * is bounded by the vocabulary, whatever the ids. test/unit/endpoint-template.test.ts checks that
 * every literal segment src/domo sends is listed here.
 */
const VOCABULARY = new Set([
  'api',
  'content',
  'data',
  'query',
  'ui',
  'dataprocessing',
  'v1',
  'v2',
  'v3',
  'aggregate',
  'bulk',
  'cards',
  'commit',
  'data-version-hydrate',
  'dataflows',
  'datasources',
  'dataversions',
  'details',
  'execute',
  'executions',
  'history',
  'indexed',
  'indexes',
  'latest',
  'list',
  'me',
  'partition',
  'parts',
  'permissions',
  'properties',
  'schema',
  'schemas',
  'search',
  'share',
  'statuses',
  'streams',
  'tag',
  'tags',
  'uploads',
  'USER',
  'USERS',
  'users',
]);

export function endpointTemplate(path: string): string {
  const end = path.search(/[?#]/);
  const bare = end === -1 ? path : path.slice(0, end);
  let out = '';
  for (const segment of bare.split('/')) {
    if (segment === '') continue;
    out += `/${VOCABULARY.has(segment) ? segment : '{id}'}`;
  }
  return out || '/';
}

/** The vocabulary, for the test that keeps it complete. */
export const ENDPOINT_WORDS: ReadonlySet<string> = VOCABULARY;
