import { spawn } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import mongoose from 'mongoose';
import { Redis } from 'ioredis';
import { testSettings } from '../../support/settings.js';

/** `npm run simulate` as a user runs it (the built CLI), over 14 days with small sizes. */
describe('simulate: 14 days of the whole system', () => {
  const s = testSettings('training-simulate');
  const db = new URL(s.MONGODB_URI).pathname.slice(1);

  afterAll(async () => {
    const conn = await mongoose.createConnection(s.MONGODB_URI).asPromise();
    await conn.db!.dropDatabase();
    await conn.close();
    const redis = new Redis(s.REDIS_URL);
    const keys = await redis.keys(`${s.REDIS_PREFIX}*`);
    if (keys.length) await redis.del(...keys);
    await redis.quit();
  });

  it('ingests, recommends and retrains every day and week, and exits 0 with a RESULT line', async () => {
    const env = {
      ...process.env,
      MONGODB_URI: s.MONGODB_URI,
      REDIS_URL: s.REDIS_URL,
      REDIS_PREFIX: s.REDIS_PREFIX,
      ADMIN_TOKEN: s.ADMIN_TOKEN,
      TUNING_TRIALS: '0',
      ALS_FACTORS: '16',
      ALS_REGULARIZATION: '0.1',
      ALS_ALPHA: '1',
      CANARY_DAYS: '2',
      CANARY_PERCENT: '50',
      // The gate holds a first candidate to the hybrid production serves, which at this size can beat
      // it; the gate has its own tests: here day 7's candidate must reach the canary so its reviews run.
      GATE_NDCG_TOLERANCE: '1',
    };
    const proc = spawn(process.execPath, ['dist/cli/simulate.js', '--days', '14', '--users', '300', '--tracks', '150', '--db', db], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
    proc.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const code = await new Promise<number | null>((resolve) => proc.on('exit', resolve));
    expect(code, `${out}\n${err}`).toBe(0);

    const lines = out.trim().split('\n');
    const rows = lines.filter((l) => /^\d+\s+2026-\d\d-\d\d\s/.test(l));
    expect(rows).toHaveLength(15);
    expect(rows[0]).toMatch(/^0\s+2026-01-01\s+\d+\s+\d+/);
    expect(rows[7]).toMatch(/trained: canary v\d{8}-\d{6}-[0-9a-f]{4}/);
    // The first review, two days after: decided, or kept another day while its test is inconclusive.
    expect(rows[9]).toMatch(/canary (promoted|rolled back|waiting)/);
    expect(out).toMatch(/Canaries \(\d\): next-day hit rate, canary minus production/);
    expect(err).toMatch(/\[#+\.*\] day \d+\/14/);

    const result = JSON.parse(lines.at(-1)!.replace(/^RESULT /, '')) as Record<string, unknown>;
    expect(lines.at(-1)).toMatch(/^RESULT \{/);
    expect(result).toMatchObject({ days: 14, failed_jobs: 0, training_runs: 2 });
    expect((result.decisions as string[])[0]).toBe('canary');
    // Reviewed daily from day 9 to day 13 at the latest (CANARY_MAX_DAYS 6: 5 looks), each at 99%.
    const reviews = result.canary_reviews as string[];
    expect(reviews.length).toBeGreaterThanOrEqual(1);
    expect(reviews.length).toBeLessThanOrEqual(5);
    expect(reviews.slice(0, -1).every((d) => d === 'waiting')).toBe(true);
    expect(reviews.at(-1)).toMatch(/^(promoted|rolled back)$/);
    const [first] = result.canaries as Array<Record<string, unknown>>;
    expect(first).toMatchObject({ reviews: reviews.length, outcome: reviews.at(-1), days: reviews.length + 1, confidence: 0.99 });
    expect(first.canary_users as number).toBeGreaterThan(50);
    expect(first.lower as number).toBeLessThan(first.estimate as number);
    expect(first.upper as number).toBeGreaterThan(first.estimate as number);

    const conn = await mongoose.createConnection(s.MONGODB_URI).asPromise();
    try {
      const runs = await conn.db!.collection('training_runs').find({}).sort({ started_at: 1 }).toArray();
      expect(runs.map((r) => r.status)).toEqual(['succeeded', 'succeeded']);
      expect(runs[0].metrics.candidate.ndcg).toBeGreaterThanOrEqual(runs[0].metrics.popularity.ndcg * 1.1);
      expect(await conn.db!.collection('model_versions').countDocuments({})).toBe(2);
      expect(await conn.db!.collection('playlists').countDocuments({})).toBeGreaterThan(300);
    } finally {
      await conn.close();
    }
  }, 240_000);
});
