import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { Redis } from 'ioredis';
import { JobQueue } from '../queues/job-queue.service.js';
import { REDIS } from '../redis/redis.module.js';

/** One warning per connection per interval while its connection fails, instead of a stack trace per retry. */
export const CONNECTION_ERROR_LOG_INTERVAL_MS = 10_000;

/**
 * Listens to the connection errors of each BullMQ queue and of the shared Redis client (without a
 * listener, every failed reconnect is printed to stderr as plain text) and writes them as
 * rate-limited JSON warnings.
 */
@Injectable()
export class ConnectionErrorLog implements OnModuleInit {
  private readonly logger = new Logger('Connections');
  private readonly last = new Map<string, { at: number; suppressed: number }>();
  /** Replaceable clock for tests. */
  now: () => number = Date.now;

  constructor(
    private readonly jobs: JobQueue,
    @Inject(REDIS) private readonly redis: Redis,
  ) {}

  onModuleInit(): void {
    for (const q of this.jobs.all()) q.on('error', (err: Error) => this.report(`queue ${q.name}`, err));
    this.jobs.flowProducer().on('error', (err: Error) => this.report('flow producer', err));
    this.redis.on('error', (err: Error) => this.report('redis client', err));
  }

  report(connection: string, err: Error): void {
    const now = this.now();
    const seen = this.last.get(connection);
    if (seen && now - seen.at < CONNECTION_ERROR_LOG_INTERVAL_MS) {
      seen.suppressed += 1;
      return;
    }
    this.last.set(connection, { at: now, suppressed: 0 });
    this.logger.warn(`${connection}: connection error: ${err.message}`, { connection, suppressed: seen?.suppressed ?? 0 });
  }
}
