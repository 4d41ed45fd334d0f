/**
 * What happened, as facts the operations side (request logs, metrics, traces) turns into output:
 * features emit an OpsEvent to the sink their gateway was given and never know what listens.
 * No event carries a token, a header, SQL text or a dataset value: only ids, templates and counts.
 * The sink is per gateway (GatewayDeps.ops), so two gateways in one process never mix figures.
 */

/** How a response-cache lookup went for one operation. */
export type CacheOutcome = 'hit' | 'miss' | 'bypass';

export type OpsEvent =
  /** One HTTP call to Domo, after its retries: `endpoint` is the path template (`/api/data/v3/datasources/:id`). */
  | {
      type: 'upstream';
      endpoint: string;
      method: string;
      status: number;
      durationMs: number;
      retries: number;
      throttled: boolean;
    }
  | { type: 'cache'; outcome: CacheOutcome }
  | { type: 'upload'; bytes: number; rows: number }
  | { type: 'export'; format: string; bytes: number; rows: number }
  /** A caller refused before any upstream call: by its own bucket, or by the shared upstream budget. */
  | { type: 'rate-limited'; scope: 'caller' | 'upstream' };

export interface OpsSink {
  emit(event: OpsEvent): void;
}

/** The sink when nothing listens (tests, the CLI). */
export const noOps: OpsSink = { emit() {} };
