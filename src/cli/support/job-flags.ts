import { parseArgs } from 'node:util';
import type { LogLevel } from '@nestjs/common';
import { UsageError } from './parse-options.js';

/** The flags of the commands that enqueue a job and wait for it (ingest, recommend, train). */
export interface JobFlags {
  /** How long to wait for the run, in seconds (--timeout). */
  timeoutS: number;
  /** The pipeline's own log lines on stderr (--verbose). */
  verbose: boolean;
  /** The run date (--date YYYY-MM-DD), when the command takes one and it was given. */
  date?: string;
  /** --force, when the command takes it. */
  force: boolean;
  /** What the user should know about the flags given (an old spelling). */
  notes: string[];
}

export interface JobFlagSpec {
  defaultTimeoutS: number;
  /** The command takes --date YYYY-MM-DD. */
  date?: boolean;
  /** The command takes --force. */
  force?: boolean;
}

/** The usage lines of the flags every job command takes. */
export function commonFlagsUsage(defaultTimeoutS: number): string {
  return `  --timeout SECONDS   how long to wait for the run (${defaultTimeoutS}); --timeout-s, the old spelling, is read the same way
  --verbose           the pipeline's JSON log lines on stderr (otherwise only warnings and errors, unless LOG_LEVEL is set)
  --help              this text`;
}

/**
 * Strict parse of a job command's flags: `--timeout SECONDS` (also `--timeout-s`, the spelling
 * `recommend` and `cycle` used, read the same way with a note), `--verbose`, `--help`, and `--date`
 * / `--force` where the command takes them. A mistake is a UsageError (exit 2); null is --help.
 */
export function parseJobFlags(argv: readonly string[], spec: JobFlagSpec): JobFlags | null {
  const options: Record<string, { type: 'string' | 'boolean' }> = {
    timeout: { type: 'string' },
    'timeout-s': { type: 'string' },
    verbose: { type: 'boolean' },
    help: { type: 'boolean' },
  };
  if (spec.date) options.date = { type: 'string' };
  if (spec.force) options.force = { type: 'boolean' };
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({ args: [...argv], strict: true, allowPositionals: false, options }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (values.help) return null;
  const notes: string[] = [];
  if (values.timeout !== undefined && values['timeout-s'] !== undefined)
    throw new UsageError('give --timeout only (--timeout-s is its old spelling)');
  let timeoutS = spec.defaultTimeoutS;
  const rawTimeout = (values.timeout ?? values['timeout-s']) as string | undefined;
  const timeoutName = values.timeout !== undefined ? '--timeout' : '--timeout-s';
  if (values['timeout-s'] !== undefined) notes.push('--timeout-s is the old spelling of --timeout: read as --timeout');
  if (rawTimeout !== undefined) {
    if (!/^\d+$/.test(rawTimeout) || Number(rawTimeout) < 1)
      throw new UsageError(`${timeoutName} expects a positive integer (seconds), got ${JSON.stringify(rawTimeout)}`);
    timeoutS = Number(rawTimeout);
  }
  const date = values.date as string | undefined;
  if (date !== undefined && (!/^\d{4}-\d{2}-\d{2}$/.test(date) || Number.isNaN(Date.parse(`${date}T00:00:00Z`))))
    throw new UsageError(`--date expects YYYY-MM-DD, got ${JSON.stringify(date)}`);
  return { timeoutS, verbose: values.verbose === true, date, force: values.force === true, notes };
}

/**
 * The log level of a command: LOG_LEVEL when the user set it in the environment, at least
 * `log` with --verbose, otherwise `warn`, so that Nest's boot lines stay out of the way.
 */
export function commandLogLevel(verbose: boolean, userLevel: string | undefined): LogLevel {
  const order: LogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];
  const user = order.find((l) => l === userLevel);
  if (verbose) return user && order.indexOf(user) > order.indexOf('log') ? user : 'log';
  return user ?? 'warn';
}
