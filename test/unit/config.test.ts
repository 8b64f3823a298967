import { describe, expect, it } from 'vitest';
import { ConfigError, describeConfig, loadConfig } from '../../src/config/load-config.js';

const base = { ADMIN_TOKEN: 'a-long-enough-admin-token' };

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig({ ...base, ...env });
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

describe('configuration', () => {
  it('applies the documented defaults', () => {
    const s = loadConfig(base);
    expect(s.APP_ROLE).toBe('all');
    expect(s.HTTP_PORT).toBe(3000);
    expect(s.MOCK_PORT).toBe(8000);
    expect(s.RAW_EXPORT).toBe(true);
    expect(s.RECOMMENDATION_MAX_AGE).toBe(7 * 86400);
  });

  it('names the variable and the expected value when a port is out of range', () => {
    const problems = problemsOf({ HTTP_PORT: '70000' });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^HTTP_PORT="70000" is invalid: .*65535/);
  });

  it('rejects a URL of the wrong form, naming the variable', () => {
    expect(problemsOf({ MONGODB_URI: 'postgres://x/y' })[0]).toMatch(/^MONGODB_URI=.* is invalid: expected a URL starting with mongodb:/);
    expect(problemsOf({ MOCK_API_URL: 'not a url' })[0]).toMatch(/^MOCK_API_URL="not a url" is invalid/);
  });

  it('rejects an unknown role and reports every bad variable at once', () => {
    const problems = problemsOf({ APP_ROLE: 'everything', INGESTION_CONCURRENCY: 'many', RAW_EXPORT: 'perhaps' });
    expect(problems.map((p) => p.split('=')[0])).toEqual(['APP_ROLE', 'INGESTION_CONCURRENCY', 'RAW_EXPORT']);
  });

  it('requires the admin token and hides secrets when describing the config', () => {
    expect(problemsOf({ ADMIN_TOKEN: '' })[0]).toMatch(/^ADMIN_TOKEN is not set/);
    expect(problemsOf({ ADMIN_TOKEN: 'short' })[0]).toMatch(/^ADMIN_TOKEN=\(hidden\) is invalid: expected at least 16/);
    const shown = describeConfig(loadConfig({ ...base, REDIS_URL: 'redis://:secret@127.0.0.1:6379' }));
    expect(shown.ADMIN_TOKEN).toBe('***');
    expect(String(shown.REDIS_URL)).not.toContain('secret');
  });

  it('checks settings against each other', () => {
    expect(problemsOf({ VALIDATION_DAYS: '30', TRAINING_WINDOW_DAYS: '30' })[0]).toMatch(/VALIDATION_DAYS=30 must be smaller than TRAINING_WINDOW_DAYS=30/);
    expect(problemsOf({ TZ_CRON: 'Mars/Olympus' })[0]).toMatch(/TZ_CRON="Mars\/Olympus" is not an IANA time zone/);
    expect(problemsOf({ INGESTION_CRON: 'daily' })[0]).toMatch(/^INGESTION_CRON="daily" is invalid: expected a cron expression/);
  });
});
