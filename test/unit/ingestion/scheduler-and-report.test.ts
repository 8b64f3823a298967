import { SchedulerRegistry } from '@nestjs/schedule';
import { Logger } from '@nestjs/common';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import type { AppConfig } from '../../../src/config/app-config.js';
import { emptyEndpointRun } from '../../../src/ingestion/ingestion-runs.repository.js';
import { INGESTION_CRON_NAME, IngestionScheduler } from '../../../src/ingestion/ingestion.scheduler.js';
import type { IngestionRunDoc } from '../../../src/ingestion/ingestion.schemas.js';
import { renderRunSummary } from '../../../src/tools/ingestion-report.js';
import { cronMethodsOf } from '../../../src/pipeline/cron-enqueue.js';
import type { PipelineChain } from '../../../src/pipeline/pipeline-chain.service.js';

// The service logs every run; these tests read their outcome from records, not logs.
beforeAll(() => Logger.overrideLogger(false));

describe('the ingestion cron', () => {
  function scheduler(cron = '0 2 * * *', tz = 'Europe/Paris') {
    const chain = { startIngestion: vi.fn(async (runDate: string) => ({ jobId: `ingestion-${runDate}`, created: true })) };
    const registry = new SchedulerRegistry();
    const s = new IngestionScheduler({ INGESTION_CRON: cron, TZ_CRON: tz } as AppConfig, chain as unknown as PipelineChain, registry);
    return { s, chain, registry };
  }

  it('registers INGESTION_CRON (declared on tick) in TZ_CRON at boot, logs it, and removes it at shutdown', () => {
    const { s, registry } = scheduler('30 3 * * *', 'Asia/Tokyo');
    const log = vi.spyOn(Logger.prototype, 'log');
    s.onApplicationBootstrap();
    const job = registry.getCronJob(INGESTION_CRON_NAME);
    expect(job.cronTime.source).toBe('30 3 * * *');
    expect(job.cronTime.timeZone).toBe('Asia/Tokyo');
    expect(job.isActive).toBe(true);
    expect(log).toHaveBeenCalledWith(`daily ingestion scheduled "30 3 * * *" (Asia/Tokyo), next at ${job.nextDate().toISO()}`);
    expect(cronMethodsOf(s)).toEqual([{ setting: 'INGESTION_CRON', method: 'tick', name: INGESTION_CRON_NAME, label: 'daily ingestion' }]);
    log.mockRestore();
    s.onModuleDestroy();
    expect(registry.doesExist('cron', INGESTION_CRON_NAME)).toBe(false);
  });

  it('a tick only enqueues the day of the cron time zone, as a cron run', async () => {
    const { s, chain } = scheduler('0 2 * * *', 'Europe/Paris');
    s.now = () => new Date('2026-11-26T23:30:00Z');
    await s.tick();
    expect(chain.startIngestion).toHaveBeenCalledWith('2026-11-27', 'cron');
  });

  it('a tick that cannot enqueue logs and does not throw', async () => {
    const { s, chain } = scheduler();
    chain.startIngestion.mockRejectedValueOnce(new Error('redis down'));
    await expect(s.tick()).resolves.toBeUndefined();
  });
});

describe('the run summary', () => {
  it('is a table per endpoint with the status, error and anomalies', () => {
    const run: IngestionRunDoc = {
      _id: 'ingestion-2026-11-26-cli-1',
      run_date: '2026-11-26',
      trigger: 'cli',
      status: 'succeeded_with_rejections',
      started_at: new Date(),
      finished_at: new Date(),
      duration_s: 12.5,
      attempts: 2,
      max_attempts: 3,
      error: null,
      records_fetched: 3000,
      endpoints: {
        tracks: { ...emptyEndpointRun(), pages: 10, fetched: 1000, inserted: 990, rejected: 10, duration_s: 3.2 },
        users: { ...emptyEndpointRun(), pages: 10, fetched: 1000, unchanged: 1000 },
        listen_history: { ...emptyEndpointRun(), pages: 10, fetched: 1000, updated: 7, events_inserted: 35, quarantined: 1 },
      },
      anomaly: {
        anomalous: true,
        reasons: ['tracks: 1000 records against a median of 10 over the last 5 runs'],
        threshold: 3.5,
        history: 5,
        scores: {} as never,
      },
    };
    const text = renderRunSummary(run);
    expect(text).toContain(
      'ingestion run ingestion-2026-11-26-cli-1 (cli, run date 2026-11-26): succeeded_with_rejections in 12.5 s, attempt 2 of 3',
    );
    expect(text).toMatch(/tracks +10 +1000 +990 +0 +0 +10 +0 +3\.2/);
    expect(text).toMatch(/listen_history +10 +1000 +0 +7 +0 +0 +0 +35 +1 +0/);
    expect(text).toContain('anomaly: tracks: 1000 records');
  });
});
