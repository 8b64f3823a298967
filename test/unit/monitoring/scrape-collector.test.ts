import { register } from 'prom-client';
import { beforeEach, describe, expect, it } from 'vitest';
import type { AppConfig } from '../../../src/config/app-config.js';
import { PipelineMetrics } from '../../../src/monitoring/pipeline-metrics.js';
import type { RunRecord, RunRecordsRepository } from '../../../src/monitoring/run-records.repository.js';
import { runGauges, ScrapeCollector } from '../../../src/monitoring/scrape-collector.service.js';
import type { JobQueue } from '../../../src/queues/job-queue.service.js';

const NOW = Date.parse('2026-03-10T12:00:00Z');
const config = { HEALTH_CHECK_TIMEOUT_MS: 100 } as AppConfig;
const never = () => new Promise<never>(() => undefined);

function fakeQueues(counts: () => Promise<Record<string, number>>) {
  return { all: () => ['ingestion', 'training'].map((name) => ({ name, getJobCounts: counts })) } as unknown as JobQueue;
}
function fakeRuns(r: { ingestion?: RunRecord | null; recommendations?: RunRecord | null; production?: RunRecord | null; hang?: boolean }) {
  return {
    lastSuccess: (stage: 'ingestion' | 'recommendations') => (r.hang ? never() : Promise.resolve(r[stage] ?? null)),
    productionModel: () => (r.hang ? never() : Promise.resolve(r.production ?? null)),
  } as unknown as RunRecordsRepository;
}
async function value(name: string, labels: Record<string, string> = {}): Promise<number | undefined> {
  const metric = register.getSingleMetric(name)!;
  const { values } = await metric.get();
  return values.find((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l))?.value;
}

describe('gauges computed from the run collections', () => {
  it('stamps every endpoint of the last successful ingestion, and reads the recommendation run fields', () => {
    const g = runGauges(
      {
        ingestion: { _id: 'i1', finished_at: new Date(NOW - 3_600_000), endpoints: [{ endpoint: 'tracks' }, { endpoint: 'users' }] },
        recommendations: {
          _id: 'r1',
          finished_at: new Date(NOW - 600_000).toISOString(),
          coverage_ratio: 0.93,
          oldest_playlist_at: new Date(NOW - 86_400_000),
        },
        production: { _id: 'x', version: 'v4' },
      },
      NOW,
    );
    expect(g.ingestionLastSuccess).toEqual({ tracks: (NOW - 3_600_000) / 1000, users: (NOW - 3_600_000) / 1000 });
    expect(g.recommendationLastSuccess).toBe((NOW - 600_000) / 1000);
    expect(g.recommendationCoverage).toBe(0.93);
    expect(g.recommendationFreshness).toBe(86_400);
    expect(g.productionVersion).toBe('v4');
  });

  it('falls back to the three source endpoints, and leaves absent values to the stages', () => {
    const g = runGauges({ ingestion: { _id: 'i1', finished_at: new Date(NOW) }, recommendations: null, production: null }, NOW);
    expect(Object.keys(g.ingestionLastSuccess).sort()).toEqual(['listen_history', 'tracks', 'users']);
    expect(g).toMatchObject({
      recommendationLastSuccess: null,
      recommendationFreshness: null,
      recommendationCoverage: null,
      productionVersion: null,
    });
  });

  it('ignores a record without a readable finish time', () => {
    expect(
      runGauges({ ingestion: { _id: 'i1', finished_at: 'not a date' }, recommendations: null, production: null }, NOW).ingestionLastSuccess,
    ).toEqual({});
  });
});

describe('ScrapeCollector', () => {
  let metrics: PipelineMetrics;
  beforeEach(() => {
    metrics = new PipelineMetrics();
    metrics.queueJobs.reset();
    metrics.modelProductionVersion.reset();
  });

  it('sets one queue gauge per queue and state from getJobCounts', async () => {
    const c = new ScrapeCollector(
      metrics,
      fakeQueues(async () => ({ waiting: 4, active: 1, failed: 2 })),
      fakeRuns({}),
      config,
    );
    await c.collectQueues();
    expect(await value('moovitamix_queue_jobs', { queue: 'ingestion', state: 'waiting' })).toBe(4);
    expect(await value('moovitamix_queue_jobs', { queue: 'training', state: 'failed' })).toBe(2);
    expect(await value('moovitamix_queue_jobs', { queue: 'training', state: 'delayed' })).toBe(0);
  });

  it('drops the queue gauges and counts an error when BullMQ does not answer in time', async () => {
    const before = (await value('moovitamix_scrape_collect_errors_total', { source: 'queues' })) ?? 0;
    await new ScrapeCollector(
      metrics,
      fakeQueues(async () => ({ waiting: 4 })),
      fakeRuns({}),
      config,
    ).collectQueues();
    await new ScrapeCollector(metrics, fakeQueues(never), fakeRuns({}), config).collectQueues();
    expect(await value('moovitamix_queue_jobs', { queue: 'ingestion', state: 'waiting' })).toBeUndefined();
    expect(await value('moovitamix_scrape_collect_errors_total', { source: 'queues' })).toBe(before + 1);
  });

  it('sets the freshness gauges and the production version from one read of the run collections', async () => {
    const c = new ScrapeCollector(
      metrics,
      fakeQueues(async () => ({})),
      fakeRuns({
        ingestion: { _id: 'i', finished_at: new Date(NOW - 1000) },
        recommendations: { _id: 'r', finished_at: new Date(NOW - 2000), coverage_ratio: 0.5 },
        production: { _id: 'v9' },
      }),
      config,
    );
    c.now = () => NOW;
    metrics.modelProductionVersion.set({ version: 'v8' }, 1);
    await c.collectRuns();
    expect(await value('moovitamix_ingestion_last_success_timestamp_seconds', { endpoint: 'users' })).toBe((NOW - 1000) / 1000);
    expect(await value('moovitamix_recommendation_last_success_timestamp_seconds')).toBe((NOW - 2000) / 1000);
    expect(await value('moovitamix_recommendation_coverage_ratio')).toBe(0.5);
    expect(await value('moovitamix_model_production_version_info', { version: 'v9' })).toBe(1);
    expect(await value('moovitamix_model_production_version_info', { version: 'v8' })).toBeUndefined();
  });

  it('keeps the last values and counts an error when the run collections hang', async () => {
    metrics.recommendationCoverage.set(0.77);
    const before = (await value('moovitamix_scrape_collect_errors_total', { source: 'runs' })) ?? 0;
    await new ScrapeCollector(
      metrics,
      fakeQueues(async () => ({})),
      fakeRuns({ hang: true }),
      config,
    ).collectRuns();
    expect(await value('moovitamix_recommendation_coverage_ratio')).toBe(0.77);
    expect(await value('moovitamix_scrape_collect_errors_total', { source: 'runs' })).toBe(before + 1);
  });

  it('runs its hooks when the registry is scraped, and stops when the module is destroyed', async () => {
    let reads = 0;
    const c = new ScrapeCollector(
      metrics,
      fakeQueues(async () => (reads++, { waiting: 7 })),
      fakeRuns({}),
      config,
    );
    c.onModuleInit();
    expect(await register.metrics()).toContain('moovitamix_queue_jobs{queue="ingestion",state="waiting"} 7');
    expect(reads).toBe(2);
    c.onModuleDestroy();
    await register.metrics();
    expect(reads).toBe(2);
  });
});
