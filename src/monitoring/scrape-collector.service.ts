import { Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { JobQueue } from '../queues/job-queue.service.js';
import { addScrapeHook, PipelineMetrics } from './pipeline-metrics.js';
import { dateField, numberField, runEndpoints, RunRecordsRepository, type RunRecord } from './run-records.repository.js';
import { withTimeout } from './timeout.js';

/** The gauges of one scrape are collected together: they share one read of the run collections. */
const SNAPSHOT_REUSE_MS = 250;

/** BullMQ states exported by moovitamix_queue_jobs. */
export const QUEUE_STATES = ['waiting', 'active', 'delayed', 'prioritized', 'waiting-children', 'failed', 'completed'] as const;

/** What the run collections say, read once per scrape for every gauge that depends on them. */
export interface RunSnapshot {
  ingestion: RunRecord | null;
  recommendations: RunRecord | null;
  production: RunRecord | null;
}

/** The gauge values a snapshot gives at `nowMs`; null leaves the gauge to the stage that moves it. */
export interface RunGauges {
  ingestionLastSuccess: Record<string, number>;
  recommendationLastSuccess: number | null;
  recommendationFreshness: number | null;
  recommendationCoverage: number | null;
  productionVersion: string | null;
}

export function runGauges(s: RunSnapshot, nowMs: number): RunGauges {
  const ingestionLastSuccess: Record<string, number> = {};
  const ingestedAt = dateField(s.ingestion, 'finished_at');
  if (s.ingestion && ingestedAt) {
    for (const endpoint of runEndpoints(s.ingestion)) ingestionLastSuccess[endpoint] = ingestedAt.getTime() / 1000;
  }
  const recommendedAt = dateField(s.recommendations, 'finished_at');
  const oldestPlaylist = dateField(s.recommendations, 'oldest_playlist_at');
  const version = s.production?.version ?? s.production?._id;
  return {
    ingestionLastSuccess,
    recommendationLastSuccess: recommendedAt ? recommendedAt.getTime() / 1000 : null,
    recommendationFreshness: oldestPlaylist ? Math.max(0, (nowMs - oldestPlaylist.getTime()) / 1000) : null,
    recommendationCoverage: numberField(s.recommendations, 'coverage_ratio', 'coverage'),
    productionVersion: version === undefined || version === null ? null : String(version),
  };
}

/**
 * Gauges computed when /metrics is scraped: queue counts from BullMQ, and the freshness gauges from
 * the run collections (so every process reports them, and they survive restarts). Each read has
 * HEALTH_CHECK_TIMEOUT_MS; a failure is counted in moovitamix_scrape_collect_errors_total.
 */
@Injectable()
export class ScrapeCollector implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('Metrics');
  private readonly removers: Array<() => void> = [];
  private snapshot?: { at: number; value: Promise<RunSnapshot> };
  /** Replaceable clock of the computed ages (tests). */
  now: () => number = Date.now;

  constructor(
    private readonly metrics: PipelineMetrics,
    private readonly jobs: JobQueue,
    private readonly runs: RunRecordsRepository,
    private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    const m = this.metrics;
    this.removers.push(addScrapeHook(m.queueJobs, () => this.collectQueues()));
    for (const g of [
      m.ingestionLastSuccess,
      m.recommendationLastSuccess,
      m.recommendationFreshness,
      m.recommendationCoverage,
      m.modelProductionVersion,
    ]) {
      this.removers.push(addScrapeHook(g, () => this.collectRuns()));
    }
  }

  onModuleDestroy(): void {
    for (const remove of this.removers.splice(0)) remove();
  }

  async collectQueues(): Promise<void> {
    const timeout = this.config.HEALTH_CHECK_TIMEOUT_MS;
    try {
      const read = await withTimeout(
        Promise.all(this.jobs.all().map(async (q) => ({ queue: q.name, counts: await q.getJobCounts(...QUEUE_STATES) }))),
        timeout,
        `queue counts not read within ${timeout} ms`,
      );
      for (const { queue, counts } of read) {
        for (const state of QUEUE_STATES) this.metrics.queueJobs.set({ queue, state }, counts[state] ?? 0);
      }
    } catch (err) {
      // Stale counts would hide a backlog: drop them until Redis answers again.
      this.metrics.queueJobs.reset();
      this.metrics.scrapeErrors.inc({ source: 'queues' });
      this.logger.warn(`queue counts unavailable: ${(err as Error).message}`);
    }
  }

  async collectRuns(): Promise<void> {
    let snap: RunSnapshot;
    try {
      snap = await this.readSnapshot();
    } catch (err) {
      this.metrics.scrapeErrors.inc({ source: 'runs' });
      this.logger.warn(`run collections unavailable: ${(err as Error).message}`);
      return;
    }
    const g = runGauges(snap, this.now());
    const m = this.metrics;
    for (const [endpoint, ts] of Object.entries(g.ingestionLastSuccess)) m.ingestionLastSuccess.set({ endpoint }, ts);
    if (g.recommendationLastSuccess !== null) m.recommendationLastSuccess.set(g.recommendationLastSuccess);
    if (g.recommendationFreshness !== null) m.recommendationFreshness.set(g.recommendationFreshness);
    if (g.recommendationCoverage !== null) m.recommendationCoverage.set(g.recommendationCoverage);
    if (g.productionVersion !== null) {
      m.modelProductionVersion.reset();
      m.modelProductionVersion.set({ version: g.productionVersion }, 1);
    }
  }

  /** One read of the run collections per scrape: the five gauges' collects share it. */
  private readSnapshot(): Promise<RunSnapshot> {
    const now = performance.now();
    if (this.snapshot && now - this.snapshot.at < SNAPSHOT_REUSE_MS) return this.snapshot.value;
    const timeout = this.config.HEALTH_CHECK_TIMEOUT_MS;
    const value = withTimeout(
      Promise.all([this.runs.lastSuccess('ingestion'), this.runs.lastSuccess('recommendations'), this.runs.productionModel()]).then(
        ([ingestion, recommendations, production]) => ({ ingestion, recommendations, production }),
      ),
      timeout,
      `run collections not read within ${timeout} ms`,
    );
    this.snapshot = { at: now, value };
    value.catch(() => {
      if (this.snapshot?.value === value) this.snapshot = undefined;
    });
    return value;
  }
}
