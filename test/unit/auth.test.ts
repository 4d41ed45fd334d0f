import { describe, expect, it } from 'vitest';
import { authHeaders, credentialsFromHeaders } from '../../src/domo/auth.ts';

const from = (headers: Record<string, string>) => credentialsFromHeaders(new Headers(headers));

describe('credentialsFromHeaders', () => {
  it('reads a developer token, case-insensitively', () => {
    expect(from({ 'X-DOMO-Developer-Token': 'dev' })).toEqual({ kind: 'developer', token: 'dev' });
    expect(from({ 'x-domo-developer-token': ' dev ' })).toEqual({ kind: 'developer', token: 'dev' });
  });

  it('reads a session token', () => {
    expect(from({ 'X-DOMO-Authentication': 'ses' })).toEqual({ kind: 'session', token: 'ses' });
  });

  it('reads Authorization: Bearer as a developer token', () => {
    expect(from({ authorization: 'Bearer abc' })).toEqual({ kind: 'developer', token: 'abc' });
    expect(from({ authorization: 'bearer   abc' })).toEqual({ kind: 'developer', token: 'abc' });
  });

  it('prefers the developer token, then the session token, then Bearer', () => {
    expect(
      from({ 'x-domo-developer-token': 'dev', 'x-domo-authentication': 'ses', authorization: 'Bearer b' }),
    ).toEqual({ kind: 'developer', token: 'dev' });
    expect(from({ 'x-domo-authentication': 'ses', authorization: 'Bearer b' })).toEqual({
      kind: 'session',
      token: 'ses',
    });
  });

  it('returns null without credentials or with unusable ones', () => {
    expect(from({})).toBeNull();
    expect(from({ 'x-domo-developer-token': '  ' })).toBeNull();
    expect(from({ authorization: 'Basic dXNlcjpwdw==' })).toBeNull();
    expect(from({ authorization: 'Bearer' })).toBeNull();
    expect(from({ authorization: 'Bearer a b' })).toBeNull();
  });

  it('leaves Authorization alone when gateway authentication owns it', () => {
    const headers = new Headers({ authorization: 'Bearer gateway-api-key' });
    expect(credentialsFromHeaders(headers, { authorization: false })).toBeNull();
    headers.set('x-domo-developer-token', 'dev');
    expect(credentialsFromHeaders(headers, { authorization: false })).toEqual({
      kind: 'developer',
      token: 'dev',
    });
  });
});

describe('authHeaders', () => {
  it('sends each kind in its own header', () => {
    expect(authHeaders({ kind: 'developer', token: 't' })).toEqual({ 'x-domo-developer-token': 't' });
    expect(authHeaders({ kind: 'session', token: 't' })).toEqual({ 'x-domo-authentication': 't' });
  });
});
