/**
 * The compiled runtime (dist/): ALS and model-scoring worker threads, and the two CLIs. The global setup builds
 * before tests; building here again only when a source of ours is newer keeps this file runnable alone.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeDataset } from '../../../src/datasets/ndjson-dataset.js';
import { trainAls, type AlsModel } from '../../../src/training/model/als.js';
import { servingModel } from '../../../src/training/serving/registry-production-models.js';
import { ScoringPool } from '../../../src/training/serving/scoring-pool.js';
import { countListens, servedRecommendations } from '../../../src/training/serving/serving-model.js';
import { plantedListens } from '../../../src/tools/planted-listens.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const ours = ['training', 'training/model', 'training/evaluation', 'training/serving', 'datasets', 'cli'];

function stale(): boolean {
  for (const dir of ours) {
    for (const f of readdirSync(join(root, 'src', dir))) {
      if (!f.endsWith('.ts')) continue;
      const js = join(root, 'dist', dir, f.replace(/\.ts$/, '.js'));
      if (!existsSync(js) || statSync(js).mtimeMs < statSync(join(root, 'src', dir, f)).mtimeMs) return true;
    }
  }
  return false;
}

function run(script: string, args: string[]) {
  const r = spawnSync(process.execPath, [join(root, 'dist', 'cli', script), ...args], { cwd: root, encoding: 'utf8' });
  const lines = r.stdout.trim().split('\n');
  const last = lines[lines.length - 1] ?? '';
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, result: last.startsWith('RESULT ') ? JSON.parse(last.slice(7)) : null };
}

let tmp: string;

beforeAll(() => {
  // Others' files may not compile yet; tsc still emits ours, which is all these tests need.
  if (stale())
    spawnSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'], {
      cwd: root,
      stdio: 'ignore',
    });
  expect(stale()).toBe(false);
  tmp = mkdtempSync(join(tmpdir(), 'als-compiled-'));
});

afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('ALS worker threads', () => {
  it('2 and 3 threads give bit-identical factors to the in-thread path', async () => {
    const listens = plantedListens({ users: 500, tracks: 300, listens: 15_000, seed: 9 });
    const settings = { factors: 12, iterations: 4, seed: 5 };
    const one = await trainAls(listens, settings, { threads: 1 });
    for (const threads of [2, 3]) {
      const many = await trainAls(listens, settings, { threads });
      expect(Buffer.from(many.userFactors.buffer).equals(Buffer.from(one.userFactors.buffer))).toBe(true);
      expect(Buffer.from(many.itemFactors.buffer).equals(Buffer.from(one.itemFactors.buffer))).toBe(true);
    }
  });
});

describe('model scoring threads', () => {
  const planted = (seed: number) => plantedListens({ users: 300, tracks: 200, listens: 6000, clusters: 5, seed });
  const requestsOf = (listens: ReturnType<typeof planted>) => {
    const byUser = new Map<number, number[]>();
    for (const l of listens) for (let c = 0; c < l.count; c++) byUser.set(l.userId, [...(byUser.get(l.userId) ?? []), l.trackId]);
    // A user the model never saw, folded in from a history, and one with no history at all.
    return [...byUser]
      .map(([userId, listened]) => ({ userId, listened }))
      .concat([
        { userId: 99_999, listened: [1, 2, 2, 3] },
        { userId: 99_998, listened: [] },
      ]);
  };
  const inline = (model: AlsModel, requests: ReturnType<typeof requestsOf>, k: number) =>
    requests.map((r) => servedRecommendations(model, r.userId, countListens(r.listened), k));

  it('give the lists scored on the calling thread, across chunks, threads and model versions', async () => {
    const pool = new ScoringPool(2);
    try {
      const models = await Promise.all(
        [1, 2, 3, 4, 5, 6].map((seed) => trainAls(planted(seed), { factors: 8, iterations: 3, seed }, { threads: 1 })),
      );
      const requests = requestsOf(planted(1));
      expect(requests.length).toBeGreaterThan(256); // several chunks of 128 users
      // Six versions through threads that keep four: evicted versions are sent again when they come back.
      for (const [i, model] of [...models.entries(), [0, models[0]!] as const]) {
        const got = await pool.recommendMany(`v${i}`, model, requests, 20);
        expect(got).toEqual(inline(model, requests, 20));
      }
    } finally {
      await pool.close();
    }
  });

  it('fall back to the calling thread when the pool has failed, and say so once', async () => {
    const model = await trainAls(planted(7), { factors: 6, iterations: 2, seed: 7 }, { threads: 1 });
    const pool = new ScoringPool(2);
    await pool.close();
    const failures: string[] = [];
    const served = servingModel('v7', model, { get: () => pool, failed: (err) => failures.push(err.message) });
    const requests = requestsOf(planted(7));
    expect(await served.recommendMany!(requests, 15)).toEqual(inline(model, requests, 15));
    expect(failures).toEqual(['scoring pool closed']);
    await expect(pool.recommendMany('v7', model, requests, 15)).rejects.toThrow('scoring pool closed');
  });
});

describe('bench:train (compiled)', () => {
  it('prints a table then a RESULT line with the required numeric fields', () => {
    const r = run('bench-train.js', [
      '--users',
      '400',
      '--tracks',
      '300',
      '--listens',
      '8000',
      '--factors',
      '8',
      '--iterations',
      '2',
      '--threads',
      '2',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('1 thread (baseline)');
    for (const f of [
      'seconds_per_iteration',
      'interactions',
      'users',
      'items',
      'factors',
      'threads',
      'core_us_per_interaction',
      'peak_rss_mb',
    ])
      expect(typeof r.result[f]).toBe('number');
    expect(r.result).toMatchObject({ interactions: 8000, users: 400, items: 300, factors: 8, threads: 2, factors_identical: 1 });
    expect(r.result.core_us_per_interaction).toBeCloseTo((r.result.seconds_per_iteration * 2 * 1e6) / 8000, 1);
  });

  it('rejects bad flags with exit code 2', () => {
    expect(run('bench-train.js', ['--users', 'many']).code).toBe(2);
    expect(run('bench-train.js', ['--nope']).code).toBe(2);
  });
});

describe('evaluate (compiled)', () => {
  it('evaluates, writes the split, and the written split gives the same figures', async () => {
    const data = join(tmp, 'planted');
    const splitDir = join(tmp, 'split');
    await writeDataset(data, { listens: plantedListens({ users: 300, tracks: 150, listens: 7500, clusters: 6, seed: 4 }) });
    const first = run('evaluate.js', ['--data', data, '--trials', '2', '--iterations', '6', '--write-split', splitDir]);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/model\s+P@10\s+R@10\s+NDCG@10\s+MAP@10\s+coverage/);
    expect(first.result.split).toBe('time');
    expect(first.result.model.ndcg).toBeGreaterThan(first.result.popularity.ndcg);
    expect(['als', 'ease', 'rp3beta']).toContain(first.result.family);
    const again = run('evaluate.js', ['--data', splitDir, '--test', join(splitDir, 'test.ndjson'), '--trials', '2', '--iterations', '6']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.result.split).toBe('given');
    expect(again.result.popularity).toEqual({ ...first.result.popularity, train_seconds: again.result.popularity.train_seconds });
    // The search is deterministic while it stays within its time budget (it does here by far).
    expect(again.result.model.ndcg).toBe(first.result.model.ndcg);
    expect(again.result.family).toBe(first.result.family);
    expect(again.result.settings).toEqual(first.result.settings);
  });

  it('stops on a bad line with the file and line number (exit 1), and on bad flags (exit 2)', () => {
    const bad = join(tmp, 'bad');
    mkdirSync(bad, { recursive: true });
    writeFileSync(join(bad, 'listens.ndjson'), '{"user_id":1,"track_id":2}\n{"user_id":1,"track_id":3}\n{"user_id":1,"track_id":"x"}\n');
    const r = run('evaluate.js', ['--data', bad]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${join(bad, 'listens.ndjson')}:3: track_id must be an integer`);
    expect(run('evaluate.js', []).code).toBe(2);
    expect(run('evaluate.js', ['--data', bad, '--k', '0']).code).toBe(2);
    expect(run('evaluate.js', ['--data', bad, '--confidence', 'cubic']).code).toBe(2);
    const families = run('evaluate.js', ['--data', bad, '--families', 'als,svd']);
    expect(families.code).toBe(2);
    expect(families.stderr).toContain('--families must name some of als, ease, rp3beta, got als,svd');
  });
});
