import { Injectable } from '@nestjs/common';
import {
  Counter,
  Gauge,
  Histogram,
  register,
  type CounterConfiguration,
  type GaugeConfiguration,
  type HistogramConfiguration,
} from 'prom-client';
import { JOB_QUEUE } from '../queues/job-catalogue.js';
import { HotCounter, HotHistogram, hotMetric } from './hot-metrics.js';
import { SOURCE_ENDPOINTS } from './run-record-reads.js';

/** Prefix of every metric of ours. */
export const METRIC_PREFIX = 'moovitamix_';

// Several Nest applications can live in one process (tests, role `all`): reuse a metric that exists.
function counter<L extends string>(cfg: CounterConfiguration<L>): Counter<L> {
  return (register.getSingleMetric(cfg.name) as Counter<L> | undefined) ?? new Counter(cfg);
}
function gauge<L extends string>(cfg: GaugeConfiguration<L>): Gauge<L> {
  return (register.getSingleMetric(cfg.name) as Gauge<L> | undefined) ?? new Gauge(cfg);
}
function histogram<L extends string>(cfg: HistogramConfiguration<L>): Histogram<L> {
  return (register.getSingleMetric(cfg.name) as Histogram<L> | undefined) ?? new Histogram(cfg);
}

/**
 * Work to do when a gauge is scraped (reading BullMQ counts or the run collections), so the value is
 * fresh and survives restarts. Hooks are added by each application and removed when it closes.
 */
export type ScrapeHook = () => Promise<void>;
const scrapeHooks = new Map<string, Set<ScrapeHook>>();

export function addScrapeHook(metric: Gauge<string>, hook: ScrapeHook): () => void {
  const metricName = (metric as unknown as { name: string }).name;
  const set = scrapeHooks.get(metricName) ?? new Set<ScrapeHook>();
  scrapeHooks.set(metricName, set);
  set.add(hook);
  return () => set.delete(hook);
}

/** Runs the hooks of a metric; a failing hook leaves the last values (it reports its own error). */
export async function runScrapeHooks(metricName: string): Promise<void> {
  await Promise.all([...(scrapeHooks.get(metricName) ?? [])].map((h) => h().catch(() => undefined)));
}

const scraped = (name: string) => ({ name, collect: () => runScrapeHooks(name) });

const RUN_BUCKETS = [0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600, 1200, 3600];

/**
 * Every pipeline metric, declared once with its help text (names and labels as in
 * docs/architecture.md; reference in docs/observability.md). Services inject this and move the metrics; /metrics exposes them.
 */
@Injectable()
export class PipelineMetrics {
  // Ingestion
  readonly ingestionRequests = counter({
    name: `${METRIC_PREFIX}ingestion_requests_total`,
    help: 'Source API requests by endpoint and outcome (ok, http_4xx, http_5xx, http_429, timeout, network, invalid_body).',
    labelNames: ['endpoint', 'outcome'],
  });
  readonly ingestionRequestDuration = histogram({
    name: `${METRIC_PREFIX}ingestion_request_duration_seconds`,
    help: 'Duration of one source API request, retries counted separately.',
    labelNames: ['endpoint'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  });
  readonly ingestionRunDuration = histogram({
    name: `${METRIC_PREFIX}ingestion_run_duration_seconds`,
    help: 'Duration of ingesting one endpoint in a run.',
    labelNames: ['endpoint'],
    buckets: RUN_BUCKETS,
  });
  readonly ingestionRecords = counter({
    name: `${METRIC_PREFIX}ingestion_records_total`,
    help: 'Records ingested by endpoint and result (inserted, updated, unchanged, rejected, quarantined: a listen history that was not an append of the stored one, kept as stored).',
    labelNames: ['endpoint', 'result'],
  });
  readonly ingestionRuns = counter({
    name: `${METRIC_PREFIX}ingestion_runs_total`,
    help: 'Finished ingestion runs by status (succeeded, succeeded_with_rejections, failed).',
    labelNames: ['status'],
  });
  readonly ingestionChainHeld = counter({
    name: `${METRIC_PREFIX}ingestion_chain_held_total`,
    help: 'Finished ingestion runs that did not enqueue the recommendation run, by reason (empty: the source sent nothing; quarantined: records set aside; unsettled: pages that never settled; shrunk: the source reports far fewer records than stored).',
    labelNames: ['reason'],
  });
  readonly ingestionRetries = counter({
    name: `${METRIC_PREFIX}ingestion_retries_total`,
    help: 'Source requests retried, by endpoint and reason.',
    labelNames: ['endpoint', 'reason'],
  });
  readonly ingestionLastSuccess = gauge({
    ...scraped(`${METRIC_PREFIX}ingestion_last_success_timestamp_seconds`),
    help: 'Unix time of the last successful ingestion of each endpoint.',
    labelNames: ['endpoint'],
  });
  readonly ingestionLastRunRecords = gauge({
    name: `${METRIC_PREFIX}ingestion_last_run_records`,
    help: 'Records fetched from each endpoint by the last finished run.',
    labelNames: ['endpoint'],
  });
  readonly ingestionVolumeAnomaly = gauge({
    name: `${METRIC_PREFIX}ingestion_volume_anomaly_score`,
    help: "Robust z-score of the last run's record count against recent runs (|score| above ANOMALY_THRESHOLD is anomalous).",
    labelNames: ['endpoint'],
  });
  readonly ingestionDurationAnomaly = gauge({
    name: `${METRIC_PREFIX}ingestion_duration_anomaly_score`,
    help: "Robust z-score of the last run's duration against recent runs.",
    labelNames: ['endpoint'],
  });
  readonly ingestionRejectedRatio = gauge({
    name: `${METRIC_PREFIX}ingestion_rejected_ratio`,
    help: 'Share of fetched records rejected by validation in the last run (data quality).',
    labelNames: ['endpoint'],
  });

  // Recommendations
  readonly recommendationRunDuration = histogram({
    name: `${METRIC_PREFIX}recommendation_run_duration_seconds`,
    help: 'Duration of a recommendation run, from enqueue of its batches to the last batch.',
    buckets: RUN_BUCKETS,
  });
  readonly recommendationUsers = counter({
    name: `${METRIC_PREFIX}recommendation_users_total`,
    help: 'Users processed by recommendation runs, by outcome (computed, skipped, failed) and variant.',
    labelNames: ['outcome', 'variant'],
  });
  readonly recommendationCoverage = gauge({
    ...scraped(`${METRIC_PREFIX}recommendation_coverage_ratio`),
    help: 'Share of active users with a playlist younger than a day.',
  });
  readonly recommendationFreshness = gauge({
    ...scraped(`${METRIC_PREFIX}recommendation_freshness_seconds`),
    help: 'Age of the oldest playlist that can be served.',
  });
  readonly recommendationLastSuccess = gauge({
    ...scraped(`${METRIC_PREFIX}recommendation_last_success_timestamp_seconds`),
    help: 'Unix time of the last successful recommendation run.',
  });
  // Moved on every read of the hot route: hot metrics (same exposition, cheaper updates).
  readonly recommendationCacheRequests = hotMetric(
    `${METRIC_PREFIX}recommendation_cache_requests_total`,
    () =>
      new HotCounter(
        `${METRIC_PREFIX}recommendation_cache_requests_total`,
        'Recommendation reads by where they were answered from (hit = Redis, miss_store = MongoDB, miss_cold_start = cold-start list).',
        ['result'],
      ),
  );
  readonly recommendationScoringFallbacks = counter({
    name: `${METRIC_PREFIX}recommendation_scoring_fallbacks_total`,
    help: "Times a worker process lost its model-scoring threads and went on scoring on the job's own thread (its batches then take about twice as long).",
  });
  readonly recommendationServed = hotMetric(
    `${METRIC_PREFIX}recommendation_served_total`,
    () => new HotCounter(`${METRIC_PREFIX}recommendation_served_total`, 'Recommendation lists served, by A/B variant.', ['variant']),
  );

  // Models
  readonly modelMetric = gauge({
    name: `${METRIC_PREFIX}model_metric`,
    help: 'Offline metric of a model version on its held-out split (ndcg_at_10, precision_at_10, recall_at_10, map_at_10, coverage_at_10).',
    labelNames: ['version', 'metric'],
  });
  readonly modelProductionVersion = gauge({
    ...scraped(`${METRIC_PREFIX}model_production_version_info`),
    help: '1 for the model version in production (0 once replaced).',
    labelNames: ['version'],
  });
  readonly modelDrift = gauge({
    name: `${METRIC_PREFIX}model_drift_psi`,
    help: 'Population stability index of a feature between the training window and the last 7 days.',
    labelNames: ['feature'],
  });
  readonly trainingRuns = counter({
    name: `${METRIC_PREFIX}training_runs_total`,
    help: 'Finished training runs by decision (canary, promoted, rejected, failed).',
    labelNames: ['decision'],
  });

  // Queues
  readonly queueJobs = gauge({
    ...scraped(`${METRIC_PREFIX}queue_jobs`),
    help: 'Jobs in each queue by state (waiting, active, delayed, prioritized, waiting-children, failed, completed), read from BullMQ at scrape time.',
    labelNames: ['queue', 'state'],
  });
  readonly jobDuration = histogram({
    name: `${METRIC_PREFIX}job_duration_seconds`,
    help: 'Processing time of a job attempt, by queue, job name and outcome (completed, failed). The label is job_name, since Prometheus reserves job for the scrape job.',
    labelNames: ['queue', 'job_name', 'outcome'],
    buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 1200, 3600],
  });
  readonly jobFailures = counter({
    name: `${METRIC_PREFIX}job_failures_total`,
    help: 'Failed job attempts (each is retried until its attempts run out) by queue and job name.',
    labelNames: ['queue', 'job_name'],
  });

  // Scrape-time collection (queue counts, run collections)
  readonly scrapeErrors = counter({
    name: `${METRIC_PREFIX}scrape_collect_errors_total`,
    help: 'Failures or timeouts reading a source at scrape time (source: queues, runs); the affected gauges keep their last values or are dropped.',
    labelNames: ['source'],
  });

  // HTTP
  readonly httpDuration = hotMetric(
    `${METRIC_PREFIX}http_request_duration_seconds`,
    () =>
      new HotHistogram(
        `${METRIC_PREFIX}http_request_duration_seconds`,
        'HTTP request duration by method, route template and status code.',
        ['method', 'route', 'status'],
        [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      ),
  );

  constructor() {
    // Counters with known label values start at 0: increase() cannot see a series' first increment
    // from nothing, so an alert on the first failed run of a process needs the 0 before it.
    for (const status of ['succeeded', 'succeeded_with_rejections', 'failed']) this.ingestionRuns.inc({ status }, 0);
    for (const reason of ['empty', 'quarantined', 'unsettled', 'shrunk']) this.ingestionChainHeld.inc({ reason }, 0);
    for (const endpoint of SOURCE_ENDPOINTS) {
      for (const outcome of ['ok', 'http_4xx', 'http_5xx', 'http_429', 'timeout', 'network', 'invalid_body'])
        this.ingestionRequests.inc({ endpoint, outcome }, 0);
      for (const result of ['inserted', 'updated', 'unchanged', 'rejected', 'quarantined'])
        this.ingestionRecords.inc({ endpoint, result }, 0);
    }
    for (const [job, queue] of Object.entries(JOB_QUEUE)) this.jobFailures.inc({ queue, job_name: job }, 0);
    for (const decision of ['canary', 'promoted', 'rejected', 'failed']) this.trainingRuns.inc({ decision }, 0);
    for (const result of ['hit', 'miss_store', 'miss_cold_start']) this.recommendationCacheRequests.with(result);
    this.recommendationScoringFallbacks.inc(0);
  }
}
