/** What a request's scope takes from its headers, and what it passes on to Domo (src/ops/scope.ts). */
import { describe, expect, it } from 'vitest';
import { noOps } from '../../src/ops/events.ts';
import { parseTraceparent, scopeFromHeaders, upstreamHeaders, validRequestId } from '../../src/ops/scope.ts';

const TRACE = '0af7651916cd43dd8448eb211c80319c';

describe('request scope', () => {
  it('accepts a W3C traceparent and refuses malformed ones', () => {
    expect(parseTraceparent(`00-${TRACE}-b7ad6b7169203331-01`)).toEqual({
      traceId: TRACE,
      spanId: 'b7ad6b7169203331',
      flags: '01',
    });
    for (const bad of [
      `ff-${TRACE}-b7ad6b7169203331-01`,
      `00-${'0'.repeat(32)}-b7ad6b7169203331-01`,
      `00-${TRACE}-${'0'.repeat(16)}-01`,
      `00-${TRACE.toUpperCase()}-b7ad6b7169203331-01`,
      `00-${TRACE}-b7ad6b7169203331`,
      'garbage',
    ]) {
      expect(parseTraceparent(bad)).toBeUndefined();
    }
  });

  it('reuses a printable X-Request-Id up to 128 characters, nothing else', () => {
    expect(validRequestId('req-1.2_3:4')).toBe('req-1.2_3:4');
    expect(validRequestId('a'.repeat(129))).toBeUndefined();
    expect(validRequestId('two words')).toBeUndefined();
    expect(validRequestId('line\nbreak')).toBeUndefined();
    expect(validRequestId('')).toBeUndefined();
  });

  it('passes the request id and the caller trace to Domo, with a fresh parent id per call', () => {
    const scope = scopeFromHeaders({ traceparent: `00-${TRACE}-b7ad6b7169203331-01` }, noOps);
    expect(scope.requestId).toBe(TRACE);
    const a = upstreamHeaders(scope, undefined);
    const b = upstreamHeaders(scope, undefined);
    expect(a['x-request-id']).toBe(TRACE);
    expect(a.traceparent).toMatch(new RegExp(`^00-${TRACE}-[0-9a-f]{16}-01$`));
    expect(a.traceparent).not.toBe(b.traceparent);
    expect(a.traceparent).not.toContain('b7ad6b7169203331');
    const fresh = scopeFromHeaders({}, noOps);
    expect(fresh.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(upstreamHeaders(fresh, undefined).traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-00$/);
  });
});
