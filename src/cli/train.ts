/**
 * npm run train: one retraining run (collect, train, evaluate, gate, canary) through the training
 * queue, processed by this process's own worker (or any other worker that takes it first).
 * Prints the run's record; exits 1 when the run failed.
 */
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { parseArgs } from 'node:util';
import { AppModule } from '../app.module.js';
import { ConfigError, loadConfig } from '../config/load-config.js';
import { createLogger } from '../logging/logger.js';
import { PipelineChain, runDateOf } from '../pipeline/pipeline-chain.service.js';
import { JobName, QueueName } from '../queues/job-catalogue.js';
import { JobQueue } from '../queues/job-queue.service.js';
import { TrainingRunsRepository } from '../training/registry/training-runs.repository.js';
import { renderRun } from '../tools/training-report.js';
import { waitUntilIdle } from '../tools/queue-watch.js';
import type { TrainingOutcome } from '../training/training.service.js';

const USAGE = `Usage: npm run train [-- --timeout SECONDS]

Enqueues one retraining run and waits for it (settings from .env and the environment).
  --timeout SECONDS   how long to wait for the run (7200)`;

async function main(): Promise<number> {
  const { values } = parseArgs({ args: process.argv.slice(2), options: { timeout: { type: 'string' }, help: { type: 'boolean' } }, strict: true });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const timeoutS = values.timeout === undefined ? 7200 : Number(values.timeout);
  if (!Number.isInteger(timeoutS) || timeoutS < 1) throw new Error(`--timeout must be a positive integer, got ${values.timeout}`);
  const settings = loadConfig();
  const logger = createLogger(settings.LOG_LEVEL);
  const app = await NestFactory.createApplicationContext(AppModule.forRoot(settings, { api: false, workers: true, scheduler: false, mockApi: false }), { logger });
  try {
    const runDate = runDateOf(new Date(), settings.TZ_CRON);
    const { jobId } = await app.get(PipelineChain).startTraining(runDate, 'cli');
    process.stderr.write(`training job ${jobId} enqueued; waiting (at most ${timeoutS} s)\n`);
    const jobs = app.get(JobQueue);
    const state = await jobs.waitForJob(JobName.TrainingRun, jobId, timeoutS * 1000, 500);
    const [run] = await app.get(TrainingRunsRepository).byJob(jobId);
    if (run) process.stdout.write(`${renderRun(run)}\n`);
    if (state !== 'completed') {
      process.stderr.write(`training job ${jobId} ended ${state}\n`);
      return 1;
    }
    // A new canary or production model is followed by a recommendation run: let it finish here
    // rather than interrupt it by closing this process's worker.
    const outcome = (await jobs.queue(QueueName.Training).getJob(jobId))?.returnvalue as TrainingOutcome | undefined;
    if (outcome?.recommendationJobId) {
      process.stderr.write(`waiting for the recommendation run that follows (${outcome.recommendationJobId})\n`);
      await waitUntilIdle(jobs.all(), timeoutS * 1000);
      process.stdout.write(`recommendation run ${outcome.recommendationJobId} finished\n`);
    }
    return run && run.status === 'succeeded' ? 0 : 1;
  } finally {
    await app.close();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (err instanceof ConfigError) process.stderr.write(`${err.message}\n`);
    else process.stderr.write(`train: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  },
);
