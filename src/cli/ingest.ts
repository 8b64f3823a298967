/**
 * npm run ingest: one ingestion run through the ingestion queue. It is processed by a running worker
 * when there is one, otherwise by an ingestion worker started in this process. Waits for the run,
 * prints its summary, and exits 1 when the run failed.
 */
import 'reflect-metadata';
import { Worker } from 'bullmq';
import { IngestionRunsRepository } from '../ingestion/ingestion-runs.repository.js';
import { IngestionService } from '../ingestion/ingestion.service.js';
import { PipelineChain, runDateOf } from '../pipeline/pipeline-chain.service.js';
import { JobName, QueueName } from '../queues/job-catalogue.js';
import { JobQueue } from '../queues/job-queue.service.js';
import { redisOptions } from '../redis/redis.module.js';
import { ROLE_PRESETS } from '../roles.js';
import { renderRunSummary } from '../tools/ingestion-report.js';
import { runJobCommand } from './support/run-job.js';

runJobCommand({
  name: 'ingest',
  usage: `Usage: npm run ingest [-- --date YYYY-MM-DD] [--timeout SECONDS] [--verbose]

Enqueues one ingestion run of the source API (MOCK_API_URL) and waits for it (settings from .env and
the environment). Without a worker on the queue, this process runs the job itself.
  --date YYYY-MM-DD   run date of the raw zone's folders (today in TZ_CRON)`,
  flags: { defaultTimeoutS: 21_600, date: true },
  // Only enqueues: the ingestion worker, when one is needed, is started below for that queue alone.
  roles: () => ROLE_PRESETS.none,
  async run({ app, settings, flags, logger, print, say, waitFor }) {
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
        say('no worker on the ingestion queue: running the job in this process');
      } else {
        say(`${workers.length} worker(s) on the ingestion queue: the job runs there`);
      }
      const runDate = flags.date ?? runDateOf(new Date(), settings.TZ_CRON);
      const { jobId } = await app.get(PipelineChain).startIngestion(runDate, 'cli');
      say(`ingestion run ${jobId} enqueued; waiting (at most ${flags.timeoutS} s)`);
      const state = await waitFor(JobName.IngestionRun, jobId, (job, seconds, jobState) => {
        const p = job.progress as { endpoint?: string; pages?: number; fetched?: number } | number;
        const where = typeof p === 'object' && p.endpoint ? `${p.endpoint}, ${p.pages ?? 0} pages, ${p.fetched ?? 0} records` : jobState;
        return `ingestion: ${where} (${seconds} s)`;
      });
      const run = await app.get(IngestionRunsRepository).get(jobId);
      if (run) print(renderRunSummary(run));
      if (state !== 'completed') {
        say(`ingestion run ${jobId} ended ${state}`);
        return 1;
      }
      return run && run.status !== 'failed' ? 0 : 1;
    } finally {
      await local?.close();
    }
  },
});
