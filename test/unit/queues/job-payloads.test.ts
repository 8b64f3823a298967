import { describe, expect, it } from 'vitest';
import type { AppConfig } from '../../../src/config/app-config.js';
import { RawExporter } from '../../../src/ingestion/raw-export.js';
import { JobName } from '../../../src/queues/job-catalogue.js';
import { jobProblems, runDateSchema } from '../../../src/queues/job-payloads.js';

describe('job payloads, wherever the job comes from', () => {
  it('accept what the chain enqueues', () => {
    expect(jobProblems(JobName.IngestionRun, 'ingestion-2026-12-01', { runDate: '2026-12-01', trigger: 'cron' })).toEqual([]);
    expect(jobProblems(JobName.IngestionRun, 'ingestion-2026-12-01-api-1796000000000', { runDate: '2026-12-01', trigger: 'api' })).toEqual(
      [],
    );
    expect(
      jobProblems(JobName.RecommendationRun, 'recommendations-2026-12-01', { runDate: '2026-12-01', trigger: 'pipeline', reason: 'x' }),
    ).toEqual([]);
    expect(
      jobProblems(JobName.RecommendationBatch, 'recommendations-2026-12-01-b0', {
        runId: 'recommendations-2026-12-01',
        batch: 0,
        userIds: [1, 2],
      }),
    ).toEqual([]);
    expect(jobProblems(JobName.CanaryReview, 'canary-review-v3', { version: 'v3', trigger: 'pipeline' })).toEqual([]);
    expect(jobProblems(JobName.PlaylistCleanup, '17', { runDate: '2026-12-01', trigger: 'api' })).toEqual([]);
  });

  it('refuse a run date that is not a day, such as a path', () => {
    expect(jobProblems(JobName.IngestionRun, '1', { runDate: 'x/../../../../elsewhere', trigger: 'api' })).toEqual([
      'runDate: expected a date YYYY-MM-DD',
    ]);
    expect(jobProblems(JobName.IngestionRun, '1', { runDate: '2026-02-30', trigger: 'api' })).toEqual([
      'runDate: expected a real calendar date',
    ]);
    expect(jobProblems(JobName.TrainingRun, '1', { trigger: 'api' })[0]).toMatch(/^runDate: /);
    expect(jobProblems(JobName.IngestionRun, '1', { runDate: '2026-12-01', trigger: 'me' })[0]).toMatch(/^trigger: /);
    expect(jobProblems(JobName.IngestionRun, '1', 'not an object')[0]).toMatch(/^payload: /);
    expect(jobProblems('no-such-job', '1', {})).toEqual(['unknown job name "no-such-job"']);
  });

  it('refuse an ingestion job id that would leave the raw folder', () => {
    expect(jobProblems(JobName.IngestionRun, '../../etc', { runDate: '2026-12-01', trigger: 'api' })[0]).toMatch(
      /^job id "..\/..\/etc": expected/,
    );
  });

  it('keep the period ids for the payload the scheduler would give them', () => {
    expect(jobProblems(JobName.IngestionRun, 'ingestion-2026-12-01', { runDate: '2026-01-01', trigger: 'cron' })[0]).toMatch(
      /reserved for the scheduled run of 2026-12-01/,
    );
    expect(jobProblems(JobName.IngestionRun, 'ingestion-2026-12-01', { runDate: '2026-12-01', trigger: 'api' })[0]).toMatch(/reserved/);
    expect(
      jobProblems(JobName.RecommendationRun, 'recommendations-2026-12-01', { runDate: '2026-12-01', trigger: 'pipeline', force: true })[0],
    ).toMatch(/not forced/);
    expect(jobProblems(JobName.TrainingRun, 'ingestion-2026-12-01', { runDate: '2026-12-01', trigger: 'cron' })[0]).toMatch(
      /reserved for the ingestion-run job/,
    );
  });

  it("share the REST body's run date schema", () => {
    expect(runDateSchema.safeParse('2026-11-26').success).toBe(true);
    expect(runDateSchema.safeParse('26/11/2026').success).toBe(false);
  });

  it('the raw zone refuses a path outside its folder even if a job got through', () => {
    const raw = new RawExporter({ RAW_EXPORT: true, RAW_EXPORT_DIR: 'data/raw' } as AppConfig);
    expect(raw.pagePath('tracks', '2026-12-01', 'ingestion-2026-12-01', 1, 1)).toBe(
      'data/raw/tracks/run_date=2026-12-01/run_id=ingestion-2026-12-01/page-000001.json',
    );
    expect(() => raw.pagePath('tracks', 'x/../../../../elsewhere', 'r', 1, 1)).toThrow(/outside data\/raw refused/);
    expect(() => raw.pagePath('tracks', '2026-12-01', '../../../x', 1, 1)).toThrow(/refused/);
  });
});
