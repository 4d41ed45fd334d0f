/**
 * `domo-graph export --dataset ID [--sql … | --where JSON --order-by JSON] --format csv|ndjson -o FILE`:
 * downloads a running gateway's `GET /v1/datasets/:id/export` into FILE with a progress line (bytes,
 * rows, rate) and a summary. The download goes to `FILE.partial`, renamed to FILE only once the
 * export ended whole: a broken export (a reset CSV, an NDJSON error line) leaves no file behind that
 * could pass for the whole data.
 */
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { request } from 'undici';
import { loadConfig } from '../config.ts';
import { isDatasetId } from '../domo/ids.ts';
import { registerSecret } from '../errors/redact.ts';
import { CsvRowCounter } from '../http/export-format.ts';
import { CliError, parseCommandLine, UsageError } from './errors.ts';
import { human, progressBar } from './progress.ts';
import { exportUsage } from './usage.ts';

/** How much of the end of an NDJSON download is kept to read its last line. */
const TAIL_BYTES = 64 * 1024;

export async function exportCommand(argv: string[], defaultGateway: () => string): Promise<void> {
  const { values, positionals } = parseCommandLine('export', {
    args: argv,
    allowPositionals: true,
    options: {
      dataset: { type: 'string' },
      format: { type: 'string', default: 'csv' },
      sql: { type: 'string' },
      where: { type: 'string' },
      'order-by': { type: 'string' },
      output: { type: 'string', short: 'o' },
      gateway: { type: 'string' },
      token: { type: 'string' },
      'api-key': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(exportUsage(defaultGateway()));
    return;
  }
  registerSecret(values.token);
  registerSecret(values['api-key']);
  if (positionals.length) throw new UsageError(`unexpected argument ${positionals[0]}`, 'export');
  const datasetId = values.dataset;
  if (!datasetId) throw new UsageError('--dataset ID is required', 'export');
  if (!isDatasetId(datasetId))
    throw new UsageError(
      `--dataset must be a dataset id (a UUID), got "${datasetId.slice(0, 64)}"`,
      'export',
    );
  const format = values.format;
  if (format !== 'csv' && format !== 'ndjson')
    throw new UsageError(`--format must be csv or ndjson, got "${format}"`, 'export');
  const file = values.output;
  if (!file) throw new UsageError('-o FILE is required', 'export');
  if (values.sql !== undefined && (values.where !== undefined || values['order-by'] !== undefined))
    throw new UsageError('give either --sql or --where/--order-by, not both', 'export');
  for (const name of ['where', 'order-by'] as const) {
    const text = values[name];
    if (text === undefined) continue;
    try {
      JSON.parse(text);
    } catch {
      throw new UsageError(`--${name} must be JSON, e.g. '{"column":"region","eq":"West"}'`, 'export');
    }
  }

  const config = loadConfig();
  registerSecret(config.serverCredentials?.token);
  const token =
    values.token ??
    (config.serverCredentials?.kind === 'developer' ? config.serverCredentials.token : undefined);
  const base = values.gateway ?? defaultGateway();
  const url = new URL(`/v1/datasets/${encodeURIComponent(datasetId)}/export`, base);
  url.searchParams.set('format', format);
  if (values.sql !== undefined) url.searchParams.set('sql', values.sql);
  if (values.where !== undefined) url.searchParams.set('where', values.where);
  if (values['order-by'] !== undefined) url.searchParams.set('orderBy', values['order-by']);
  const headers: Record<string, string> = {
    // The gateway's CSRF guard asks an export for a header a browser's plain GET cannot carry.
    'graphql-require-preflight': '1',
    ...(token ? { 'x-domo-developer-token': token } : {}),
    ...(values['api-key'] ? { 'x-api-key': values['api-key'] } : {}),
  };

  const started = performance.now();
  let response: Awaited<ReturnType<typeof request>>;
  try {
    response = await request(url, { headers, headersTimeout: 0, bodyTimeout: 0 });
  } catch (error) {
    throw new CliError(
      `could not reach the gateway at ${base} (${(error as Error).message}); is it running (npm start)?`,
    );
  }
  if (response.statusCode !== 200) {
    const answer = (await response.body.json().catch(() => ({}))) as {
      errors?: Array<{ message?: string; extensions?: { code?: string; field?: string } }>;
    };
    const e = answer.errors?.[0];
    throw new CliError(
      `export failed (HTTP ${response.statusCode}): ${e?.message ?? 'no details'}`,
      e?.extensions?.code,
    );
  }

  const bar = progressBar(null);
  const counter = new CsvRowCounter();
  let bytes = 0;
  let lines = 0;
  let tail = Buffer.alloc(0);
  const rows = () => (format === 'csv' ? counter.rows(true) : lines);
  const meter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      bytes += chunk.length;
      if (format === 'csv') counter.write(chunk);
      else {
        for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) lines++;
        tail = Buffer.concat([tail, chunk]);
        if (tail.length > TAIL_BYTES) tail = tail.subarray(tail.length - TAIL_BYTES);
      }
      bar.update({ bytes, rows: rows() });
      callback(null, chunk);
    },
  });
  const partial = `${file}.partial`;
  try {
    await pipeline(response.body, meter, createWriteStream(partial));
    const failure = format === 'ndjson' ? errorLine(tail) : undefined;
    if (failure) {
      lines--;
      throw new CliError(
        `the export broke after ${rows().toLocaleString('en-US')} rows: ${failure.message}`,
        failure.code,
      );
    }
  } catch (error) {
    bar.done();
    await rm(partial, { force: true });
    if (error instanceof CliError) throw error;
    throw new CliError(
      `the export broke after ${human(bytes)} (${rows().toLocaleString('en-US')} rows): ${(error as Error).message}; no file was written`,
    );
  }
  await rename(partial, file);
  const seconds = (performance.now() - started) / 1000;
  bar.update({ bytes, rows: rows(), phase: 'done' }, true);
  bar.done();
  process.stdout.write(
    [
      `exported ${datasetId} to ${file} (${format})`,
      `  rows:  ${rows().toLocaleString('en-US')}`,
      `  bytes: ${human(bytes)}`,
      `  time:  ${seconds.toFixed(1)} s (${human(bytes / Math.max(seconds, 0.001))}/s)`,
      '',
    ].join('\n'),
  );
}

/** The gateway's last NDJSON line when it says the export failed (`{"error":{code,message}}`). */
function errorLine(tail: Buffer): { code?: string; message: string } | undefined {
  const text = tail.toString('utf8').replace(/\n$/, '');
  const last = text.slice(text.lastIndexOf('\n') + 1);
  if (!last.startsWith('{"error":')) return undefined;
  try {
    const parsed = JSON.parse(last) as { error?: { code?: unknown; message?: unknown } };
    const keys = Object.keys(parsed);
    if (keys.length !== 1 || typeof parsed.error?.message !== 'string') return undefined;
    return {
      code: typeof parsed.error.code === 'string' ? parsed.error.code : undefined,
      message: parsed.error.message,
    };
  } catch {
    return undefined;
  }
}
