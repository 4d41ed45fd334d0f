/** Streams and executions (issues #3, #4): the domain's entry, registered by one line in schema.ts. */
import './execution.ts';
import './stream-parts.ts';
import './stream-node.ts';
import './stream-mutations.ts';
