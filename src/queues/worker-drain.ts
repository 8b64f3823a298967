import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import type { WorkerHost } from '@nestjs/bullmq';
import type { Worker } from 'bullmq';
import { AppConfig } from '../config/app-config.js';

/** The reason an abandoned job's promise settles with; BullMQ never records it (see `drain`). */
export class ShutdownAbandonedJob extends Error {
  constructor(timeoutMs: number) {
    super(`shutdown: still running after ${timeoutMs} ms, left to BullMQ's stalled-job check`);
    this.name = 'ShutdownAbandonedJob';
  }
}

/**
 * Graceful stop of this process's queue workers, before anything their jobs use is closed: no new
 * jobs, the active ones finish, at most SHUTDOWN_TIMEOUT_MS. `StopWorkersFirst` runs it before any
 * other shutdown hook; its own onModuleDestroy is the fallback where the root module lacks that
 * provider (it still runs before the MongoDB and Redis clients close in onApplicationShutdown).
 */
@Injectable()
export class WorkerDrain implements OnModuleDestroy {
  private readonly logger = new Logger('Workers');
  private readonly hosts: WorkerHost[] = [];
  private draining?: Promise<void>;
  private abandonJobs!: (reason: Error) => void;
  private gaveUp = false;
  /** Rejects when the bound expires: each processor races its job against it, so close() can end. */
  readonly abandoned: Promise<never>;

  constructor(private readonly config: AppConfig) {
    this.abandoned = new Promise<never>((_, reject) => {
      this.abandonJobs = reject;
    });
    // Nobody may be racing against it when it rejects.
    this.abandoned.catch(() => undefined);
  }

  /** True once the bound has expired and the still-running jobs were left to the stalled-job check. */
  get hasAbandonedJobs(): boolean {
    return this.gaveUp;
  }

  /** Called by each processor; its worker exists only after the BullMQ explorer ran (onModuleInit). */
  add(host: WorkerHost): void {
    this.hosts.push(host);
  }

  /** Stops every worker once (later calls share the first); resolves within about SHUTDOWN_TIMEOUT_MS. */
  drain(): Promise<void> {
    this.draining ??= this.stopWorkers();
    return this.draining;
  }

  onModuleDestroy(): Promise<void> {
    return this.drain();
  }

  private async stopWorkers(): Promise<void> {
    const workers = this.hosts.map(workerOf).filter((w): w is Worker => w !== undefined);
    if (workers.length === 0) return;
    const timeoutMs = this.config.SHUTDOWN_TIMEOUT_MS;
    const busy = new Set(workers);
    // Worker.close(): fetches no new job, waits for the active ones to complete or fail, then closes its own connections.
    const closing = Promise.all(
      workers.map((w) =>
        w
          .close()
          .catch(() => undefined)
          .finally(() => busy.delete(w)),
      ),
    );
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<'expired'>((resolve) => {
      timer = setTimeout(() => resolve('expired'), timeoutMs);
    });
    const outcome = await Promise.race([closing.then(() => 'closed' as const), expired]);
    clearTimeout(timer);
    if (outcome === 'closed') return;

    const queues = [...busy].map((w) => w.name).join(', ');
    this.logger.warn(
      `workers of ${queues} still have active jobs after ${timeoutMs} ms: left to BullMQ's stalled-job check, which hands them to another worker`,
    );
    // A job cut off here must not count as a failed attempt: with the worker's own connections gone,
    // BullMQ can record neither a completion nor a failure, so the job stays active, its lock is no
    // longer renewed, and the stalled-job check of a living worker puts it back in the queue.
    await Promise.all([...busy].map((w) => w.disconnect().catch(() => undefined)));
    // Settling the jobs' promises lets the pending close() calls end, so later hooks do not wait for them.
    this.gaveUp = true;
    this.abandonJobs(new ShutdownAbandonedJob(timeoutMs));
  }
}

function workerOf(host: WorkerHost): Worker | undefined {
  try {
    return host.worker;
  } catch {
    // The app was closed before its workers were built (a failed or skipped init).
    return undefined;
  }
}

/**
 * A provider of the root module: Nest calls onModuleDestroy module by module, the root first, then
 * the feature modules (the ingestion source client closes its HTTP agent there), the global ones
 * (QueuesModule) last; the MongoDB and Redis clients close later still, in onApplicationShutdown.
 */
@Injectable()
export class StopWorkersFirst implements OnModuleDestroy {
  constructor(private readonly workers: WorkerDrain) {}

  onModuleDestroy(): Promise<void> {
    return this.workers.drain();
  }
}
