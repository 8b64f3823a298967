/**
 * npm run train: one retraining run (collect, train, evaluate, gate, canary) through the training
 * queue, processed by this process's own worker (or any other worker that takes it first).
 * Prints the run's record; exits 1 when the run failed.
 */
import 'reflect-metadata';
import { PipelineChain, runDateOf } from '../pipeline/pipeline-chain.service.js';
import { JobName, QueueName } from '../queues/job-catalogue.js';
import { JobQueue } from '../queues/job-queue.service.js';
import { ROLE_PRESETS } from '../roles.js';
import { waitUntilIdle } from '../tools/queue-watch.js';
import { renderRun } from '../tools/training-report.js';
import { TrainingRunsRepository } from '../training/registry/training-runs.repository.js';
import type { TrainingOutcome } from '../training/training.service.js';
import { runJobCommand } from './support/run-job.js';

runJobCommand({
  name: 'train',
  usage: `Usage: npm run train [-- --timeout SECONDS] [--verbose]

Enqueues one retraining run and waits for it, running it with this process's own worker (settings from
.env and the environment).`,
  flags: { defaultTimeoutS: 7200 },
  roles: () => ROLE_PRESETS.worker,
  async run({ app, settings, flags, print, say, waitFor }) {
    const runDate = runDateOf(new Date(), settings.TZ_CRON);
    const { jobId } = await app.get(PipelineChain).startTraining(runDate, 'cli');
    say(`training job ${jobId} enqueued; waiting (at most ${flags.timeoutS} s)`);
    const jobs = app.get(JobQueue);
    const state = await waitFor(JobName.TrainingRun, jobId, (_job, seconds, state) => `training: ${state} (${seconds} s)`);
    const [run] = await app.get(TrainingRunsRepository).byJob(jobId);
    if (run) print(renderRun(run));
    if (state !== 'completed') {
      say(`training job ${jobId} ended ${state}`);
      return 1;
    }
    // A new canary or production model is followed by a recommendation run: let it finish here
    // rather than interrupt it by closing this process's worker.
    const outcome = (await jobs.queue(QueueName.Training).getJob(jobId))?.returnvalue as TrainingOutcome | undefined;
    if (outcome?.recommendationJobId) {
      say(`waiting for the recommendation run that follows (${outcome.recommendationJobId})`);
      await waitUntilIdle(jobs.all(), flags.timeoutS * 1000);
      print(`recommendation run ${outcome.recommendationJobId} finished`);
    }
    return run && run.status === 'succeeded' ? 0 : 1;
  },
});
