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

export const COMMANDS = ['upload', 'help'] as const;
export type Command = (typeof COMMANDS)[number];

export function mainUsage(): string {
  return `usage: domo-graph <command> [options]

commands:
  upload FILE --dataset ID   stream a CSV file into a Domo dataset, with a progress bar
  help [COMMAND]             show this text, or a command's options

options:
  -h, --help                 show help (after a command: that command's help)
  -v, --version              print the version

Run "domo-graph help upload" for the upload options.
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

export function helpUsage(): string {
  return `usage: domo-graph help [COMMAND]

Shows the list of commands, or COMMAND's options (${COMMANDS.join(', ')}).
`;
}
