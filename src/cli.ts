/**
 * `domo-graph upload FILE --dataset ID --mode append`: streams a local CSV through a running
 * gateway's `PUT /v1/datasets/:id/upload` (or, with --direct, straight to Domo with the upload
 * pipeline), with a progress bar and a summary or a clear error at the end; `domo-graph export`
 * (src/cli/export.ts) downloads a dataset or a query the other way.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Transform } from 'node:stream';
import { request } from 'undici';
import { CliError, cliArg, exitMessage, parseCommandLine, UsageError } from './cli/errors.ts';
import { exportCommand } from './cli/export.ts';
import { human, progressBar } from './cli/progress.ts';
import {
  COMMANDS,
  type Command,
  cliVersion,
  exportUsage,
  helpUsage,
  mainUsage,
  uploadUsage,
} from './cli/usage.ts';
import { loadConfig } from './config.ts';
import { createDomoClient } from './domo/client.ts';
import { DomoHttp } from './domo/http.ts';
import { redactText, registerSecret } from './errors/redact.ts';
import {
  commitMessage,
  DEFAULT_PART_SIZE,
  dataTag,
  partSizeBytes,
  uploadCsv,
  uploadMode,
  uploadPolicy,
} from './upload/index.ts';

async function upload(argv: string[]): Promise<void> {
  const { values, positionals } = parseCommandLine('upload', {
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
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(uploadUsage(defaultGateway()));
    return;
  }
  // A gateway or Domo echoing the token back must not print it: every exit message is redacted.
  registerSecret(values.token);
  const file = positionals[0];
  if (!file || positionals.length > 1) throw new UsageError('name exactly one FILE', 'upload');
  const datasetId = values.dataset;
  if (!datasetId) throw new UsageError('--dataset ID is required', 'upload');
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
      // A missing setting, not a wrong command line: exit 1, as any configuration error.
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
      // Every byte split and every part acknowledged: what is left is the commit.
      onProgress: (p) =>
        bar.update({
          bytes: p.bytes,
          rows: p.rows,
          parts: p.parts,
          phase: p.bytes >= total && p.partsDone === p.parts ? 'committing' : 'sending',
        }),
    });
    summary = { datasetId, mode, ...result };
    bar.update({ bytes: result.bytes, rows: result.rows, parts: result.parts, phase: 'done' }, true);
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
    // Newlines, less the header line: a file of N data rows shows ~N, not ~N+1.
    const estimatedRows = () => Math.max(0, lines - (values['no-header'] ? 0 : 1));
    const counter = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        bytes += chunk.length;
        for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) lines++;
        bar.update({ bytes, rows: estimatedRows(), parts: Math.ceil(bytes / partSize), estimated: true });
        callback(null, chunk);
      },
      // The whole file is sent; the gateway still sends its last parts and commits, which on a
      // large file takes a while: the bar says so rather than sitting still.
      flush(callback) {
        bar.update({
          bytes,
          rows: estimatedRows(),
          parts: Math.ceil(bytes / partSize),
          estimated: true,
          phase: 'committing',
        });
        callback();
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
    bar.update(
      { bytes: Number(answer.bytes), rows: Number(answer.rows), parts: Number(answer.parts), phase: 'done' },
      true,
    );
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

/** The gateway URL --gateway defaults to, from this environment's PORT (its default when unreadable). */
function defaultGateway(): string {
  let port = 4000;
  try {
    port = loadConfig().port;
  } catch {
    // A bad setting is reported when the command runs; help still shows.
  }
  return `http://127.0.0.1:${port}`;
}

function commandUsage(command: Command): string {
  if (command === 'upload') return uploadUsage(defaultGateway());
  return command === 'export' ? exportUsage(defaultGateway()) : helpUsage();
}

function isCommand(name: string | undefined): name is Command {
  return (COMMANDS as readonly string[]).includes(name ?? '');
}

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  if (command === undefined) throw new UsageError('name a command');
  if (command === '--version' || command === '-v' || command === 'version') {
    process.stdout.write(`domo-graph ${cliVersion()}\n`);
    return;
  }
  if (command === '--help' || command === '-h') {
    process.stdout.write(mainUsage());
    return;
  }
  if (command === 'upload') return upload(rest);
  if (command === 'export') return exportCommand(rest, defaultGateway);
  if (command === 'help') {
    const [topic, ...extra] = rest;
    if (topic === undefined) process.stdout.write(mainUsage());
    else if (extra.length === 0 && isCommand(topic)) process.stdout.write(commandUsage(topic));
    else throw new UsageError(`no help for ${rest.join(' ')} (commands: ${COMMANDS.join(', ')})`, 'help');
    return;
  }
  throw new UsageError(`unknown command ${command}`);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  if (error instanceof UsageError) {
    // Exit 2, as POSIX tools do, so a script tells a wrong command line from a failed upload.
    const hint = error.command ? `domo-graph help ${error.command}` : 'domo-graph --help';
    process.stderr.write(`domo-graph: ${redactText(error.message)}\n`);
    if (!error.command) process.stderr.write(`\n${mainUsage()}`);
    else process.stderr.write(`run "${hint}" for the options\n`);
    process.exit(2);
  }
  process.stderr.write(`domo-graph: ${exitMessage(error)}\n`);
  process.exit(1);
});
