import 'reflect-metadata';
import { Queue } from 'bullmq';
import type { Settings } from '../config/settings.js';
import { PipelineChain, runDateOf } from '../pipeline/pipeline-chain.service.js';
import { JobName, QueueName } from '../queues/job-catalogue.js';
import { JobQueue } from '../queues/job-queue.service.js';
import { RecommendationRunsRepository } from '../recommendations/recommendation-runs.repository.js';
import type { RecommendationRunDoc } from '../recommendations/recommendation.schemas.js';
import { finalizeJobId } from '../recommendations/run-keys.js';
import { redisOptions } from '../redis/redis.module.js';
import { ROLE_PRESETS } from '../roles.js';
import { fieldLines } from '../tools/text-table.js';
import { runJobCommand } from './support/run-job.js';

/**
 * npm run recommend -- [--date YYYY-MM-DD] [--force] [--timeout 3600] [--verbose]
 *
 * Enqueues a recommendation run (the same job as the cron and POST /recommendations/runs), waits
 * for it, prints its summary and exits 0 only when it succeeded. When no worker serves the
 * recommendations queue, this process boots the worker role itself to run it (it may then also
 * take other queues' waiting jobs until the run is over).
 */

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

function summary(run: RecommendationRunDoc): string {
  const rows: Array<[string, string]> = [
    ['run', run._id],
    ['status', run.status],
    ['run date / trigger', `${run.run_date} / ${run.trigger}${run.force ? ' (forced)' : ''}`],
    ['users (total / active)', `${run.users_total} / ${run.users_active}`],
    [
      'recomputed',
      `${run.users_selected} (${
        Object.entries(run.reasons)
          .map(([k, v]) => `${k} ${v}`)
          .join(', ') || 'nobody needed it'
      })`,
    ],
    ['computed / skipped / failed', `${run.users_computed} / ${run.users_skipped} / ${run.users_failed}`],
    [
      'variants',
      Object.entries(run.variants)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ') || '-',
    ],
    ['model (production / canary)', `${run.model_version ?? 'none'} / ${run.canary_version ?? 'none'}`],
    ['batches', `${run.batches} of up to ${run.batch_size}`],
    ['duration', `${run.duration_s?.toFixed(2) ?? '?'} s`],
    [
      'coverage',
      run.coverage_ratio === null ? '-' : `${(run.coverage_ratio * 100).toFixed(1)}% of active users have a playlist under a day old`,
    ],
  ];
  if (run.error) rows.push(['error', run.error]);
  return fieldLines(rows);
}

let online = 0;

runJobCommand({
  name: 'recommend',
  usage: `Usage: npm run recommend [-- --date YYYY-MM-DD] [--force] [--timeout SECONDS] [--verbose]

Enqueues one recommendation run and waits for it (settings from .env and the environment). Without a
worker on the recommendations queue, this process runs the worker role until the run is over.
  --date YYYY-MM-DD   the run's date (today in TZ_CRON)
  --force             recompute every active user, not only those whose inputs changed`,
  flags: { defaultTimeoutS: 3600, date: true, force: true },
  async roles(settings) {
    online = await workersOnline(settings);
    return online === 0 ? ROLE_PRESETS.worker : ROLE_PRESETS.none;
  },
  async run({ app, settings, flags, print, say, waitFor }) {
    const runDate = flags.date ?? runDateOf(new Date(), settings.TZ_CRON);
    const { jobId } = await app
      .get(PipelineChain)
      .startRecommendations(runDate, 'cli', flags.force ? { force: true, reason: 'npm run recommend -- --force' } : {});
    print(
      `recommendation run ${jobId} enqueued (${online === 0 ? 'no worker online: running it in this process' : `${online} worker(s) online`})`,
    );
    const jobs = app.get(JobQueue);
    const planned = await waitFor(JobName.RecommendationRun, jobId, (_job, seconds) => `recommendations: planning (${seconds} s)`);
    if (planned !== 'completed') {
      say(
        `the run's plan ${planned === 'timeout' ? `did not finish within ${flags.timeoutS} s` : `ended ${planned}: ${await failedReason(jobs, JobName.RecommendationRun, jobId)}`}`,
      );
      return 1;
    }
    const finished = await waitFor(JobName.RecommendationFinalize, finalizeJobId(jobId), async (job, seconds) => {
      const { processed = 0, unprocessed = 0 } = await job.getDependenciesCount({ processed: true, unprocessed: true });
      const batches = processed + unprocessed;
      return batches > 0
        ? { text: `recommendations: ${processed} of ${batches} batches (${seconds} s)`, done: processed / batches }
        : `recommendations: finishing (${seconds} s)`;
    });
    const run = await app.get(RecommendationRunsRepository).get(jobId);
    if (run) print(summary(run));
    if (finished !== 'completed') {
      say(
        `the run ${finished === 'timeout' ? `did not finish within ${flags.timeoutS} s` : `ended ${finished}: ${await failedReason(jobs, JobName.RecommendationFinalize, finalizeJobId(jobId))}`}`,
      );
      return 1;
    }
    if (run?.status !== 'succeeded') {
      say(`the run ${run ? `ended ${run.status}: ${run.users_failed} users failed` : 'has no record'}`);
      return 1;
    }
    return 0;
  },
});
