/** `npm run sandbox`: the Domo-compatible sandbox on its own, printing its URL and token. */
import { ConfigError, loadConfig } from '../config.ts';
import { createSandbox } from './server.ts';

async function main() {
  const config = loadConfig(process.env, { sandboxOnly: true });
  const started = Date.now();
  const sandbox = await createSandbox({ ...config.sandbox, host: config.host, recordRequests: false });
  process.stdout.write(
    [
      `Domo sandbox listening on ${sandbox.url} (ready in ${Date.now() - started} ms)`,
      `  token:     ${sandbox.token}   (send it as X-DOMO-Developer-Token)`,
      `  data:      ${config.sandbox.dbPath ?? 'in memory'}; SQL answers as ${config.sandbox.sqlShape}`,
      `  try:       curl -H 'X-DOMO-Developer-Token: ${sandbox.token}' ${sandbox.url}/api/data/v3/datasources`,
      '',
    ].join('\n'),
  );
  const stop = async () => {
    await sandbox.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error) => {
  process.stderr.write(`${error instanceof ConfigError ? 'configuration error: ' : ''}${error.message}\n`);
  process.exit(1);
});
