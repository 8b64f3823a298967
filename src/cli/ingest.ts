/**
 * npm run ingest: one ingestion run through the ingestion queue. It is processed by a running worker
 * when there is one, otherwise by an ingestion worker started in this process. Waits for the run,
 * prints its summary, and exits 1 when the run failed.
 */
import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { NestFactory } from '@nestjs/core';
import { Worker } from 'bullmq';
import { AppModule } from '../app.module.js';
import { ConfigError, loadConfig } from '../config/load-config.js';
import { IngestionRunsRepository } from '../ingestion/ingestion-runs.repository.js';
import { IngestionService } from '../ingestion/ingestion.service.js';
import { renderRunSummary } from '../tools/ingestion-report.js';
import { createLogger } from '../logging/logger.js';
import { PipelineChain, runDateOf } from '../pipeline/pipeline-chain.service.js';
import { JobName, QueueName } from '../queues/job-catalogue.js';
import { JobQueue } from '../queues/job-queue.service.js';
import { redisOptions } from '../redis/redis.module.js';

const USAGE = `Usage: npm run ingest [-- --date YYYY-MM-DD] [--timeout SECONDS]

Enqueues one ingestion run of the source API (MOCK_API_URL) and waits for it (settings from .env and
the environment). Without a worker on the queue, this process runs the job itself.
  --date YYYY-MM-DD   run date of the raw zone's folders (today in TZ_CRON)
  --timeout SECONDS   how long to wait for the run (21600)`;

async function main(): Promise<number> {
  const { values } = parseArgs({ args: process.argv.slice(2), options: { date: { type: 'string' }, timeout: { type: 'string' }, help: { type: 'boolean' } }, strict: true });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const timeoutS = values.timeout === undefined ? 21_600 : Number(values.timeout);
  if (!Number.isInteger(timeoutS) || timeoutS < 1) throw new Error(`--timeout must be a positive integer, got ${values.timeout}`);
  if (values.date !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(values.date)) throw new Error(`--date must be YYYY-MM-DD, got ${values.date}`);
  const settings = loadConfig();
  const logger = createLogger(settings.LOG_LEVEL);
  const app = await NestFactory.createApplicationContext(AppModule.forRoot(settings, { api: false, workers: false, scheduler: false, mockApi: false }), { logger });
  let local: Worker | undefined;
  try {
    const jobs = app.get(JobQueue);
    const workers = await jobs.queue(QueueName.Ingestion).getWorkers();
    if (workers.length === 0) {
      // Only the ingestion queue: the recommendation run the pipeline enqueues next is left to the workers.
      const ingestion = app.get(IngestionService);
      local = new Worker(QueueName.Ingestion, (job) => ingestion.runJob(job.data, job), {
        connection: redisOptions(settings.REDIS_URL),
        prefix: settings.REDIS_PREFIX,
        concurrency: 1,
        lockDuration: settings.INGESTION_LOCK_DURATION_MS,
        stalledInterval: settings.INGESTION_LOCK_DURATION_MS,
      });
      local.on('error', (err) => logger.error(`ingestion worker: ${err.message}`, undefined, 'IngestCli'));
      process.stderr.write('no worker on the ingestion queue: running the job in this process\n');
    } else {
      process.stderr.write(`${workers.length} worker(s) on the ingestion queue: the job runs there\n`);
    }
    const runDate = values.date ?? runDateOf(new Date(), settings.TZ_CRON);
    const { jobId } = await app.get(PipelineChain).startIngestion(runDate, 'cli');
    process.stderr.write(`ingestion run ${jobId} enqueued; waiting (at most ${timeoutS} s)\n`);
    const state = await jobs.waitForJob(JobName.IngestionRun, jobId, timeoutS * 1000, 500);
    const run = await app.get(IngestionRunsRepository).get(jobId);
    if (run) process.stdout.write(`${renderRunSummary(run)}\n`);
    if (state !== 'completed') {
      process.stderr.write(`ingestion run ${jobId} ended ${state}\n`);
      return 1;
    }
    return run && run.status !== 'failed' ? 0 : 1;
  } finally {
    await local?.close();
    await app.close();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (err instanceof ConfigError) process.stderr.write(`${err.message}\n`);
    else process.stderr.write(`ingest: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  },
);
