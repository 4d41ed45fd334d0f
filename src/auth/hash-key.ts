/**
 * Makes GATEWAY_API_KEYS entries. `npx tsx src/auth/hash-key.ts [scopes] [allow-list]` creates a
 * new random key and prints it (give it to the caller, once) and its entry (put it in the config);
 * with a key on standard input (`printf %s "$KEY" | npx tsx src/auth/hash-key.ts read`) it hashes
 * that key instead. scopes default to `read`.
 */
import { randomBytes } from 'node:crypto';
import { hashApiKey, parseApiKeyEntries } from './keys.ts';

async function main() {
  const [scopes = 'read', allowList] = process.argv.slice(2);
  let key = '';
  if (!process.stdin.isTTY) {
    for await (const chunk of process.stdin) key += String(chunk);
  }
  const generated = key === '';
  // 32 random bytes, base64url: 256 bits, and no dot, so it is never mistaken for a JWT.
  if (generated) key = randomBytes(32).toString('base64url');
  const entry = `sha256:${hashApiKey(key)}:${scopes}${allowList ? `:${allowList}` : ''}`;
  parseApiKeyEntries(entry); // refuses an unknown scope or a malformed allow-list now, not at start
  if (generated) process.stdout.write(`key:   ${key}\n`);
  process.stdout.write(`entry: ${entry}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
