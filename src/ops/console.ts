/**
 * Everything on stderr stays JSON: a dependency that writes with console.* (graphql-scalars warns
 * about BigInt serialisation the first time a Long value is read, without BigInt.prototype.toJSON)
 * goes through the logger, redaction included, instead of printing a plain line.
 */
import { format } from 'node:util';
import type { Logger } from '../log.ts';

export function routeConsole(logger: Logger): void {
  const to =
    (level: 'debug' | 'info' | 'warn' | 'error') =>
    (...args: unknown[]) =>
      logger[level](format(...args), { source: 'console' });
  console.debug = to('debug');
  console.log = to('info');
  console.info = to('info');
  console.warn = to('warn');
  console.error = to('error');
  console.trace = to('debug');
}
