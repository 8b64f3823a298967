/**
 * npm run bench:quality [-- --data DIR --variants one,rating,x1000 --seed 42]
 * Model quality on real public data, beside the reference library, in one run on the same splits.
 * MovieLens 100K (fetched on demand by scripts/fetch-movielens.sh, never committed), a seeded 20%
 * per-user holdout (users with at least 5 tracks), in three variants of what a count is: every
 * rating one interaction ('one'), count = the rating ('rating'), count = rating x 1,000 ('x1000',
 * play-count scale). In each: our `evaluate` with no flags (the retraining's own search), the
 * `implicit` library's ALS given the same ALS search (every configuration our search raced, with
 * its confidence form, data-relative values and every early-stopping checkpoint, on the same
 * validation carve-out;
 * tools/bench-quality/implicit_reference.py, pip-installed into a virtual environment under .data/),
 * and popularity. Prints a table, then `RESULT {json}` as the last line.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { readDataset } from '../datasets/ndjson-dataset.js';
import { textTable } from '../tools/text-table.js';
import { runEvaluation } from '../training/evaluation/evaluate.js';
import { splitListens } from '../training/evaluation/split.js';
import type { AlsSettings, Listen } from '../training/model/als.js';
import { deriveSeed } from '../common/random.js';
import { searchSettingsFromEnv } from '../training/model/search-settings.js';
import { alsRungs } from '../training/model/selection.js';
import { intOption, parseOptions, UsageError } from './support/parse-options.js';

const USAGE = `Usage: npm run bench:quality -- [options]

  --data DIR         a data set directory (default .data/datasets/ml-100k, fetched when missing)
  --variants LIST    comma-separated of one, rating, x1000 (all three)
  --seed N           seed of the 20% per-user holdout (42)
  --help

The model search's settings (MODEL_SEARCH_SECONDS, TUNING_TRIALS, ...) come from the environment
and .env, as for the service and \`npm run evaluate\`.`;

const VARIANTS = {
  one: { doc: 'each rating one interaction (count 1)', count: (_c: number) => 1 },
  rating: { doc: 'count = the rating', count: (c: number) => c },
  x1000: { doc: 'count = the rating x 1,000 (play-count scale)', count: (c: number) => c * 1000 },
} as const;
type Variant = keyof typeof VARIANTS;

const VENV = resolve('.data/venv-implicit');
const IMPLICIT_REQUIREMENT = 'implicit==0.7.3';
const REFERENCE_SCRIPT = resolve('tools/bench-quality/implicit_reference.py');

function log(m: string): void {
  process.stderr.write(`[bench:quality] ${m}\n`);
}

/** The reference library in its own virtual environment, installed once. */
function ensureImplicit(): string {
  const python = join(VENV, 'bin', 'python');
  if (existsSync(python) && spawnSync(python, ['-c', 'import implicit, numpy, scipy'], { stdio: 'ignore' }).status === 0) return python;
  log(`installing ${IMPLICIT_REQUIREMENT} into ${VENV} (once)`);
  const system = spawnSync('python3', ['--version']).status === 0 ? 'python3' : 'python';
  execFileSync(system, ['-m', 'venv', VENV], { stdio: 'inherit' });
  execFileSync(python, ['-m', 'pip', 'install', '--quiet', IMPLICIT_REQUIREMENT, 'numpy', 'scipy'], { stdio: 'inherit' });
  return python;
}

function tsv(path: string, listens: readonly Listen[]): void {
  writeFileSync(path, listens.map((l) => `${l.userId}\t${l.trackId}\t${l.count}\n`).join(''));
}

interface VariantResult {
  variant: Variant;
  ndcg: number;
  precision: number;
  recall: number;
  coverage: number;
  family: string;
  implicitNdcg: number;
  popularityNdcg: number;
  oursSeconds: number;
  implicitSeconds: number;
  seconds: number;
}

async function runVariant(
  variant: Variant,
  base: readonly Listen[],
  catalogue: number[],
  seed: number,
  python: string,
  workDir: string,
): Promise<VariantResult> {
  const started = performance.now();
  const listens = base.map((l) => ({ userId: l.userId, trackId: l.trackId, count: VARIANTS[variant].count(l.count) }));
  // No listen times: the seeded random 20% of each user's tracks, users with at least 5 kept whole below that.
  const split = splitListens(listens, { seed });
  const search = searchSettingsFromEnv();
  log(
    `${variant}: ${split.train.length} training and ${split.test.length} test interactions; our search: ${search.families.join(', ')}, ${search.trials} ALS configurations, ${search.budgetSeconds} s`,
  );
  const t0 = performance.now();
  const ours = await runEvaluation({
    listens: split.train,
    test: split.test,
    catalogue,
    search,
    onProgress: (m) => log(`${variant}: ${m}`),
  });
  const oursSeconds = (performance.now() - t0) / 1000;
  const [model, popularity] = ours.report.models;

  // The reference gets our ALS search on our validation carve-out (selection.ts draws them the same way).
  const dir = join(workDir, variant);
  mkdirSync(dir, { recursive: true });
  const carve = splitListens(split.train, { seed: deriveSeed(search.als.seed, 'validation') });
  // Every ALS configuration our search raced (its first trial's settings; iterations come from the checkpoints).
  const configs = new Map<number, Record<string, unknown>>();
  for (const t of ours.report.search?.trials ?? []) {
    if (t.family !== 'als' || t.config === undefined || configs.has(t.config)) continue;
    const a = t.settings as AlsSettings;
    configs.set(t.config, {
      factors: a.factors,
      regularization: a.regularization,
      alpha: a.alpha,
      confidence: a.confidence,
      countScale: a.countScale,
      seed: a.seed,
    });
  }
  if (configs.size === 0)
    throw new Error(
      `${variant}: our search ran no ALS configuration to hand to the reference (TUNING_TRIALS=0 or ALS not in MODEL_FAMILIES)`,
    );
  tsv(join(dir, 'fit.tsv'), carve.train);
  tsv(join(dir, 'validation.tsv'), carve.test);
  tsv(join(dir, 'train.tsv'), split.train);
  tsv(join(dir, 'test.tsv'), split.test);
  writeFileSync(join(dir, 'catalogue.tsv'), `${catalogue.join('\n')}\n`);
  writeFileSync(
    join(dir, 'configs.json'),
    JSON.stringify({ k: 10, checkpoints: alsRungs(search.als.iterations), configs: [...configs.values()] }),
  );
  log(`${variant}: implicit with the same ${configs.size} ALS configurations`);
  const t1 = performance.now();
  const ref = spawnSync(python, [REFERENCE_SCRIPT, dir], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, OPENBLAS_NUM_THREADS: '1' },
  });
  if (ref.status !== 0) throw new Error(`implicit reference failed (${ref.status}): ${ref.stderr.slice(-2000)}`);
  const implicitSeconds = (performance.now() - t1) / 1000;
  const reference = JSON.parse(ref.stdout.trim().split('\n').pop()!) as { ndcg: number; chosen: Record<string, unknown> };
  log(`${variant}: implicit chose ${JSON.stringify(reference.chosen)} -> NDCG@10 ${reference.ndcg.toFixed(4)}`);
  return {
    variant,
    ndcg: model.ndcg,
    precision: model.precision,
    recall: model.recall,
    coverage: model.coverage,
    family: model.model,
    implicitNdcg: reference.ndcg,
    popularityNdcg: popularity.ndcg,
    oursSeconds,
    implicitSeconds,
    seconds: (performance.now() - started) / 1000,
  };
}

async function main(): Promise<number> {
  let v;
  try {
    v = parseOptions(process.argv.slice(2), ['data', 'variants', 'seed']);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`bench:quality: ${err.message}\n\n${USAGE}\n`);
    return 2;
  }
  if (!v) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const variants = (v.variants ?? 'one,rating,x1000').split(',').map((s) => s.trim()) as Variant[];
  const bad = variants.filter((x) => !(x in VARIANTS));
  if (bad.length > 0 || variants.length === 0) {
    process.stderr.write(`bench:quality: --variants must name some of ${Object.keys(VARIANTS).join(', ')}, got ${v.variants}\n`);
    return 2;
  }
  let seed;
  try {
    seed = intOption(v, 'seed', 0, 0xffffffff) ?? 42;
  } catch (err) {
    process.stderr.write(`bench:quality: ${(err as Error).message}\n`);
    return 2;
  }
  const started = performance.now();
  const dataDir = v.data ?? '.data/datasets/ml-100k';
  if (!v.data && !existsSync(join(dataDir, 'listens.ndjson')))
    execFileSync('bash', ['scripts/fetch-movielens.sh'], { stdio: ['ignore', 'inherit', 'inherit'] });
  const data = await readDataset(dataDir);
  const catalogue = [...new Set([...(data.tracks ?? []).map((t) => t.id), ...data.listens.map((l) => l.trackId)])].sort((a, b) => a - b);
  const python = ensureImplicit();
  const workDir = resolve('.data/bench-quality');
  rmSync(workDir, { recursive: true, force: true });
  const results: VariantResult[] = [];
  for (const variant of variants) results.push(await runVariant(variant, data.listens, catalogue, seed, python, workDir));
  rmSync(workDir, { recursive: true, force: true });

  const f4 = (x: number) => x.toFixed(4);
  process.stdout.write(
    `Data: ${dataDir} (${data.listens.length} interactions, ${catalogue.length} tracks); seeded 20% per-user holdout (seed ${seed})\n\n`,
  );
  process.stdout.write(
    `${textTable(
      ['variant', 'ours (family)', 'NDCG@10', 'implicit ALS', 'ratio', 'popularity', 'P@10', 'R@10', 'coverage', 'seconds'],
      results.map((r) => [
        r.variant,
        r.family,
        f4(r.ndcg),
        f4(r.implicitNdcg),
        (r.ndcg / r.implicitNdcg).toFixed(3),
        f4(r.popularityNdcg),
        f4(r.precision),
        f4(r.recall),
        f4(r.coverage),
        r.seconds.toFixed(1),
      ]),
    )}\n`,
  );
  const round = (x: number) => Number(x.toFixed(6));
  const result: Record<string, unknown> = {};
  for (const r of results) {
    result[r.variant] = {
      ndcg_at_10: round(r.ndcg),
      implicit_ndcg_at_10: round(r.implicitNdcg),
      ratio_to_implicit: round(r.ndcg / r.implicitNdcg),
      popularity_ndcg_at_10: round(r.popularityNdcg),
      precision_at_10: round(r.precision),
      recall_at_10: round(r.recall),
      coverage: round(r.coverage),
      family: r.family,
      ours_seconds: round(r.oursSeconds),
      implicit_seconds: round(r.implicitSeconds),
      seconds: round(r.seconds),
    };
  }
  const byName = new Map(results.map((r) => [r.variant, r]));
  if (byName.has('rating') && byName.has('x1000')) result.x1000_over_rating = round(byName.get('x1000')!.ndcg / byName.get('rating')!.ndcg);
  result.min_ratio_to_implicit = round(Math.min(...results.map((r) => r.ndcg / r.implicitNdcg)));
  result.seconds = round((performance.now() - started) / 1000);
  process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`bench:quality: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  },
);
