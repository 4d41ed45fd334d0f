/**
 * Scopes and the dataset allow-list, enforced on the whole operation before it executes (an
 * envelop plugin on onExecute): a mutation needs its declared scope (scopes.ts MUTATION_SCOPES), a
 * query `read`, and every dataset the operation names by argument (`dataset(id:)`, `datasetsByIds`,
 * `node`/`nodes`, any `datasetId` or `streamId`) must be in the allow-list. A refusal is the whole
 * operation's FORBIDDEN, with no call to Domo made. Only the allow-list's tags need a metadata read.
 * Datasets reached by following links (a card's datasets, a list) are checked where they are
 * loaded (src/graph/types/dataset.ts, with datasetDecision / datasetAllowed).
 */
import type { DocumentNode, GraphQLError, GraphQLSchema } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { DomoClient } from '../domo/client.ts';
import { DomoError } from '../domo/errors.ts';
import { type AuthError, forbidden } from './errors.ts';
import { addTarget, type OperationPlan, planOperation } from './plan.ts';
import {
  datasetAllowed,
  datasetDecision,
  hasScope,
  isDatasetId,
  MUTATION_SCOPES,
  type Principal,
} from './scopes.ts';

/** The scope refusal for an operation, or undefined when its scopes allow it. */
export function scopeRefusal(principal: Principal, plan: OperationPlan): AuthError | undefined {
  const fields = plan.rootFields.filter((name) => !name.startsWith('__'));
  if (plan.kind !== 'mutation') {
    if (fields.length && !hasScope(principal, 'read'))
      return forbidden('this credential may not read (it lacks the read scope)', 'read');
    return undefined;
  }
  for (const name of fields) {
    const declared = MUTATION_SCOPES[name];
    if (!declared)
      return forbidden(`the mutation ${name} has no declared scope, so no credential may run it`);
    if (!hasScope(principal, declared.scope)) {
      return forbidden(
        `${name} needs the ${declared.scope} scope, which this credential lacks`,
        declared.scope,
      );
    }
    if (declared.creates && principal.datasets) {
      return forbidden(
        `${name} creates a dataset, which a credential limited to a dataset allow-list may not do`,
      );
    }
  }
  return undefined;
}

const outside = (what: string) => forbidden(`${what} is outside this credential's dataset allow-list`);

/**
 * The allow-list's verdict on every dataset the plan names. Reads metadata only when a tag must
 * decide (a dataset's tags, a stream's dataset): reading it is what deciding takes.
 */
export async function datasetRefusal(
  principal: Principal,
  plan: OperationPlan,
  domo: DomoClient,
): Promise<AuthError | undefined> {
  if (!principal.datasets) return undefined;
  const byTags = new Set<string>();
  for (const id of plan.datasetIds) {
    const decision = datasetDecision(principal, id);
    if (decision === 'denied' || (decision === 'tags' && !isDatasetId(id))) return outside(`dataset ${id}`);
    if (decision === 'tags') byTags.add(id);
  }
  for (const streamId of plan.streamIds) {
    let datasetId: string | undefined;
    try {
      datasetId = (await domo.streams.get(streamId)).dataSource?.id?.toLowerCase();
    } catch (error) {
      if (error instanceof DomoError && (error.kind === 'not_found' || error.kind === 'bad_request'))
        continue;
      throw error;
    }
    if (!datasetId) return outside(`stream ${streamId}`);
    const decision = datasetDecision(principal, datasetId);
    if (decision === 'denied') return outside(`stream ${streamId}'s dataset`);
    if (decision === 'tags') byTags.add(datasetId);
  }
  for (const id of byTags) {
    let dataset: { id: string; tags?: unknown } | undefined;
    try {
      dataset = await domo.datasets.get(id);
    } catch (error) {
      if (!(error instanceof DomoError && error.kind === 'not_found')) throw error;
    }
    // Unknown or invisible: nothing proves it carries an allowed tag, and saying so would tell it exists.
    if (!dataset || !datasetAllowed(principal, dataset)) return outside(`dataset ${id}`);
  }
  return undefined;
}

/** The context fields the plugin reads (src/graph/context.ts). */
interface ScopedContext {
  auth?: Principal;
  domo?: DomoClient;
}

/**
 * Checked before an operation runs, whatever its kind: onExecute for queries and mutations,
 * onSubscribe for subscriptions (envelop runs only that one for them), with the same rules.
 */
export function useGatewayScopes(): Plugin {
  type Args = {
    contextValue: unknown;
    schema: GraphQLSchema;
    document: DocumentNode;
    operationName?: string | null;
    variableValues?: Record<string, unknown> | null;
  };
  const check = (
    args: Args,
    setResultAndStopExecution: (result: { data: null; errors: GraphQLError[] }) => void,
  ) => {
    const ctx = args.contextValue as ScopedContext;
    const principal = ctx.auth;
    if (!principal || principal.kind === 'anonymous') return;
    const plan = planOperation(args.schema, args.document, args.operationName, args.variableValues);
    const stop = (error: AuthError) =>
      setResultAndStopExecution({ data: null, errors: [error.toGraphQLError() as GraphQLError] });
    if (!plan) return;
    const refusal = scopeRefusal(principal, plan);
    if (refusal) return stop(refusal);
    if (!principal.datasets) return;
    if (plan.datasetIds.size === 0 && plan.streamIds.size === 0) return;
    if (!ctx.domo) return stop(forbidden('the dataset allow-list cannot be checked'));
    return datasetRefusal(principal, plan, ctx.domo).then((error) => {
      if (error) stop(error);
    });
  };
  return {
    onExecute: ({ args, setResultAndStopExecution }) => check(args as Args, setResultAndStopExecution),
    onSubscribe: ({ args, setResultAndStopExecution }) => check(args as Args, setResultAndStopExecution),
  };
}

/**
 * The upload routes' check at their entry, before the body is read: the `upload` scope, and for
 * the PUT route (which names its dataset in the path) the allow-list. A multipart upload names its
 * dataset in the operation, which useGatewayScopes checks before the resolver reads the file.
 */
export async function uploadRefusal(
  principal: Principal | undefined,
  datasetId: string | null,
  domo: DomoClient,
): Promise<AuthError | undefined> {
  if (!principal || principal.kind === 'anonymous') return undefined;
  if (!hasScope(principal, 'upload')) {
    return forbidden('uploads need the upload scope, which this credential lacks', 'upload');
  }
  if (datasetId === null) return undefined;
  return allowListRefusal(principal, datasetId, domo);
}

/**
 * The export route's check before any data is read: the `read` scope (an export is a query), and
 * the allow-list for the dataset its path names.
 */
export async function exportRefusal(
  principal: Principal | undefined,
  datasetId: string,
  domo: DomoClient,
): Promise<AuthError | undefined> {
  if (!principal || principal.kind === 'anonymous') return undefined;
  if (!hasScope(principal, 'read')) {
    return forbidden('exports need the read scope, which this credential lacks', 'read');
  }
  return allowListRefusal(principal, datasetId, domo);
}

/** The allow-list's verdict on the one dataset a route's path names. */
async function allowListRefusal(
  principal: Principal,
  datasetId: string,
  domo: DomoClient,
): Promise<AuthError | undefined> {
  if (!principal.datasets) return undefined;
  const plan: OperationPlan = {
    kind: 'mutation',
    rootFields: [],
    datasetIds: new Set(),
    streamIds: new Set(),
  };
  addTarget(plan, 'dataset', datasetId);
  if (plan.datasetIds.size === 0) return outside(`dataset ${datasetId.slice(0, 64)}`);
  return datasetRefusal(principal, plan, domo);
}
