/** The per-request context: a Domo client bound to the caller, and the settings resolvers need. */
import type { DomoClient } from '../domo/client.ts';

export interface GraphSettings {
  /** Largest page a connection field returns. */
  maxPageSize: number;
  /** Largest number of rows a SQL query field returns. */
  maxQueryRows: number;
}

export interface GraphContext {
  /** Upstream client bound to this request's credentials and cancellation signal. */
  domo: DomoClient;
  settings: GraphSettings;
}
