/**
 * The CLI's two kinds of failure: a usage error (the command line is wrong: exit 2 and a pointer
 * to the help) and a failed run (exit 1, with the error's stable code and every secret redacted).
 */
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { DomoError } from '../domo/errors.ts';
import { failureKindOf, uploadFailureKind } from '../errors/classify.ts';
import { failure } from '../errors/codes.ts';
import { redactText } from '../errors/redact.ts';
import { UploadArgumentError, UploadError } from '../upload/index.ts';
import type { Command } from './usage.ts';

export class CliError extends Error {
  /** The gateway's error code, when the gateway refused. */
  constructor(
    message: string,
    readonly code?: string,
  ) {
    super(message);
  }
}

/** A mistake in the command line itself: exit status 2 and a pointer to the command's help. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly command?: Command,
  ) {
    super(message);
  }
}

export function cliArg<T>(check: () => T): T {
  try {
    return check();
  } catch (error) {
    if (error instanceof UploadArgumentError) throw new UsageError(error.message, 'upload');
    throw error;
  }
}

export /** parseArgs, its own errors (an unknown option, a missing value) turned into usage errors. */
function parseCommandLine<T extends ParseArgsConfig>(command: Command, config: T) {
  try {
    return parseArgs(config);
  } catch (error) {
    if ((error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      throw new UsageError((error as Error).message, command);
    }
    throw error;
  }
}

/** The exit message: the error's own words, its code from the one table (or the gateway's), redacted. */
export function exitMessage(error: unknown): string {
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
