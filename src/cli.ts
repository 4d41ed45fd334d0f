/**
 * `domo-graph upload FILE --dataset ID --mode append`: streams a local CSV through a running
 * gateway's `PUT /v1/datasets/:id/upload` (or, with --direct, straight to Domo with the upload
 * pipeline), with a progress bar and a summary or a clear error at the end.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Transform } from 'node:stream';
import { parseArgs } from 'node:util';
import { request } from 'undici';
import { loadConfig } from './config.ts';
import { createDomoClient } from './domo/client.ts';
import { DomoError } from './domo/errors.ts';
import { DomoHttp } from './domo/http.ts';
import { failureKindOf, uploadFailureKind } from './errors/classify.ts';
import { failure } from './errors/codes.ts';
import { redactText, registerSecret } from './errors/redact.ts';
import {
  commitMessage,
  DEFAULT_PART_SIZE,
  dataTag,
  partSizeBytes,
  UploadArgumentError,
  UploadError,
  uploadCsv,
  uploadMode,
  uploadPolicy,
} from './upload/index.ts';

const USAGE = `usage: domo-graph upload FILE --dataset ID [options]

  --mode append|replace|upsert|delete   how the rows change the dataset (default append)
  --tag TAG                             partition tag (dataTag)
  --no-header                           the file has no header row
  --message TEXT                        commit message
  --part-size-kb N                      part size in KiB (default ${DEFAULT_PART_SIZE / 1024})
  --gateway URL                         gateway to stream through (default http://127.0.0.1:$PORT)
  --token TOKEN                         Domo developer token (default: the gateway's own, or DOMO_DEVELOPER_TOKEN)
  --direct                              upload straight to Domo (DOMO_INSTANCE or DOMO_BASE_URL and a token)
`;

class CliError extends Error {
  /** The gateway's error code, when the gateway refused. */
  constructor(
    message: string,
    readonly code?: string,
  ) {
    super(message);
  }
}

function cliArg<T>(check: () => T): T {
  try {
    return check();
  } catch (error) {
    if (error instanceof UploadArgumentError) throw new CliError(error.message);
    throw error;
  }
}

function human(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`;
}

/** A progress line on stderr: rewritten in place on a terminal, every few seconds otherwise. */
function progressBar(total: number) {
  const started = performance.now();
  const tty = process.stderr.isTTY;
  let last = 0;
  return {
    update(state: { bytes: number; rows: number; parts: number; estimated?: boolean }, force = false) {
      const now = performance.now();
      if (!force && now - last < (tty ? 200 : 5000)) return;
      last = now;
      const seconds = Math.max(0.001, (now - started) / 1000);
      const ratio = total > 0 ? Math.min(1, state.bytes / total) : 1;
      const width = 24;
      const bar = '#'.repeat(Math.round(ratio * width)).padEnd(width, '.');
      const approx = state.estimated ? '~' : '';
      const line = `[${bar}] ${(ratio * 100).toFixed(0).padStart(3)}%  ${human(state.bytes)} / ${human(total)}  ${approx}${state.rows.toLocaleString('en-US')} rows  ${approx}${state.parts} parts  ${human(state.bytes / seconds)}/s`;
      process.stderr.write(tty ? `\r${line}\u001b[K` : `${line}\n`);
    },
    done() {
      if (tty) process.stderr.write('\n');
    },
  };
}

async function upload(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      dataset: { type: 'string' },
      mode: { type: 'string', default: 'append' },
      tag: { type: 'string' },
      'no-header': { type: 'boolean', default: false },
      message: { type: 'string' },
      'part-size-kb': { type: 'string' },
      gateway: { type: 'string' },
      token: { type: 'string' },
      direct: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return;
  }
  // A gateway or Domo echoing the token back must not print it: every exit message is redacted.
  registerSecret(values.token);
  const file = positionals[0];
  if (!file || positionals.length > 1) throw new CliError('name exactly one FILE');
  const datasetId = values.dataset;
  if (!datasetId) throw new CliError('--dataset ID is required');
  // The rules the gateway applies too (src/upload/args.ts), checked before the file is read.
  const mode = cliArg(() => uploadMode(values.mode, '--mode'));
  const partSizeKB = values['part-size-kb'];
  const partSize = cliArg(() => partSizeBytes(partSizeKB, '--part-size-kb')) ?? DEFAULT_PART_SIZE;
  cliArg(() => dataTag(values.tag, '--tag'));
  cliArg(() => commitMessage(values.message, '--message'));
  const total = await stat(file).then(
    (s) => s.size,
    () => {
      throw new CliError(`cannot read ${file}`);
    },
  );
  const config = loadConfig();
  registerSecret(config.serverCredentials?.token);
  const token =
    values.token ??
    (config.serverCredentials?.kind === 'developer' ? config.serverCredentials.token : undefined);
  const bar = progressBar(total);

  let summary: Record<string, unknown>;
  if (values.direct) {
    // --token is the credential for --direct as much as DOMO_DEVELOPER_TOKEN is.
    if (!config.domoBaseUrl || !(values.token || config.serverCredentials)) {
      throw new CliError(
        '--direct needs DOMO_INSTANCE (or DOMO_BASE_URL) and DOMO_DEVELOPER_TOKEN (or DOMO_SESSION_TOKEN)',
      );
    }
    const http = new DomoHttp({
      baseUrl: config.domoBaseUrl,
      retry: {
        maxRetries: config.upstream.maxRetries,
        baseMs: config.upstream.retryBaseMs,
        maxDelayMs: config.upstream.retryMaxDelayMs,
      },
      headersTimeoutMs: config.upstream.headersTimeoutMs,
      bodyTimeoutMs: config.upstream.bodyTimeoutMs,
      maxResponseBytes: config.upstream.maxResponseBytes,
    });
    const credentials = values.token
      ? ({ kind: 'developer', token: values.token } as const)
      : config.serverCredentials;
    const domo = createDomoClient(http, { credentials, maxConcurrency: 8 });
    const result = await uploadCsv(domo, datasetId, createReadStream(file, { highWaterMark: 1 << 20 }), {
      mode,
      dataTag: values.tag,
      hasHeader: !values['no-header'],
      message: values.message,
      partSizeBytes: partSize,
      policy: uploadPolicy(config.upstream, config.uploads),
      onProgress: (p) => bar.update({ bytes: p.bytes, rows: p.rows, parts: p.parts }),
    });
    summary = { datasetId, mode, ...result };
    bar.update({ bytes: result.bytes, rows: result.rows, parts: result.parts }, true);
  } else {
    const base = values.gateway ?? `http://127.0.0.1:${config.port}`;
    const url = new URL(`/v1/datasets/${encodeURIComponent(datasetId)}/upload`, base);
    url.searchParams.set('mode', mode.toLowerCase());
    if (values.tag) url.searchParams.set('dataTag', values.tag);
    if (values['no-header']) url.searchParams.set('header', 'false');
    if (values.message) url.searchParams.set('message', values.message);
    if (partSizeKB) url.searchParams.set('partSizeKB', partSizeKB);
    // The gateway splits and validates; here rows and parts are estimates (newlines, bytes / part size).
    let bytes = 0;
    let lines = 0;
    const counter = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        bytes += chunk.length;
        for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) lines++;
        bar.update({ bytes, rows: lines, parts: Math.ceil(bytes / partSize), estimated: true });
        callback(null, chunk);
      },
    });
    const body = createReadStream(file, { highWaterMark: 1 << 20 }).pipe(counter);
    let response: Awaited<ReturnType<typeof request>>;
    try {
      response = await request(url, {
        method: 'PUT',
        headers: { 'content-type': 'text/csv', ...(token ? { 'x-domo-developer-token': token } : {}) },
        body,
        headersTimeout: 0,
        bodyTimeout: 0,
      });
    } catch (error) {
      bar.done();
      throw new CliError(
        `could not reach the gateway at ${base} (${(error as Error).message}); is it running (npm start)?`,
      );
    }
    const answer = (await response.body.json().catch(() => ({}))) as Record<string, unknown> & {
      error?: { code?: string; message?: string; line?: number; column?: string; part?: number };
    };
    if (response.statusCode !== 200) {
      bar.done();
      const e = answer.error ?? {};
      const where = [
        e.line ? `line ${e.line}` : '',
        e.column ? `column ${e.column}` : '',
        e.part ? `part ${e.part}` : '',
      ]
        .filter(Boolean)
        .join(', ');
      throw new CliError(
        `upload failed (HTTP ${response.statusCode}${where ? `, ${where}` : ''}): ${e.message ?? 'no details'}`,
        typeof e.code === 'string' ? e.code : undefined,
      );
    }
    summary = answer;
    bar.update({ bytes: Number(answer.bytes), rows: Number(answer.rows), parts: Number(answer.parts) }, true);
  }
  bar.done();
  const seconds = Number(summary.durationMs) / 1000;
  process.stdout.write(
    [
      `committed upload ${summary.uploadId} to ${datasetId} (${String(summary.mode).toLowerCase()})`,
      `  rows:         ${Number(summary.rows).toLocaleString('en-US')}`,
      `  bytes:        ${human(Number(summary.bytes))}`,
      `  parts:        ${summary.parts}`,
      `  data version: ${summary.dataVersion ?? 'not reported'}`,
      `  time:         ${seconds.toFixed(1)} s (${human(Number(summary.bytes) / Math.max(seconds, 0.001))}/s)`,
      '',
    ].join('\n'),
  );
}

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  if (command === 'upload') return upload(rest);
  process.stdout.write(USAGE);
  if (command && command !== 'help' && command !== '--help') throw new CliError(`unknown command ${command}`);
}

/** The exit message: the error's own words, its code from the one table (or the gateway's), redacted. */
function exitMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const code =
    error instanceof CliError
      ? error.code
      : error instanceof UploadError
        ? failure(uploadFailureKind(error)).code
        : error instanceof DomoError
          ? failure(failureKindOf(error)).code
          : undefined;
  return redactText(code ? `${message} [${code}]` : message);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`domo-graph: ${exitMessage(error)}\n`);
  process.exit(1);
});
