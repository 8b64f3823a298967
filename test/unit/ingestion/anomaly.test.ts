import { describe, expect, it } from 'vitest';
import { assessRun, median, robustZScore } from '../../../src/monitoring/anomaly.js';

describe('robust z-score', () => {
  it('is 0.6745 (x - median) / MAD', () => {
    // median 10, absolute deviations 2,1,0,1,2 -> MAD 1
    expect(robustZScore(14, [8, 9, 10, 11, 12])).toBeCloseTo(0.6745 * 4, 6);
    expect(robustZScore(10, [8, 9, 10, 11, 12])).toBe(0);
    expect(robustZScore(6, [8, 9, 10, 11, 12])).toBeCloseTo(-0.6745 * 4, 6);
  });
  it('is not dragged by an odd run in the window', () => {
    const calm = robustZScore(1000, [1000, 1010, 990, 1005, 995]);
    const withOutlier = robustZScore(1000, [1000, 1010, 990, 1005, 995, 50_000]);
    expect(Math.abs(withOutlier! - calm!)).toBeLessThan(0.2);
  });
  it('needs a few past runs, and a flat history does not make a small change infinite', () => {
    expect(robustZScore(5, [5, 5])).toBeNull();
    expect(robustZScore(1010, [1000, 1000, 1000])).toBeCloseTo(0.6745, 6);
    expect(robustZScore(3, [0, 0, 0], { absoluteFloor: 1 })).toBeCloseTo(0.6745 * 3, 6);
  });
  it('median of odd and even lists', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });
});

describe('assessing a run against the last ones', () => {
  const past = [1000, 1010, 990, 1005, 995].map((n, i) => ({ users: { records: n, durationSeconds: 10 + i * 0.1 } }));
  it('is quiet on a usual run', () => {
    const a = assessRun({ users: { records: 1002, durationSeconds: 10.2 } }, past, 3.5);
    expect(a).toMatchObject({ anomalous: false, reasons: [], threshold: 3.5, history: 5 });
    expect(a.scores.users.volume).toBeCloseTo(0.135, 3);
  });
  it('marks a volume drop and a slow run, saying why', () => {
    const a = assessRun({ users: { records: 100, durationSeconds: 60 } }, past, 3.5);
    expect(a.anomalous).toBe(true);
    expect(a.reasons).toEqual([
      expect.stringMatching(/^users: 100 records against a median of 1000 over the last 5 runs \(robust z-score -60\.\d/),
      expect.stringMatching(/^users: took 60\.0 s against a median of 10\.2 s/),
    ]);
  });
  it('gives no score without history', () => {
    expect(assessRun({ users: { records: 1, durationSeconds: 1 } }, [], 3.5)).toMatchObject({
      anomalous: false,
      history: 0,
      scores: { users: { volume: null, duration: null } },
    });
  });
});
