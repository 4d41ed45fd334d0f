/**
 * Unknown settings. A variable that carries one of the project's prefixes but that no setting
 * reads is almost always a typo (`DOMO_INSTANC=acme`) or a setting of another version; starting
 * anyway would silently ignore it, and for Domo's settings that means serving the sandbox's demo
 * data. The known names are not listed here: `recordingEnv` records every name config.ts reads.
 */

type Env = Record<string, string | undefined>;

/**
 * Prefixes of domo-graph's settings. OTEL_ is not one: OpenTelemetry's SDK reads its own variables.
 * Names without a prefix (PORT, HOST, NODE_ENV, SANDBOX, INTROSPECTION) are too close to other
 * programs' variables (HOME, PATH) to guess at.
 */
export const SETTING_PREFIXES = [
  'DOMO_',
  'SANDBOX_',
  'GATEWAY_',
  'MAX_',
  'LOG_',
  'CORS_',
  'SERVER_',
  'SHUTDOWN_',
  'ALLOW_',
  'REDIS_',
  'CACHE_',
  'RATE_',
  'TRUSTED_',
  'METRICS_',
  'SUBSCRIPTION',
] as const;

/**
 * Kubernetes adds service links to every pod's environment: a service named `domo-gateway` gives
 * DOMO_GATEWAY_SERVICE_HOST, DOMO_GATEWAY_PORT=tcp://…, DOMO_GATEWAY_PORT_4000_TCP_ADDR and so on.
 * They are not settings, and must not stop the start.
 */
const SERVICE_LINK =
  /_(?:SERVICE_HOST|SERVICE_PORT(?:_[A-Z0-9_]+)?|PORT(?:_\d+_(?:TCP|UDP|SCTP)(?:_(?:PROTO|PORT|ADDR))?)?)$/;

/** Prefixed names the project uses that are not settings of the gateway. */
const NOT_SETTINGS = new Set([
  // node arguments for the gateway process of the overhead benchmark (bench/overhead.ts).
  'GATEWAY_NODE_ARGS',
]);

/** The same environment, with every name read through it added to `read`. */
export function recordingEnv(env: Env, read: Set<string>): Env {
  return new Proxy(env, {
    get(target, name) {
      if (typeof name === 'string') read.add(name);
      return Reflect.get(target, name);
    },
  });
}

/** Levenshtein distance (insertions, deletions, substitutions), for "did you mean". */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
    }
    previous = current;
  }
  return previous[b.length]!;
}

/** The known name closest to `name`, when it is close enough to be the one meant. */
export function closestName(name: string, known: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of known) {
    const distance = editDistance(name, candidate);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  // A third of the name, at least 2: DOMO_INSTANC, DOMO_DEVELOPPER_TOKEN, MAX_ALIAS are caught;
  // an unrelated name gets no misleading guess.
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(name.length / 3)) ? best : undefined;
}

/** Prefixed variables of `env` that no setting reads (service links aside), sorted. */
export function unknownVariables(env: Env, known: ReadonlySet<string>): string[] {
  return Object.keys(env)
    .filter((name) => env[name] !== undefined)
    .filter((name) => SETTING_PREFIXES.some((prefix) => name.startsWith(prefix)))
    .filter((name) => !known.has(name) && !NOT_SETTINGS.has(name) && !SERVICE_LINK.test(name))
    .sort();
}

/**
 * The message refusing unknown variables, or undefined when there are none. `read` holds the
 * names read so far; `readAll` reads every setting once more (against an empty environment, where
 * nothing fails) in case the real read stopped early at a wrong value.
 */
export function unknownVariablesError(
  env: Env,
  read: Set<string>,
  readAll: () => unknown,
): string | undefined {
  try {
    readAll();
  } catch {
    // An empty environment passes every check; if one day it does not, the names read still count.
  }
  const unknown = unknownVariables(env, read);
  if (unknown.length === 0) return undefined;
  const known = [...read].filter((name) => SETTING_PREFIXES.some((prefix) => name.startsWith(prefix)));
  const lines = unknown.map((name) => {
    const guess = closestName(name, known);
    return guess ? `${name} (did you mean ${guess}?)` : name;
  });
  return `unknown setting${unknown.length > 1 ? 's' : ''}: ${lines.join(', ')}. domo-graph reads every ${SETTING_PREFIXES.join(', ')} variable and knows no such name; see the configuration table in README.md`;
}
