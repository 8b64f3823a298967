import { describe, expect, it } from 'vitest';
import { assignArm, bucketOf, parseExperiments, pickWeighted, type Experiment } from '../../../src/recommendations/experiments.js';

const users = Array.from({ length: 20_000 }, (_, i) => 1_000_000 + i);

describe('EXPERIMENTS parsing', () => {
  it('accepts the documented shape and gives experiments consecutive slices of the users', () => {
    const list = parseExperiments(
      JSON.stringify([
        {
          name: 'ranker',
          traffic: 40,
          variants: [
            { name: 'control', weight: 1, recommender: 'hybrid' },
            { name: 'pop', weight: 1, recommender: 'popularity' },
          ],
        },
        { name: 'model-v7', variants: [{ name: 'v7', weight: 1, recommender: 'model', modelVersion: 'v7' }] },
        { name: 'genre', variants: [{ name: 'g', weight: 2, recommender: 'genre' }] },
      ]),
    );
    expect(list.map((e) => [e.name, e.from, e.to])).toEqual([
      ['ranker', 0, 40],
      ['model-v7', 40, 70],
      ['genre', 70, 100],
    ]);
    expect(parseExperiments('[]')).toEqual([]);
  });

  it.each([
    ['not json', /EXPERIMENTS is not valid JSON/],
    ['{}', /EXPERIMENTS: /],
    ['[{"name":"a","variants":[]}]', /EXPERIMENTS\[0\]\.variants: expected at least one variant/],
    [
      '[{"name":"a","variants":[{"name":"x","weight":-1,"recommender":"hybrid"}]}]',
      /EXPERIMENTS\[0\]\.variants\[0\]\.weight: expected a weight >= 0/,
    ],
    [
      '[{"name":"a","variants":[{"name":"x","weight":1,"recommender":"magic"}]}]',
      /EXPERIMENTS\[0\]\.variants\[0\]\.recommender: expected one of hybrid, popularity, genre, model/,
    ],
    [
      '[{"name":"a","variants":[{"name":"x","weight":1,"recommender":"hybrid","modelVersion":"v1"}]}]',
      /variants\[0\]\.modelVersion: modelVersion is only allowed with recommender "model"/,
    ],
    [
      '[{"name":"a","variants":[{"name":"x","weight":1,"recommender":"hybrid"},{"name":"x","weight":1,"recommender":"genre"}]}]',
      /variants\[1\]\.name: duplicate variant name "x"/,
    ],
    ['[{"name":"a","variants":[{"name":"x","weight":0,"recommender":"hybrid"}]}]', /weights of the variants must add up to more than 0/],
    [
      '[{"name":"a","variants":[{"name":"x","weight":1,"recommender":"hybrid"}]},{"name":"a","variants":[{"name":"y","weight":1,"recommender":"hybrid"}]}]',
      /EXPERIMENTS\[1\]\.name: duplicate experiment name "a"/,
    ],
    [
      '[{"name":"a","traffic":80,"variants":[{"name":"x","weight":1,"recommender":"hybrid"}]},{"name":"b","traffic":30,"variants":[{"name":"y","weight":1,"recommender":"hybrid"}]}]',
      /adds up to 110%/,
    ],
    ['[{"name":"a b","variants":[{"name":"x","weight":1,"recommender":"hybrid"}]}]', /EXPERIMENTS\[0\]\.name: expected 1 to 64 letters/],
    ['[{"name":"a","extra":1,"variants":[{"name":"x","weight":1,"recommender":"hybrid"}]}]', /EXPERIMENTS\[0\]/],
  ])('rejects %s naming the problem', (raw, message) => {
    expect(() => parseExperiments(raw)).toThrow(message);
  });
});

describe('stable assignment', () => {
  // Pinned: a change of the hash would move users between arms mid-experiment. The expected values
  // come from an independent implementation (FNV-1a over "salt\0userId", then the murmur3
  // finaliser, as unsigned / 2^32), written in Python, not from this code.
  it.each([
    [42, 'exp', 0.5261826070491225],
    [1_000_000, 'experiments', 0.9090315410867333],
    [7, 'canary:v20261205-0900-ab12', 0.4986443610396236],
    [123_456, 'experiment:ranker', 0.24379695556126535],
    [999_999_999, 'experiments', 0.5154224680736661],
  ])('puts user %i under salt %s at the pinned bucket %d', (userId, salt, expected) => {
    expect(bucketOf(userId, salt)).toBe(expected);
  });

  it('assigns pinned users to pinned arms', () => {
    const experiments = parseExperiments(
      JSON.stringify([
        {
          name: 'ranker',
          traffic: 50,
          variants: [
            { name: 'control', weight: 1, recommender: 'hybrid' },
            { name: 'pop', weight: 1, recommender: 'popularity' },
          ],
        },
      ]),
    );
    // 1,000,000 is at slot 90.9 of 100: outside the experiment's 50%, so production serves it.
    expect(assignArm(1_000_000, experiments, { production: 'v1', canaryPercent: 0 })).toEqual({
      experiment: null,
      variant: 'production',
      recommender: 'model',
      modelVersion: 'v1',
    });
  });

  it('gives a user the same bucket for the same salt, and independent buckets for other salts', () => {
    expect(bucketOf(42, 'exp')).toBe(bucketOf(42, 'exp'));
    const a = users.map((u) => bucketOf(u, 'a') < 0.5);
    const b = users.map((u) => bucketOf(u, 'b') < 0.5);
    const agree = a.filter((x, i) => x === b[i]).length / users.length;
    expect(agree).toBeGreaterThan(0.47);
    expect(agree).toBeLessThan(0.53);
  });

  it('spreads consecutive user ids evenly over [0, 1)', () => {
    const bins = new Array(10).fill(0);
    for (const u of users) bins[Math.floor(bucketOf(u, 'spread') * 10)]++;
    for (const n of bins) expect(Math.abs(n - users.length / 10)).toBeLessThan(users.length * 0.01);
  });

  it('picks options in proportion to their weights, never a weight-0 option', () => {
    const options = [
      { name: 'a', weight: 3 },
      { name: 'zero', weight: 0 },
      { name: 'b', weight: 1 },
    ];
    const counts = new Map<string, number>();
    for (const u of users) {
      const o = pickWeighted(options, bucketOf(u, 'w'));
      counts.set(o.name, (counts.get(o.name) ?? 0) + 1);
    }
    expect(counts.get('zero')).toBeUndefined();
    expect(Math.abs(counts.get('a')! / users.length - 0.75)).toBeLessThan(0.015);
    expect(pickWeighted(options, 0.9999999)).toEqual({ name: 'b', weight: 1 });
  });
});

describe('assignArm', () => {
  const experiments: Experiment[] = parseExperiments(
    JSON.stringify([
      {
        name: 'ranker',
        traffic: 50,
        variants: [
          { name: 'control', weight: 2, recommender: 'hybrid' },
          { name: 'popular', weight: 1, recommender: 'popularity' },
        ],
      },
    ]),
  );

  it('puts the experiment share of users in its variants by weight, labelled <experiment>:<variant>', () => {
    const counts = new Map<string, number>();
    for (const u of users) {
      const arm = assignArm(u, experiments, { canaryPercent: 0 });
      counts.set(arm.variant, (counts.get(arm.variant) ?? 0) + 1);
    }
    const share = (v: string) => (counts.get(v) ?? 0) / users.length;
    expect(Math.abs(share('ranker:control') - 1 / 3)).toBeLessThan(0.02);
    expect(Math.abs(share('ranker:popular') - 1 / 6)).toBeLessThan(0.02);
    expect(Math.abs(share('default') - 0.5)).toBeLessThan(0.02);
    expect(assignArm(users[7]!, experiments, { canaryPercent: 0 })).toEqual(assignArm(users[7]!, experiments, { canaryPercent: 0 }));
  });

  it('serves the production model outside experiments, and the canary to its percent of users', () => {
    const arms = users.map((u) => assignArm(u, [], { production: 'v1', canary: 'v2', canaryPercent: 10 }));
    const canary = arms.filter((a) => a.variant === 'canary');
    expect(Math.abs(canary.length / users.length - 0.1)).toBeLessThan(0.01);
    expect(canary[0]).toEqual({ experiment: 'canary', variant: 'canary', recommender: 'model', modelVersion: 'v2' });
    expect(arms.find((a) => a.variant === 'production')).toEqual({
      experiment: null,
      variant: 'production',
      recommender: 'model',
      modelVersion: 'v1',
    });
  });

  it('samples a new canary population for each canary version', () => {
    const inV2 = users.filter((u) => assignArm(u, [], { production: 'v1', canary: 'v2', canaryPercent: 10 }).variant === 'canary');
    const inV3 = new Set(users.filter((u) => assignArm(u, [], { production: 'v1', canary: 'v3', canaryPercent: 10 }).variant === 'canary'));
    expect(inV2.filter((u) => inV3.has(u)).length / inV2.length).toBeLessThan(0.2);
  });

  it('serves the hybrid recommender when there is no model', () => {
    expect(assignArm(5, [], { canaryPercent: 10 })).toEqual({ experiment: null, variant: 'default', recommender: 'hybrid' });
  });
});
