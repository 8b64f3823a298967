import { InjectFlowProducer, InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { FlowProducer, Queue, type Job, type JobsOptions } from 'bullmq';
import { AppConfig } from '../config/app-config.js';
import { JOB_QUEUE, JobName, QueueName, type JobPayloads } from './job-catalogue.js';
import { defaultJobOptions } from './job-options.js';
import { jobProblems } from './job-payloads.js';

export const FLOW_PRODUCER = 'pipeline-flows';

export interface EnqueueResult {
  jobId: string;
  /** False when a job with the same id already existed: the period was already enqueued. */
  created: boolean;
}

/** The only place that adds jobs: default options, deterministic ids, bulk adds and flows. */
/**
 * Queues whose jobs never run side by side in the whole deployment, however many workers: training
 * (two runs at once would race on the registry and the canary). Ingestion sets its own at boot.
 */
export const ONE_AT_A_TIME: readonly QueueName[] = [QueueName.Training];

@Injectable()
export class JobQueue implements OnApplicationBootstrap {
  private readonly logger = new Logger('JobQueue');
  private readonly queues: Record<QueueName, Queue>;

  constructor(
    private readonly config: AppConfig,
    @InjectQueue(QueueName.Ingestion) ingestion: Queue,
    @InjectQueue(QueueName.Recommendations) recommendations: Queue,
    @InjectQueue(QueueName.Training) training: Queue,
    @InjectQueue(QueueName.Maintenance) maintenance: Queue,
    @InjectFlowProducer(FLOW_PRODUCER) private readonly flows: FlowProducer,
  ) {
    this.queues = {
      [QueueName.Ingestion]: ingestion,
      [QueueName.Recommendations]: recommendations,
      [QueueName.Training]: training,
      [QueueName.Maintenance]: maintenance,
    };
  }

  async onApplicationBootstrap(): Promise<void> {
    for (const name of ONE_AT_A_TIME) {
      try {
        await this.queues[name].setGlobalConcurrency(1);
      } catch (err) {
        this.logger.error(`could not limit the ${name} queue to one job at a time: ${(err as Error).message}`);
      }
    }
  }

  queue(name: QueueName): Queue {
    return this.queues[name];
  }

  all(): Queue[] {
    return Object.values(this.queues);
  }

  flowProducer(): FlowProducer {
    return this.flows;
  }

  options(name: JobName, extra: JobsOptions = {}): JobsOptions {
    return { ...defaultJobOptions(name, this.config.INGESTION_JOB_ATTEMPTS), ...extra };
  }

  /** Adds one job; with a jobId, a second add for the same id is a no-op that reports created=false. */
  async enqueue<N extends JobName>(name: N, payload: JobPayloads[N], jobId?: string, extra: JobsOptions = {}): Promise<EnqueueResult> {
    const problems = jobProblems(name, jobId, payload);
    if (problems.length > 0) throw new Error(`job ${name} ${jobId ?? ''} not enqueued: ${problems.join('; ')}`);
    const queue = this.queues[JOB_QUEUE[name]];
    if (jobId) {
      const existing = await queue.getJob(jobId);
      if (existing && !(await this.reclaim(existing))) return { jobId, created: false };
    }
    const job = await queue.add(name, payload, this.options(name, jobId ? { ...extra, jobId } : extra));
    return { jobId: String(job.id), created: true };
  }

  /**
   * A job that holds an id with a payload it may not have (added by hand, e.g. from Bull Board,
   * before the scheduler) is removed so the scheduler's job can take the id; true when it was.
   */
  private async reclaim(existing: Job): Promise<boolean> {
    const problems = jobProblems(existing.name, existing.id, existing.data);
    if (problems.length === 0) return false;
    const state = await existing.getState();
    if (state === 'active') return false;
    await existing.remove();
    this.logger.warn(
      `job ${existing.id} held its id with a payload it may not have (${problems.join('; ')}); removed (${state}) so the scheduled job can take it`,
      { jobId: existing.id },
    );
    return true;
  }

  async enqueueBulk<N extends JobName>(name: N, items: Array<{ payload: JobPayloads[N]; jobId?: string }>): Promise<Job[]> {
    const queue = this.queues[JOB_QUEUE[name]];
    return queue.addBulk(items.map((i) => ({ name, data: i.payload, opts: this.options(name, i.jobId ? { jobId: i.jobId } : {}) })));
  }

  /** A parent job that runs once every child has completed (BullMQ flow). */
  async enqueueFlow<P extends JobName, C extends JobName>(
    parent: { name: P; payload: JobPayloads[P]; jobId: string },
    childName: C,
    children: Array<{ payload: JobPayloads[C]; jobId: string }>,
  ): Promise<void> {
    await this.flows.add({
      name: parent.name,
      queueName: JOB_QUEUE[parent.name],
      data: parent.payload,
      opts: this.options(parent.name, { jobId: parent.jobId }),
      children: children.map((c) => ({
        name: childName,
        queueName: JOB_QUEUE[childName],
        data: c.payload,
        opts: this.options(childName, { jobId: c.jobId }),
      })),
    });
  }

  /** Waits for a job to finish (used by the CLI commands); resolves with its final state. */
  async waitForJob(name: JobName, jobId: string, timeoutMs: number, pollMs = 250): Promise<'completed' | 'failed' | 'timeout' | 'missing'> {
    const queue = this.queues[JOB_QUEUE[name]];
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const job = await queue.getJob(jobId);
      if (!job) return 'missing';
      const state = await job.getState();
      if (state === 'completed' || state === 'failed') return state;
      await new Promise((r) => setTimeout(r, pollMs));
    }
    return 'timeout';
  }
}
