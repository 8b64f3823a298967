import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, DEVELOPMENT_ADMIN_TOKENS, describeConfig, loadConfig } from '../../src/config/load-config.js';

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
    expect(problemsOf({ VALIDATION_DAYS: '30', TRAINING_WINDOW_DAYS: '30' })[0]).toMatch(
      /VALIDATION_DAYS=30 must be smaller than TRAINING_WINDOW_DAYS=30/,
    );
    expect(problemsOf({ TZ_CRON: 'Mars/Olympus' })[0]).toMatch(/TZ_CRON="Mars\/Olympus" is not an IANA time zone/);
    expect(problemsOf({ INGESTION_CRON: 'daily' })[0]).toMatch(/^INGESTION_CRON="daily" is invalid: expected a cron expression/);
  });
});

describe('the admin token in production', () => {
  const strong = 'q8Zr3vLx0PjT2mWc9bKe7YhN4sGd1uFaR6tVyQ5oXiE';
  const dir = mkdtempSync(join(tmpdir(), 'moovitamix-secret-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const committed = parseEnv(readFileSync('.env', 'utf8')).ADMIN_TOKEN!;

  it('lists the token committed in .env as a development token', () => {
    expect(DEVELOPMENT_ADMIN_TOKENS).toContain(committed);
  });

  it('refuses to start with the committed development token', () => {
    const problems = problemsOf({ NODE_ENV: 'production', ADMIN_TOKEN: committed });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(
      /^ADMIN_TOKEN \(hidden\) is the development token committed in \.env: NODE_ENV=production refuses to start/,
    );
    expect(problems[0]).not.toContain(committed);
  });

  it('refuses short, placeholder and low-entropy tokens', () => {
    expect(problemsOf({ NODE_ENV: 'production', ADMIN_TOKEN: 'a-long-enough-admin-token' })[0]).toMatch(
      /has 25 characters; production needs at least 32/,
    );
    expect(problemsOf({ NODE_ENV: 'production', ADMIN_TOKEN: 'please-change-me-please-change-me-now' })[0]).toMatch(
      /looks like a placeholder/,
    );
    expect(problemsOf({ NODE_ENV: 'production', ADMIN_TOKEN: 'a'.repeat(64) })[0]).toMatch(/is too regular \(about 0 bits/);
    expect(problemsOf({ NODE_ENV: 'production', ADMIN_TOKEN: 'abab'.repeat(16) })[0]).toMatch(/is too regular/);
  });

  it('accepts a random token in production, and any valid token outside production', () => {
    expect(problemsOf({ NODE_ENV: 'production', ADMIN_TOKEN: strong })).toEqual([]);
    expect(problemsOf({ ADMIN_TOKEN: committed })).toEqual([]);
    expect(loadConfig({ ADMIN_TOKEN: committed }).NODE_ENV).toBe('development');
  });

  it('reads the token from ADMIN_TOKEN_FILE (a Docker secret), which wins over ADMIN_TOKEN', () => {
    const file = join(dir, 'admin_token');
    writeFileSync(file, `${strong}\n`);
    const s = loadConfig({ NODE_ENV: 'production', ADMIN_TOKEN: committed, ADMIN_TOKEN_FILE: file });
    expect(s.ADMIN_TOKEN).toBe(strong);
    expect(loadConfig({ ADMIN_TOKEN_FILE: file }).ADMIN_TOKEN).toBe(strong);
    writeFileSync(file, committed);
    expect(problemsOf({ NODE_ENV: 'production', ADMIN_TOKEN_FILE: file })[0]).toMatch(/development token/);
  });

  it('names an unreadable token file', () => {
    const problems = problemsOf({ ADMIN_TOKEN_FILE: join(dir, 'missing') });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^ADMIN_TOKEN_FILE=".*missing" cannot be read \(ENOENT\)/);
  });
});
