/**
 * The CLI's help texts and version. Every default is rendered as its value (the gateway URL with
 * the port this environment configures), never as a variable name left for a shell to expand.
 */
import { readFileSync } from 'node:fs';
import { DEFAULT_PART_SIZE } from '../upload/index.ts';

/** The version in package.json, read at run time so a release never needs a second edit. */
export function cliVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version?: unknown;
  };
  return typeof pkg.version === 'string' ? pkg.version : 'unknown';
}

export const COMMANDS = ['upload', 'export', 'help'] as const;
export type Command = (typeof COMMANDS)[number];

export function mainUsage(): string {
  return `usage: domo-graph <command> [options]

commands:
  upload FILE --dataset ID   stream a CSV file into a Domo dataset, with a progress bar
  export --dataset ID -o FILE
                             download a dataset or a query as CSV or NDJSON, with a progress line
  help [COMMAND]             show this text, or a command's options

options:
  -h, --help                 show help (after a command: that command's help)
  -v, --version              print the version

Run "domo-graph help upload" or "domo-graph help export" for their options.
Exit status: 0 on success, 1 when the work failed, 2 on a usage error.
`;
}

/** `gateway` is the default gateway URL, resolved from this environment's PORT setting. */
export function uploadUsage(gateway: string): string {
  return `usage: domo-graph upload FILE --dataset ID [options]

Streams FILE (CSV) through a running gateway's PUT /v1/datasets/ID/upload, or with --direct
straight to Domo, and prints a summary once Domo committed it.

  --dataset ID                          the dataset to load (required)
  --mode append|replace|upsert|delete   how the rows change the dataset (default append)
  --tag TAG                             partition tag (dataTag)
  --no-header                           the file has no header row
  --message TEXT                        commit message
  --part-size-kb N                      part size in KiB, 1 to 262144 (default ${DEFAULT_PART_SIZE / 1024})
  --gateway URL                         gateway to stream through (default ${gateway})
  --token TOKEN                         Domo developer token (default: the gateway's own, or DOMO_DEVELOPER_TOKEN)
  --direct                              upload straight to Domo (DOMO_INSTANCE or DOMO_BASE_URL and a token)
  -h, --help                            show this text
`;
}

/** `gateway` is the default gateway URL, resolved from this environment's PORT setting. */
export function exportUsage(gateway: string): string {
  return `usage: domo-graph export --dataset ID -o FILE [options]

Downloads a dataset, or the rows of a query, through a running gateway's
GET /v1/datasets/ID/export into FILE, with a progress line (bytes, rows, rate) and a summary.
The data goes to FILE.partial first and is renamed to FILE only once the export ended whole:
a broken export leaves no FILE.

  --dataset ID                   the dataset to export (required)
  -o, --output FILE              where to write it (required)
  --format csv|ndjson            CSV (header row, nulls as \\N) or one JSON object per line (default csv)
  --sql SQL                      export this query's answer instead of the whole dataset
  --where JSON                   only these rows: the GraphQL rows field's where, e.g. '{"column":"region","eq":"West"}'
  --order-by JSON                their order: '[{"column":"amount","direction":"DESC"}]'
  --gateway URL                  gateway to export through (default ${gateway})
  --token TOKEN                  Domo developer token (default: the gateway's own, or DOMO_DEVELOPER_TOKEN)
  --api-key KEY                  the gateway's API key, when it requires one (GATEWAY_API_KEYS)
  -h, --help                     show this text
`;
}

export function helpUsage(): string {
  return `usage: domo-graph help [COMMAND]

Shows the list of commands, or COMMAND's options (${COMMANDS.join(', ')}).
`;
}
