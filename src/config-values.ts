/**
 * The value parsers of config.ts: each reads one variable through the `env` readConfig gets (so the
 * name is recorded for unknown-variable detection) and throws a ConfigError naming it when wrong.
 */
import { isIP } from 'node:net';
import type { TypedDatasetSetting } from './config-settings.ts';

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export type Env = Record<string, string | undefined>;

const INSTANCE_NAME = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

export function text(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === '' ? undefined : value;
}

export function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = text(env, name);
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw)) throw new ConfigError(`${name} must be a whole number from ${min} to ${max}`);
  const value = Number(raw);
  if (value < min || value > max)
    throw new ConfigError(`${name} must be a whole number from ${min} to ${max}`);
  return value;
}

export function oneOf<T extends string>(env: Env, name: string, values: readonly T[], fallback: T): T {
  const raw = text(env, name);
  if (raw === undefined) return fallback;
  if (!(values as readonly string[]).includes(raw)) {
    throw new ConfigError(`${name} must be one of ${values.join(', ')}`);
  }
  return raw as T;
}

/** A comma-separated list of origins (scheme://host[:port]), or `*` for any. */
export function origins(env: Env, name: string): string[] {
  const raw = text(env, name);
  if (raw === undefined) return [];
  const list = raw
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
  for (const origin of list) {
    if (origin === '*') continue;
    let url: URL | undefined;
    try {
      url = new URL(origin);
    } catch {
      url = undefined;
    }
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.origin !== origin) {
      throw new ConfigError(
        `${name} must list origins such as https://app.example.com (no path), or *; got "${origin}"`,
      );
    }
  }
  return list;
}

/** `DOMO_INSTANCE` is a bare instance name; anything that could steer the host elsewhere is refused. */
export function instanceBaseUrl(instance: string): string {
  if (!INSTANCE_NAME.test(instance)) {
    throw new ConfigError(
      'DOMO_INSTANCE must be the instance name only (lowercase letters, digits and hyphens, as in "acme" for https://acme.domo.com)',
    );
  }
  return `https://${instance}.domo.com`;
}

const HOST_NAME =
  /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*$/;

/** `HOST` is the interface to listen on: a host name or an IP address, nothing else. */
export function listenHost(env: Env): string {
  const raw = text(env, 'HOST');
  if (raw === undefined) return '127.0.0.1';
  if (isIP(raw) === 0 && !HOST_NAME.test(raw)) {
    throw new ConfigError('HOST must be a host name or an IP address to listen on, such as 0.0.0.0');
  }
  return raw;
}

export function baseUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError('DOMO_BASE_URL must be an absolute http(s) URL, such as https://acme.domo.com');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new ConfigError('DOMO_BASE_URL must use http or https');
  }
  if (url.username || url.password) throw new ConfigError('DOMO_BASE_URL must not carry credentials');
  if (url.search || url.hash) throw new ConfigError('DOMO_BASE_URL must not have a query or fragment');
  return url.toString().replace(/\/+$/, '');
}

export function timeZone(env: Env, name: string): string {
  const raw = text(env, name) ?? 'UTC';
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: raw });
  } catch {
    throw new ConfigError(`${name} must be an IANA time zone such as UTC or Europe/Paris`);
  }
  return raw;
}

const GRAPHQL_NAME = /^[A-Za-z][_0-9A-Za-z]*$/;
const DATASET_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** `TYPED_DATASETS=salesTransactions=<dataset id>,customers=<dataset id>`. */
export function typedDatasets(env: Env, name: string): TypedDatasetSetting[] | null {
  const raw = text(env, name);
  if (raw === undefined) return null;
  const list: TypedDatasetSetting[] = [];
  for (const item of raw
    .split(',')
    .map((i) => i.trim())
    .filter(Boolean)) {
    const [field, id, extra] = item.split('=').map((p) => p.trim());
    if (!field || !id || extra !== undefined || !GRAPHQL_NAME.test(field) || !DATASET_ID.test(id)) {
      throw new ConfigError(
        `${name} must list name=datasetId pairs separated by commas, each name a GraphQL name (letters, digits, _) and each id a dataset UUID; got "${item}"`,
      );
    }
    if (list.some((d) => d.name === field)) throw new ConfigError(`${name} names ${field} twice`);
    list.push({ name: field, datasetId: id.toLowerCase() });
  }
  return list;
}

export function flag(env: Env, name: string): boolean {
  const raw = text(env, name);
  if (raw === undefined || raw === 'false' || raw === '0') return false;
  if (raw === 'true' || raw === '1') return true;
  throw new ConfigError(`${name} must be true or false`);
}
