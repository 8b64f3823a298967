import 'reflect-metadata';
import type { INestApplication } from '@nestjs/common';
import { Queue } from 'bullmq';
import { createPipelineApp } from '../bootstrap.js';
import { ConfigError, loadConfig } from '../config/load-config.js';
import type { Settings } from '../config/settings.js';
import { createLogger } from '../logging/logger.js';
import { PipelineChain, runDateOf } from '../pipeline/pipeline-chain.service.js';
import { JobName, QueueName } from '../queues/job-catalogue.js';
import { JobQueue } from '../queues/job-queue.service.js';
import { RecommendationRunsRepository } from '../recommendations/recommendation-runs.repository.js';
import type { RecommendationRunDoc } from '../recommendations/recommendation.schemas.js';
import { finalizeJobId } from '../recommendations/run-keys.js';
import { redisOptions } from '../redis/redis.module.js';

/**
 * npm run recommend -- [--date YYYY-MM-DD] [--force] [--timeout-s 3600] [--verbose]
 *
 * Enqueues a recommendation run (the same job as the cron and POST /recommendations/runs), waits
 * for it, prints its summary and exits 0 only when it succeeded. When no worker serves the
 * recommendations queue, this process boots the worker role itself to run it (it may then also
 * take other queues' waiting jobs until the run is over).
 */

interface Flags {
  date?: string;
  force: boolean;
  timeoutS: number;
  verbose: boolean;
}

function parseFlags(argv: string[]): Flags {
  const f: Flags = { force: false, timeoutS: 3600, verbose: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--force') f.force = true;
    else if (a === '--verbose') f.verbose = true;
    else if (a === '--date') {
      const v = argv[++i] ?? '';
      if (!/^\d{4}-\d{2}-\d{2}$/.test(v) || Number.isNaN(Date.parse(`${v}T00:00:00Z`))) throw new UsageError(`--date expects YYYY-MM-DD, got ${JSON.stringify(v)}`);
      f.date = v;
    } else if (a === '--timeout-s') {
      const v = Number(argv[++i]);
      if (!Number.isInteger(v) || v < 1) throw new UsageError(`--timeout-s expects a positive integer, got ${JSON.stringify(argv[i])}`);
      f.timeoutS = v;
    } else throw new UsageError(`unknown argument ${a} (usage: npm run recommend -- [--date YYYY-MM-DD] [--force] [--timeout-s N] [--verbose])`);
  }
  return f;
}

class UsageError extends Error {}

async function workersOnline(settings: Settings): Promise<number> {
  const queue = new Queue(QueueName.Recommendations, { connection: redisOptions(settings.REDIS_URL), prefix: settings.REDIS_PREFIX });
  try {
    return (await queue.getWorkers()).length;
  } finally {
    await queue.close();
  }
}

async function failedReason(jobs: JobQueue, name: JobName, jobId: string): Promise<string> {
  const job = await jobs.queue(QueueName.Recommendations).getJob(jobId);
  return job?.failedReason ?? `job ${name} ${jobId} not found`;
}

function printSummary(run: RecommendationRunDoc): void {
  const rows: Array<[string, string]> = [
    ['run', run._id],
    ['status', run.status],
    ['run date / trigger', `${run.run_date} / ${run.trigger}${run.force ? ' (forced)' : ''}`],
    ['users (total / active)', `${run.users_total} / ${run.users_active}`],
    ['recomputed', `${run.users_selected} (${Object.entries(run.reasons).map(([k, v]) => `${k} ${v}`).join(', ') || 'nobody needed it'})`],
    ['computed / skipped / failed', `${run.users_computed} / ${run.users_skipped} / ${run.users_failed}`],
    ['variants', Object.entries(run.variants).map(([k, v]) => `${k} ${v}`).join(', ') || '-'],
    ['model (production / canary)', `${run.model_version ?? 'none'} / ${run.canary_version ?? 'none'}`],
    ['batches', `${run.batches} of up to ${run.batch_size}`],
    ['duration', `${run.duration_s?.toFixed(2) ?? '?'} s`],
    ['coverage', run.coverage_ratio === null ? '-' : `${(run.coverage_ratio * 100).toFixed(1)}% of active users have a playlist under a day old`],
  ];
  if (run.error) rows.push(['error', run.error]);
  const width = Math.max(...rows.map((r) => r[0].length));
  process.stdout.write(`${rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join('\n')}\n`);
}

async function main(): Promise<number> {
  const flags = parseFlags(process.argv.slice(2));
  const settings = loadConfig();
  const logger = createLogger(flags.verbose ? settings.LOG_LEVEL : 'warn');
  const online = await workersOnline(settings);
  const inProcess = online === 0;
  let app: INestApplication | undefined;
  try {
    app = await createPipelineApp(settings, { api: false, workers: inProcess, scheduler: false, mockApi: false }, logger);
    await app.init();
    const runDate = flags.date ?? runDateOf(new Date(), settings.TZ_CRON);
    const { jobId } = await app.get(PipelineChain).startRecommendations(runDate, 'cli', flags.force ? { force: true, reason: 'npm run recommend -- --force' } : {});
    process.stdout.write(`recommendation run ${jobId} enqueued (${inProcess ? 'no worker online: running it in this process' : `${online} worker(s) online`})\n`);
    const jobs = app.get(JobQueue);
    const deadline = Date.now() + flags.timeoutS * 1000;
    const planned = await jobs.waitForJob(JobName.RecommendationRun, jobId, deadline - Date.now());
    if (planned !== 'completed') {
      process.stderr.write(`the run's plan ${planned === 'timeout' ? `did not finish within ${flags.timeoutS} s` : `ended ${planned}: ${await failedReason(jobs, JobName.RecommendationRun, jobId)}`}\n`);
      return 1;
    }
    const finished = await jobs.waitForJob(JobName.RecommendationFinalize, finalizeJobId(jobId), Math.max(1, deadline - Date.now()));
    const run = await app.get(RecommendationRunsRepository).get(jobId);
    if (run) printSummary(run);
    if (finished !== 'completed') {
      process.stderr.write(`the run ${finished === 'timeout' ? `did not finish within ${flags.timeoutS} s` : `ended ${finished}: ${await failedReason(jobs, JobName.RecommendationFinalize, finalizeJobId(jobId))}`}\n`);
      return 1;
    }
    if (run?.status !== 'succeeded') {
      process.stderr.write(`the run ${run ? `ended ${run.status}: ${run.users_failed} users failed` : 'has no record'}\n`);
      return 1;
    }
    return 0;
  } finally {
    await app?.close();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (err instanceof ConfigError || err instanceof UsageError) process.stderr.write(`${err.message}\n`);
    else process.stderr.write(`recommend failed: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(err instanceof UsageError ? 2 : 1);
  },
);
