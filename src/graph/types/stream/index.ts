/** Streams and executions: the domain's entry, registered by one line in schema.ts. */
import './schedule.ts';
import './connector.ts';
import './execution.ts';
import './node.ts';
import './mutations.ts';
