/** Unknown settings and the sandbox's explicit opt-in (src/config.ts, src/config-names.ts). */
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.ts';
import { closestName, editDistance, unknownVariables } from '../../src/config-names.ts';

const message = (env: Record<string, string>): string => {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('loadConfig did not throw');
};

describe('unknown settings', () => {
  it('stops the start on a typo and names the setting meant', () => {
    expect(message({ DOMO_INSTANC: 'acme' })).toMatch(
      /^unknown setting: DOMO_INSTANC \(did you mean DOMO_INSTANCE\?\)/,
    );
    expect(message({ DOMO_DEVELOPPER_TOKEN: 't', DOMO_INSTANCE: 'acme' })).toMatch(
      /DOMO_DEVELOPPER_TOKEN \(did you mean DOMO_DEVELOPER_TOKEN\?\)/,
    );
    expect(message({ MAX_ALIAS: '3' })).toMatch(/did you mean MAX_ALIASES\?/);
    expect(message({ SANDBOX_PROT: '1' })).toMatch(/did you mean SANDBOX_PORT\?/);
    expect(message({ LOG_LEVLE: 'debug' })).toMatch(/did you mean LOG_LEVEL\?/);
    expect(message({ CORS_ORIGIN: 'https://a.example' })).toMatch(/did you mean CORS_ORIGINS\?/);
    expect(message({ SHUTDOWN_TIMEOUT: '5' })).toMatch(/did you mean SHUTDOWN_TIMEOUT_MS\?/);
  });

  it('reports the typo before the error it causes, and never prints a value', () => {
    // The token is set, the instance is not (misspelled): the typo is what to fix.
    const text = message({ DOMO_INSTANC: 'acme', DOMO_DEVELOPER_TOKEN: 'secret-tok' });
    expect(text).toMatch(/did you mean DOMO_INSTANCE/);
    expect(text).not.toContain('secret-tok');
    expect(text).not.toContain('acme');
    // A wrong value beside a typo: the typo still comes first, the known names still count.
    expect(message({ PORT: 'x', DOMO_RETRY_BASE: '1' })).toMatch(
      /DOMO_RETRY_BASE \(did you mean DOMO_RETRY_BASE_MS\?\)/,
    );
  });

  it('lists every unknown name, and guesses nothing for an unrelated one', () => {
    const text = message({ DOMO_WHATEVER_THING: '1', GATEWAY_QUOKKA_PARADE: '2' });
    expect(text).toMatch(/^unknown settings: DOMO_WHATEVER_THING, GATEWAY_QUOKKA_PARADE\. /);
    expect(text).toContain('README.md');
  });

  it('ignores names without a project prefix, OTEL_ variables, the benchmark knob and Kubernetes service links', () => {
    expect(() =>
      loadConfig({
        HOME: '/root',
        PATH: '/bin',
        HOSTNAME: 'pod',
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector',
        GATEWAY_NODE_ARGS: '--cpu-prof',
        DOMO_GATEWAY_SERVICE_HOST: '10.0.0.1',
        DOMO_GATEWAY_SERVICE_PORT: '4000',
        DOMO_GATEWAY_SERVICE_PORT_HTTP: '4000',
        DOMO_GATEWAY_PORT: 'tcp://10.0.0.1:4000',
        DOMO_GATEWAY_PORT_4000_TCP: 'tcp://10.0.0.1:4000',
        DOMO_GATEWAY_PORT_4000_TCP_ADDR: '10.0.0.1',
        DOMO_GATEWAY_PORT_4000_TCP_PROTO: 'tcp',
        DOMO_GATEWAY_PORT_4000_TCP_PORT: '4000',
      }),
    ).not.toThrow();
  });

  it('knows every name loadConfig reads, with no list of its own', () => {
    // Each of these is read by config.ts; none may be reported.
    const env = {
      DOMO_INSTANCE: 'acme',
      DOMO_DEVELOPER_TOKEN: 't',
      DOMO_MAX_CALLS_PER_REQUEST: '10',
      MAX_DEPTH: '5',
      SANDBOX_TOKEN: 'x',
      SERVER_HEADERS_TIMEOUT_MS: '1000',
      SHUTDOWN_TIMEOUT_MS: '1000',
    };
    expect(() => loadConfig(env)).not.toThrow();
    expect(unknownVariables({ ...env, DOMO_NOPE: '1' }, new Set(Object.keys(env)))).toEqual(['DOMO_NOPE']);
  });

  it('edit distance and the closest name', () => {
    expect(editDistance('DOMO_INSTANC', 'DOMO_INSTANCE')).toBe(1);
    expect(editDistance('abc', 'abc')).toBe(0);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(closestName('DOMO_INSTANC', ['DOMO_INSTANCE', 'DOMO_BASE_URL'])).toBe('DOMO_INSTANCE');
    expect(closestName('DOMO_COMPLETELY_ELSE', ['DOMO_INSTANCE', 'DOMO_BASE_URL'])).toBeUndefined();
  });
});

describe('no silent sandbox', () => {
  it('runs the sandbox with an empty environment (npm start on a fresh clone)', () => {
    expect(loadConfig({})).toMatchObject({ useSandbox: true, domoBaseUrl: null, introspection: true });
  });

  it('refuses NODE_ENV=production without Domo, naming DOMO_INSTANCE and SANDBOX=true', () => {
    const text = message({ NODE_ENV: 'production' });
    expect(text).toContain('DOMO_INSTANCE');
    expect(text).toContain('SANDBOX=true');
    expect(message({ NODE_ENV: 'production', DOMO_INSTANC: 'acme' })).toMatch(/did you mean DOMO_INSTANCE/);
  });

  it('runs the sandbox anywhere when SANDBOX=true says so', () => {
    expect(loadConfig({ NODE_ENV: 'production', SANDBOX: 'true' })).toMatchObject({
      useSandbox: true,
      // Production keeps introspection and suggestions off unless asked.
      introspection: false,
      fieldSuggestions: false,
    });
    expect(loadConfig({ SANDBOX: 'true' }).useSandbox).toBe(true);
  });

  it('refuses SANDBOX=true beside a Domo instance, and SANDBOX=false without one', () => {
    expect(message({ SANDBOX: 'true', DOMO_INSTANCE: 'acme' })).toMatch(
      /unset DOMO_INSTANCE and DOMO_BASE_URL, or SANDBOX/,
    );
    expect(message({ SANDBOX: 'false' })).toMatch(/SANDBOX=false/);
    expect(message({ SANDBOX: 'yes' })).toMatch(/SANDBOX must be one of true, false, auto/);
  });

  it('lets the standalone sandbox start in production', () => {
    expect(loadConfig({ NODE_ENV: 'production' }, { sandboxOnly: true }).useSandbox).toBe(true);
  });
});

describe('introspection and suggestions', () => {
  it('are on in development and for npm start, off in production and in front of Domo without NODE_ENV', () => {
    expect(loadConfig({})).toMatchObject({ introspection: true, fieldSuggestions: true });
    expect(loadConfig({ NODE_ENV: 'development', DOMO_INSTANCE: 'acme' })).toMatchObject({
      introspection: true,
      fieldSuggestions: true,
    });
    expect(loadConfig({ DOMO_INSTANCE: 'acme' })).toMatchObject({
      introspection: false,
      fieldSuggestions: false,
    });
    expect(loadConfig({ NODE_ENV: 'production', DOMO_INSTANCE: 'acme' })).toMatchObject({
      introspection: false,
      fieldSuggestions: false,
    });
  });

  it('INTROSPECTION overrides the default either way', () => {
    expect(
      loadConfig({ NODE_ENV: 'production', DOMO_INSTANCE: 'acme', INTROSPECTION: 'true' }).introspection,
    ).toBe(true);
    expect(loadConfig({ INTROSPECTION: 'false' }).introspection).toBe(false);
    expect(message({ INTROSPECTION: 'on' })).toMatch(/INTROSPECTION must be one of true, false/);
  });

  it('FEDERATION is off unless set to true, and refuses other values', () => {
    expect(loadConfig({}).federation).toBe(false);
    expect(loadConfig({ FEDERATION: 'true' }).federation).toBe(true);
    expect(message({ FEDERATION: 'yes' })).toMatch(/FEDERATION must be one of true, false/);
  });

  it('checks the server timeouts', () => {
    expect(message({ SERVER_HEADERS_TIMEOUT_MS: '5000', SERVER_REQUEST_TIMEOUT_MS: '1000' })).toMatch(
      /SERVER_REQUEST_TIMEOUT_MS must not be smaller than SERVER_HEADERS_TIMEOUT_MS/,
    );
    expect(message({ SHUTDOWN_TIMEOUT_MS: '-1' })).toMatch(/SHUTDOWN_TIMEOUT_MS must be a whole number/);
  });
});
