import { ConsoleLogger, type LogLevel } from '@nestjs/common';

const ORDER: LogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];

/** Keys whose values never reach a log line, at any depth. */
export const REDACTED_KEYS = ['authorization', 'password', 'token', 'ADMIN_TOKEN', 'MONGODB_URI', 'REDIS_URL'];

/**
 * One JSON line per event: level, time (ms), context (the module), message, and any structured fields
 * passed as the last argument ({ runId, jobId, ... }) flattened into the line.
 */
export function createLogger(level: LogLevel): ConsoleLogger {
  return new ConsoleLogger({
    json: true,
    colors: false,
    logLevels: ORDER.slice(0, ORDER.indexOf(level) + 1),
    flattenParams: true,
    redact: REDACTED_KEYS,
  });
}
