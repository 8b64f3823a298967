import { ConsoleLogger, type LogLevel } from '@nestjs/common';

const ORDER: LogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];

/** Keys whose values never reach a log line, at any depth. */
export const REDACTED_KEYS = ['authorization', 'password', 'token', 'ADMIN_TOKEN', 'MONGODB_URI', 'REDIS_URL'];

/**
 * One JSON line per event: level, time (ms), context (the module), message, and any structured fields
 * passed as the last argument ({ runId, jobId, ... }) flattened into the line.
 */
export function createLogger(level: LogLevel, options: { stderr?: boolean } = {}): ConsoleLogger {
  return new (options.stderr ? StderrLogger : ConsoleLogger)({
    json: true,
    colors: false,
    logLevels: ORDER.slice(0, ORDER.indexOf(level) + 1),
    flattenParams: true,
    redact: REDACTED_KEYS,
  });
}

/** Every line on stderr: the commands keep stdout for what they print for people. */
class StderrLogger extends ConsoleLogger {
  protected override printMessages(
    messages: unknown[],
    context?: string,
    logLevel?: LogLevel,
    _writeStreamType?: 'stdout' | 'stderr',
    errorStack?: unknown,
    params?: unknown,
  ): void {
    (super.printMessages as (...args: unknown[]) => void).call(this, messages, context, logLevel, 'stderr', errorStack, params);
  }
}
