/** Redaction by value: every form a token takes once echoed, in strings, objects, errors and log lines. */
import { describe, expect, it } from 'vitest';
import {
  MIN_SECRET_LENGTH,
  REDACTED,
  redactDeep,
  redactText,
  registerSecret,
  secretHeaderValues,
} from '../../src/errors/redact.ts';
import { createLogger } from '../../src/log.ts';

// Characters that every encoding changes: URL, JSON and HTML escaping all differ from the raw form.
const TOKEN = 'Tok3n+/=&<"\'\\é-canary-1f2e3d';

describe('redactText', () => {
  const forms: Array<[string, string]> = [
    ['as sent', TOKEN],
    ['URL-encoded', encodeURIComponent(TOKEN)],
    ['form-encoded', new URLSearchParams({ t: TOKEN }).toString().slice(2)],
    ['JSON-escaped', JSON.stringify(TOKEN).slice(1, -1)],
    [
      'HTML-escaped',
      TOKEN.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;'),
    ],
    ['upper case', TOKEN.toUpperCase()],
    ['lower case', TOKEN.toLowerCase()],
  ];
  for (const [name, form] of forms) {
    it(`replaces the token ${name}, every occurrence`, () => {
      const text = `bad token ${form} (sent ${form}) at start:${form}`;
      const out = redactText(text, [TOKEN]);
      expect(out).not.toContain(form);
      expect(out.split(REDACTED).length - 1).toBe(3);
      expect(out.startsWith('bad token ')).toBe(true);
    });
  }

  it('leaves text without the token as it is (the same string)', () => {
    const text = 'Full authentication is required to access this resource';
    expect(redactText(text, [TOKEN])).toBe(text);
  });

  it('ignores values too short to be tokens, which would blank ordinary words', () => {
    const short = 'x'.repeat(MIN_SECRET_LENGTH - 1);
    expect(redactText(`a ${short} b`, [short, '', ' '])).toBe(`a ${short} b`);
    const long = 'y'.repeat(MIN_SECRET_LENGTH);
    expect(redactText(`a ${long} b`, [long])).toBe(`a ${REDACTED} b`);
  });

  it('redacts registered (process) secrets without being told them again', () => {
    const server = 'server-token-registered-4c3b2a';
    expect(redactText(`echo ${server}`)).toBe(`echo ${server}`);
    registerSecret(server);
    expect(redactText(`echo ${server}`)).toBe(`echo ${REDACTED}`);
    expect(redactText(`echo ${server.toUpperCase()}`)).toBe(`echo ${REDACTED}`);
  });

  it('finds the token in a large body too (as sent), without the case scan', () => {
    const big = `${'a'.repeat(200_000)}${TOKEN}${'b'.repeat(10)}`;
    expect(redactText(big, [TOKEN])).toBe(`${'a'.repeat(200_000)}${REDACTED}${'b'.repeat(10)}`);
  });
});

describe('secretHeaderValues', () => {
  it('takes credential headers and the value after an auth scheme, not the rest', () => {
    expect(
      secretHeaderValues({
        'user-agent': 'domo-graph/0.1',
        'x-domo-developer-token': 'dev-token-value',
        authorization: 'Bearer bearer-token-value',
        'x-api-key': 'api-key-value',
        accept: 'application/json',
      }).sort(),
    ).toEqual(['Bearer bearer-token-value', 'api-key-value', 'bearer-token-value', 'dev-token-value'].sort());
  });
});

describe('redactDeep', () => {
  it('redacts every string in nested objects, arrays and errors; keys and other values stay', () => {
    const cause = new Error(`socket said ${TOKEN}`);
    const value = {
      code: 'UPSTREAM_ERROR',
      upstreamStatus: 500,
      toe: `TOE-${TOKEN}`,
      list: [TOKEN, 1, null, { deeper: `x${TOKEN}x` }],
      error: new Error(`failed: ${TOKEN}`, { cause }),
    };
    const out = redactDeep(value, [TOKEN]);
    expect(JSON.stringify(out)).not.toContain('canary');
    expect(out).toMatchObject({ code: 'UPSTREAM_ERROR', upstreamStatus: 500, toe: `TOE-${REDACTED}` });
    expect((out as { list: unknown[] }).list.slice(0, 3)).toEqual([REDACTED, 1, null]);
  });
});

describe('the logger', () => {
  it('writes no registered secret at any level, debug included, in the message, fields or errors', () => {
    const secret = 'logged-server-token-9a8b7c6d';
    registerSecret(secret);
    const lines: string[] = [];
    const logger = createLogger('debug', (line) => lines.push(line));
    logger.debug(`message ${secret}`, { text: `field ${secret}`, nested: { list: [secret] } });
    logger.info('info', { error: new Error(`boom ${secret}`) });
    logger.warn('warn', { value: encodeURIComponent(secret) });
    logger.error('error', { headers: { 'x-domo-developer-token': 'unregistered-but-a-token-key' } });
    expect(lines).toHaveLength(4);
    for (const line of lines) {
      expect(line).not.toContain(secret);
      expect(line).not.toContain('unregistered-but-a-token-key');
    }
    expect(JSON.parse(lines[0]!)).toMatchObject({
      level: 'debug',
      message: `message ${REDACTED}`,
      text: `field ${REDACTED}`,
    });
  });
});
