/**
 * npm run evaluate -- --data DIR [--test FILE] [--k 10] [--write-split DIR2] ...
 * Offline evaluation of ALS against the popularity baseline, as docs/datasets.md defines it.
 * Progress goes to stderr; stdout gets the tables and, last, the RESULT line.
 */
import { copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { DatasetError, readDataset, readListensFile, TRACKS_FILE, USERS_FILE, writeListensFile } from '../datasets/ndjson-dataset.js';
import type { ConfidenceForm } from '../training/model/als.js';
import { renderReport, runEvaluation } from '../training/evaluation/evaluate.js';
import { intOption, parseOptions, UsageError } from './support/parse-options.js';

const USAGE = `Usage: npm run evaluate -- --data DIR [options]

  --data DIR           data set directory (listens.ndjson, optional tracks.ndjson, users.ndjson)
  --test FILE          test listens (same format); train on all of DIR/listens.ndjson
  --k N                list length (10)
  --write-split DIR2   write the split: DIR2/listens.ndjson (training) and DIR2/test.ndjson
  --trials N           hyper-parameter search trials on a validation carve-out (6)
  --seed N             seed of the split, the search and the model (42)
  --threads N          ALS worker threads (all cores for large data, else 1)
  --confidence FORM    linear (1 + alpha * count) or log (1 + alpha * log(1 + count)) (linear)
  --iterations N       ALS iterations (15)
  --cg-steps N         conjugate-gradient steps per row (3)
  --help`;

function parse(argv: string[]) {
  const v = parseOptions(argv, ['data', 'test', 'k', 'write-split', 'trials', 'seed', 'threads', 'confidence', 'iterations', 'cg-steps']);
  if (!v) return null;
  if (!v.data) throw new UsageError('--data DIR is required');
  const confidence = v.confidence ?? 'linear';
  if (confidence !== 'linear' && confidence !== 'log') throw new UsageError(`--confidence must be linear or log, got ${confidence}`);
  return {
    data: v.data,
    test: v.test,
    writeSplit: v['write-split'],
    k: intOption(v, 'k', 1, 10_000) ?? 10,
    trials: intOption(v, 'trials', 1, 1000) ?? 6,
    seed: intOption(v, 'seed', 0, 0xffffffff) ?? 42,
    threads: intOption(v, 'threads', 1, 256),
    iterations: intOption(v, 'iterations', 1, 10_000),
    cgSteps: intOption(v, 'cg-steps', 1, 1024),
    confidence: confidence as ConfidenceForm,
  };
}

async function main(): Promise<number> {
  let args;
  try {
    args = parse(process.argv.slice(2));
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`evaluate: ${err.message}\n\n${USAGE}\n`);
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
  progress(`read ${dataset.listens.length} listens${test ? ` and ${test.length} test listens` : ''}${dataset.tracks ? `, ${dataset.tracks.length} tracks` : ''}`);
  const run = await runEvaluation({
    listens: dataset.listens,
    test,
    catalogue: dataset.tracks?.map((t) => t.id),
    k: args.k,
    seed: args.seed,
    trials: args.trials,
    threads: args.threads,
    base: { confidence: args.confidence, iterations: args.iterations, cgSteps: args.cgSteps },
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
