import { Injectable, Logger } from '@nestjs/common';
import { JobName, type Trigger } from '../queues/job-catalogue.js';
import { JobQueue, type EnqueueResult } from '../queues/job-queue.service.js';

/** A day's date in the cron time zone, YYYY-MM-DD: the period key of daily job ids. */
export function runDateOf(date: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(date);
}

/**
 * The whole pipeline in one file: what enqueues what. Cron handlers, REST triggers and CLI commands
 * call the `start*` methods; workers call the `after*` methods when a stage finishes.
 *
 *   cron/REST/CLI -> ingestion run --(succeeded)--> recommendation run (fan-out in batches)
 *   cron/REST/CLI -> training run --(decision)--> recommendation run; canary review after CANARY_DAYS (then daily while it waits)
 *   rollback/promotion -------------------------> recommendation run (forced)
 */
@Injectable()
export class PipelineChain {
  private readonly logger = new Logger('PipelineChain');

  constructor(private readonly jobs: JobQueue) {}

  /** Cron: one job id per day, so replicas or repeated triggers cannot double-run the day. */
  startIngestion(runDate: string, trigger: Trigger): Promise<EnqueueResult> {
    const jobId = trigger === 'cron' ? `ingestion-${runDate}` : `ingestion-${runDate}-${trigger}-${Date.now()}`;
    return this.jobs.enqueue(JobName.IngestionRun, { runDate, trigger }, jobId);
  }

  startRecommendations(runDate: string, trigger: Trigger, opts: { force?: boolean; reason?: string } = {}): Promise<EnqueueResult> {
    const daily = trigger === 'cron' || trigger === 'pipeline';
    const jobId = daily && !opts.force ? `recommendations-${runDate}` : `recommendations-${runDate}-${trigger}-${Date.now()}`;
    return this.jobs.enqueue(JobName.RecommendationRun, { runDate, trigger, ...opts }, jobId);
  }

  startTraining(runDate: string, trigger: Trigger): Promise<EnqueueResult> {
    const jobId = trigger === 'cron' ? `training-${runDate}` : `training-${runDate}-${trigger}-${Date.now()}`;
    return this.jobs.enqueue(JobName.TrainingRun, { runDate, trigger }, jobId);
  }

  startCleanup(runDate: string, trigger: Trigger): Promise<EnqueueResult> {
    return this.jobs.enqueue(
      JobName.PlaylistCleanup,
      { runDate, trigger },
      `cleanup-${runDate}${trigger === 'cron' ? '' : `-${trigger}-${Date.now()}`}`,
    );
  }

  startRetention(runDate: string, trigger: Trigger): Promise<EnqueueResult> {
    return this.jobs.enqueue(
      JobName.DataRetention,
      { runDate, trigger },
      `retention-${runDate}${trigger === 'cron' ? '' : `-${trigger}-${Date.now()}`}`,
    );
  }

  /** A successful ingestion refreshes the day's playlists (the daily id dedups the safety-net cron). */
  async afterIngestionSucceeded(runDate: string, runId: string): Promise<void> {
    const r = await this.startRecommendations(runDate, 'pipeline', { reason: `ingestion ${runId} succeeded` });
    this.logger.log(`ingestion ${runId} succeeded: recommendation run ${r.created ? 'enqueued' : 'already enqueued'}`, {
      runId,
      jobId: r.jobId,
    });
  }

  /** A model decision (canary started, promoted, rolled back) recomputes every playlist. */
  async afterModelChanged(runDate: string, reason: string, trigger: Trigger = 'pipeline'): Promise<EnqueueResult> {
    const r = await this.startRecommendations(runDate, trigger, { force: true, reason });
    this.logger.log(`model changed (${reason}): recommendation run enqueued`, { jobId: r.jobId });
    return r;
  }

  /** A canary is reviewed after CANARY_DAYS, then daily while its test waits (delayed jobs; one per version and look). */
  scheduleCanaryReview(version: string, delayMs: number, look = 1): Promise<EnqueueResult> {
    return this.jobs.enqueue(JobName.CanaryReview, { version, trigger: 'pipeline' }, this.reviewJobId(version, look), { delay: delayMs });
  }

  reviewJobId(version: string, look: number): string {
    return look === 1 ? `canary-review-${version}` : `canary-review-${version}-look-${look}`;
  }
}
