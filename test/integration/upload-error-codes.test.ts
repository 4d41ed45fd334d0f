/**
 * One vocabulary: the same upload failure gets the same code from the GraphQL upload and from the
 * PUT route, and the route's HTTP status is the table's (src/errors/codes.ts). The route used to
 * answer its own spelling of Domo's kind (TIMEOUT where GraphQL says UPSTREAM_TIMEOUT) and
 * UPSTREAM_ERROR for any part or commit failure, whatever Domo had said.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  type Answer,
  multipartUpload,
  putUpload,
  type Rig,
  rig as startRig,
} from '../helpers/fake-gateway.ts';
import type { Step } from '../helpers/fake-upstream.ts';

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

async function rig(): Promise<Rig> {
  const r = await startRig(null);
  cleanup.push(r.close);
  return r;
}

const HEADERS = { 'x-domo-developer-token': 'token-for-codes' };
const domo = (status: number, message = 'no'): Step => ({
  status,
  body: JSON.stringify({ status, message }),
  headers: { 'content-type': 'application/json' },
});

function graphqlCode(answer: Answer): unknown {
  return (JSON.parse(answer.text) as { errors?: Array<{ extensions?: { code?: string } }> }).errors?.[0]
    ?.extensions?.code;
}

function putError(answer: Answer): Record<string, unknown> {
  return (JSON.parse(answer.text) as { error: Record<string, unknown> }).error;
}

const STATUS: Record<string, number> = {
  UPSTREAM_TIMEOUT: 504,
  UNAUTHENTICATED: 401,
  NOT_FOUND: 404,
  FORBIDDEN: 403,
  BAD_USER_INPUT: 400,
};

/** [what fails, how Domo answers it, the code both ways in must answer]. */
const CASES: Array<[string, 'schema' | 'part' | 'commit', Step, string]> = [
  ['the schema read times out (504)', 'schema', domo(504), 'UPSTREAM_TIMEOUT'],
  ['the schema read is refused (401)', 'schema', domo(401), 'UNAUTHENTICATED'],
  ['the dataset is unknown (404)', 'schema', domo(404), 'NOT_FOUND'],
  ['the commit times out (504)', 'commit', domo(504), 'UPSTREAM_TIMEOUT'],
  ['the commit is forbidden (403)', 'commit', domo(403), 'FORBIDDEN'],
  ['a part is refused (401)', 'part', domo(401), 'UNAUTHENTICATED'],
  ['a part is bad (400)', 'part', domo(400), 'BAD_USER_INPUT'],
];

describe('an upload failure has one code, through GraphQL and through PUT', () => {
  for (const [name, stage, step, code] of CASES) {
    it(`${name}: ${code}`, async () => {
      const r = await rig();
      if (stage === 'part') r.script.part = () => step;
      else if (stage === 'commit') r.script.commit = () => step;
      else r.script.schema = () => step;
      const viaGraphql = await multipartUpload(r, HEADERS);
      const viaPut = await putUpload(r, HEADERS);
      expect(graphqlCode(viaGraphql)).toBe(code);
      expect(putError(viaPut).code).toBe(code);
      expect(viaPut.status).toBe(STATUS[code]);
    });
  }
});
