/**
 * Secrets never leave: every string that came from Domo, or may carry what Domo sent, has the
 * tokens replaced before it reaches a client, a log line or an upload error. Two sets of secrets:
 * - the call's own (the token DomoHttp.request sent, and any credential-looking header beside it),
 *   applied where the DomoError is built (src/domo/http.ts), the only place that knows them;
 * - the process's (the server's configured token, the sandbox's), registered once at startup and
 *   applied by the logger and at every exit: GraphQL errors, the upload routes, the CLI.
 * Matching is by value, not by shape: a token is whatever string was sent, so no pattern can miss
 * one or mangle an ordinary message. Values shorter than MIN_SECRET_LENGTH are not secrets worth
 * the damage (test tokens like "t" would blank every "t").
 */

export const REDACTED = '[redacted]';
export const MIN_SECRET_LENGTH = 6;
/** Case-changed echoes are looked for only in strings up to this size (error text, log fields). */
const CASE_SCAN_LIMIT = 1 << 16;

const processSecrets = new Set<string>();

/** Adds a secret every log line and every exit point redacts from now on (the server's own tokens). */
export function registerSecret(secret: string | null | undefined): void {
  const value = secret?.trim();
  if (value && value.length >= MIN_SECRET_LENGTH) processSecrets.add(value);
}

/** Header names whose values are credentials, wherever they are sent. */
const SECRET_HEADER = /token|authori[sz]ation|authentication|password|secret|cookie|api-?key/i;

/** The credential-looking values among headers (a "Bearer x" value gives "x" too). */
export function secretHeaderValues(headers: Record<string, string | undefined>): string[] {
  const values: string[] = [];
  for (const [name, value] of Object.entries(headers)) {
    if (!value || !SECRET_HEADER.test(name)) continue;
    values.push(value);
    const scheme = /^\s*[A-Za-z]+\s+(\S+)\s*$/.exec(value);
    if (scheme) values.push(scheme[1]!);
  }
  return values;
}

/** Characters no form below changes. */
const PLAIN = /^[A-Za-z0-9._-]+$/;

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/**
 * The forms a secret takes once echoed back: as sent, URL-encoded (as a path or as a form field),
 * JSON-escaped, HTML-escaped (either spelling of the quote).
 */
function forms(secret: string): string[] {
  // The usual token (letters, digits, `._-`) reads the same in every form: no encoding to try.
  if (PLAIN.test(secret)) return [secret];
  const html = secret.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);
  const all = new Set([
    secret,
    encodeURIComponent(secret),
    new URLSearchParams({ s: secret }).toString().slice(2),
    JSON.stringify(secret).slice(1, -1),
    html,
    html.replace(/&#39;/g, '&#x27;'),
  ]);
  return [...all];
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * `text` with every secret (the process's and `extra`) replaced by REDACTED. Cheap when there is
 * nothing to replace: one substring search per form, no allocation.
 */
export function redactText(text: string, extra: Iterable<string> = []): string {
  let out = text;
  // Lower-cased once per text (not once per secret), again only after a replacement.
  let lower: string | undefined;
  const scanned = new Set<string>();
  const scan = (secret: string) => {
    if (secret.length < MIN_SECRET_LENGTH || scanned.has(secret)) return;
    scanned.add(secret);
    for (const form of forms(secret)) {
      if (out.includes(form)) {
        out = out.split(form).join(REDACTED);
        lower = undefined;
      }
    }
    if (out.length > CASE_SCAN_LIMIT) return;
    lower ??= out.toLowerCase();
    if (lower.includes(secret.toLowerCase())) {
      out = out.replace(new RegExp(escapeRegExp(secret), 'gi'), REDACTED);
      lower = undefined;
    }
  };
  for (const secret of extra) scan(secret);
  for (const secret of processSecrets) scan(secret);
  return out;
}

/**
 * A copy of a JSON-like value with every string redacted (keys kept). Errors become plain
 * objects of their name, message, stack and cause, as the logger writes them.
 */
export function redactDeep(value: unknown, extra: readonly string[] = [], depth = 0): unknown {
  if (typeof value === 'string') return redactText(value, extra);
  if (depth > 8 || value === null || typeof value !== 'object') return value;
  if (value instanceof Error) {
    return {
      name: value.name,
      message: redactText(value.message, extra),
      stack: value.stack === undefined ? undefined : redactText(value.stack, extra),
      cause: redactDeep(value.cause, extra, depth + 1),
    };
  }
  if (Array.isArray(value)) return value.map((item) => redactDeep(item, extra, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) out[key] = redactDeep(item, extra, depth + 1);
  return out;
}
