/**
 * Everything on stderr stays JSON: graphql-scalars' BigInt warning (console.warn, the first time a
 * Long is read without BigInt.prototype.toJSON) becomes a log line once main.ts routes the console.
 */
import { LongResolver } from 'graphql-scalars';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log.ts';
import { routeConsole } from '../../src/ops/console.ts';

const saved = { ...console };
afterEach(() => Object.assign(console, saved));

describe('routeConsole', () => {
  it("turns graphql-scalars' plain BigInt warning into a JSON log line", () => {
    const lines: string[] = [];
    routeConsole(createLogger('info', (line) => lines.push(line)));
    expect(LongResolver.parseValue(5)).toBe(5);
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: 'warn', source: 'console' });
    expect(JSON.parse(lines[0]!).message).toMatch(/BigInts are not serialized/);
    console.log('plain %s', 'text');
    expect(JSON.parse(lines[1]!)).toMatchObject({ level: 'info', message: 'plain text' });
  });
});
