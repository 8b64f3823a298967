/**
 * npm run evaluate -- --data DIR [--test FILE] [--k 10] [--write-split DIR2] ...
 * Offline evaluation as docs/datasets.md defines it: the retraining's own model search (every
 * family, the same settings and defaults, read from the environment and .env like the service),
 * the chosen model refit on the training split, and the popularity baseline beside it.
 * Progress goes to stderr; stdout gets the tables and, last, the RESULT line.
 */
import { copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { DatasetError, readDataset, readListensFile, TRACKS_FILE, USERS_FILE, writeListensFile } from '../datasets/ndjson-dataset.js';
import type { ConfidenceForm } from '../training/model/als.js';
import { MODEL_FAMILIES, type ModelFamily } from '../training/model/model.js';
import { searchSettingsFromEnv, type SearchSettings } from '../training/model/search-settings.js';
import { runEvaluation } from '../training/evaluation/evaluate.js';
import { renderReport } from '../tools/evaluation-report.js';
import { intOption, parseOptions, UsageError } from './support/parse-options.js';

const USAGE = `Usage: npm run evaluate -- --data DIR [options]

  --data DIR           data set directory (listens.ndjson, optional tracks.ndjson, users.ndjson)
  --test FILE          test listens (same format); train on all of DIR/listens.ndjson
  --k N                list length (10)
  --write-split DIR2   write the split: DIR2/listens.ndjson (training) and DIR2/test.ndjson
  --seed N             seed of the train/test split (42)
  --threads N          ALS worker threads (all cores for large data, else 1)

The model search runs exactly as the weekly retraining's; its settings come from the environment
and .env (defaults in the README's configuration table), and these flags override them:
  --trials N           ALS configurations raced (TUNING_TRIALS; 0 = ALS with the ALS_* settings)
  --budget SECONDS     time budget of the search (MODEL_SEARCH_SECONDS)
  --families LIST      comma-separated als,ease,rp3beta (MODEL_FAMILIES)
  --confidence FORM    first ALS configuration's confidence form, linear or log (ALS_CONFIDENCE)
  --iterations N       most ALS sweeps (ALS_ITERATIONS)
  --cg-steps N         conjugate-gradient steps per row (ALS_CG_STEPS)
  --help`;

function parse(argv: string[], defaults: SearchSettings) {
  const v = parseOptions(argv, [
    'data',
    'test',
    'k',
    'write-split',
    'trials',
    'budget',
    'families',
    'seed',
    'threads',
    'confidence',
    'iterations',
    'cg-steps',
  ]);
  if (!v) return null;
  if (!v.data) throw new UsageError('--data DIR is required');
  const confidence = v.confidence ?? defaults.als.confidence;
  if (confidence !== 'linear' && confidence !== 'log') throw new UsageError(`--confidence must be linear or log, got ${confidence}`);
  let families = defaults.families;
  if (v.families !== undefined) {
    families = v.families.split(',').map((f) => f.trim()) as ModelFamily[];
    const bad = families.filter((f) => !MODEL_FAMILIES.includes(f));
    if (families.length === 0 || bad.length > 0)
      throw new UsageError(`--families must name some of ${MODEL_FAMILIES.join(', ')}, got ${v.families}`);
  }
  const search: SearchSettings = {
    ...defaults,
    trials: intOption(v, 'trials', 0, 50) ?? defaults.trials,
    budgetSeconds: intOption(v, 'budget', 1, 86_400) ?? defaults.budgetSeconds,
    families,
    als: {
      ...defaults.als,
      confidence: confidence as ConfidenceForm,
      iterations: intOption(v, 'iterations', 1, 10_000) ?? defaults.als.iterations,
      cgSteps: intOption(v, 'cg-steps', 1, 1024) ?? defaults.als.cgSteps,
    },
  };
  return {
    data: v.data,
    test: v.test,
    writeSplit: v['write-split'],
    k: intOption(v, 'k', 1, 10_000) ?? 10,
    seed: intOption(v, 'seed', 0, 0xffffffff) ?? 42,
    threads: intOption(v, 'threads', 1, 256),
    search,
  };
}

async function main(): Promise<number> {
  let args;
  try {
    args = parse(process.argv.slice(2), searchSettingsFromEnv());
  } catch (err) {
    if (!(err instanceof UsageError) && !(err instanceof Error && /^[A-Z_]+: /.test(err.message))) throw err;
    process.stderr.write(`evaluate: ${(err as Error).message}\n\n${USAGE}\n`);
    return 2;
  }
  if (!args) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const progress = (m: string) => process.stderr.write(`[evaluate] ${m}\n`);
  let dataset;
  let test;
  try {
    dataset = await readDataset(args.data);
    if (args.test) test = await readListensFile(args.test);
  } catch (err) {
    if (!(err instanceof DatasetError)) throw err;
    process.stderr.write(`evaluate: ${err.message}\n`);
    return 1;
  }
  progress(
    `read ${dataset.listens.length} listens${test ? ` and ${test.length} test listens` : ''}${dataset.tracks ? `, ${dataset.tracks.length} tracks` : ''}`,
  );
  const run = await runEvaluation({
    listens: dataset.listens,
    test,
    catalogue: dataset.tracks?.map((t) => t.id),
    k: args.k,
    seed: args.seed,
    search: args.search,
    threads: args.threads,
    onProgress: progress,
  });
  if (args.writeSplit) {
    await mkdir(args.writeSplit, { recursive: true });
    await writeListensFile(join(args.writeSplit, 'listens.ndjson'), run.split.train);
    await writeListensFile(join(args.writeSplit, 'test.ndjson'), run.split.test);
    if (dataset.tracks) await copyFile(join(args.data, TRACKS_FILE), join(args.writeSplit, TRACKS_FILE));
    if (dataset.users) await copyFile(join(args.data, USERS_FILE), join(args.writeSplit, USERS_FILE));
    progress(`split written to ${args.writeSplit} (reuse: --data ${args.writeSplit} --test ${join(args.writeSplit, 'test.ndjson')})`);
  }
  process.stdout.write(`${renderReport(run.report)}\n`);
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`evaluate: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  },
);
