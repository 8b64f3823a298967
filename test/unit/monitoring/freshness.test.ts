import { describe, expect, it } from 'vitest';
import { freshnessReport, stageFreshness } from '../../../src/health/freshness.js';

const NOW = Date.parse('2026-03-10T12:00:00Z');
const hoursAgo = (h: number) => new Date(NOW - h * 3_600_000);
const MAX = { ingestion: 26 * 3600, recommendations: 26 * 3600 };

describe('freshness of the pipeline stages', () => {
  it('is ok when both last successes are younger than their maximum age', () => {
    const r = freshnessReport({ ingestion: hoursAgo(10), recommendations: hoursAgo(7) }, NOW, MAX);
    expect(r.status).toBe('ok');
    expect(r.ingestion).toEqual({
      status: 'ok',
      last_success_at: '2026-03-10T02:00:00.000Z',
      age_seconds: 36_000,
      max_age_seconds: 93_600,
    });
    expect(r.recommendations.age_seconds).toBe(25_200);
  });

  it('is degraded when one stage is older than its maximum age, saying which and by how much', () => {
    const r = freshnessReport({ ingestion: hoursAgo(27), recommendations: hoursAgo(1) }, NOW, MAX);
    expect(r.status).toBe('degraded');
    expect(r.ingestion.status).toBe('stale');
    expect(r.ingestion.reason).toBe('last successful ingestion run is 97200 s old (more than 93600 s)');
    expect(r.recommendations.status).toBe('ok');
  });

  it('is degraded when a stage has never succeeded', () => {
    const r = freshnessReport({ ingestion: hoursAgo(1), recommendations: null }, NOW, MAX);
    expect(r.status).toBe('degraded');
    expect(r.recommendations).toEqual({
      status: 'stale',
      last_success_at: null,
      age_seconds: null,
      max_age_seconds: 93_600,
      reason: 'no successful recommendation run recorded',
    });
  });

  it('counts exactly the maximum age as fresh, and a clock slightly behind the record as age 0', () => {
    expect(stageFreshness('ingestion', hoursAgo(26), NOW, 26 * 3600).status).toBe('ok');
    expect(stageFreshness('ingestion', new Date(NOW + 5000), NOW, 60).age_seconds).toBe(0);
  });
});
