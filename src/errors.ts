import { OptionError } from './options.js';
import { paint } from './ui.js';

/** Exit codes, documented in README.md. */
export const EXIT_FAILURE = 1;
/** 128 + SIGINT: the conventional code for "the user interrupted". */
export const EXIT_CANCELLED = 130;

/** A problem the user can fix; printed as one line, no stack trace. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT_FAILURE,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** The user answered a prompt with Ctrl-C / Escape, or declined to continue. Nothing has been written. */
export class CancelledError extends CliError {
  constructor(message = 'Cancelled: nothing was written.') {
    super(message, EXIT_CANCELLED);
    this.name = 'CancelledError';
  }
}

/** EACCES, ENOSPC, EROFS...: the machine's problem, explained well enough by its message. */
function isSystemError(error: unknown): error is NodeJS.ErrnoException {
  return error instanceof Error && typeof (error as NodeJS.ErrnoException).code === 'string' && 'syscall' in error;
}

export function printError(message: string, json: boolean): void {
  process.stderr.write(`${paint(process.stderr, 'red', 'error:')} ${message}\n`);
  if (json) process.stdout.write(`${JSON.stringify({ ok: false, error: { message } }, null, 2)}\n`);
}

/**
 * Reports a command's failure as one line and returns the exit code: problems the user can fix
 * without a stack trace, anything unexpected with one, to report.
 */
export function reportFailure(error: unknown, json: boolean): number {
  if (error instanceof CliError) {
    printError(error.message, json);
    return error.exitCode;
  }
  if (error instanceof OptionError || isSystemError(error)) {
    printError(error.message, json);
    return EXIT_FAILURE;
  }
  printError(`unexpected failure, please report it: ${(error as Error).stack ?? String(error)}`, json);
  return EXIT_FAILURE;
}
