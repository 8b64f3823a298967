import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { UnrecoverableError, type Job } from 'bullmq';
import { ALL_JOBS, JobName } from './job-catalogue.js';
import { jobProblems } from './job-payloads.js';
import { ON_JOB } from './on-job.js';

type Handler = (payload: unknown, job: Job) => Promise<unknown>;

/** Finds the one `@OnJob` handler of every job at boot, and routes each job to it. */
@Injectable()
export class JobDispatcher implements OnModuleInit {
  private readonly logger = new Logger('JobDispatcher');
  private readonly handlers = new Map<JobName, Handler>();

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
  ) {}

  onModuleInit(): void {
    const found = new Map<JobName, string[]>();
    for (const wrapper of this.discovery.getProviders()) {
      const instance = wrapper.instance as Record<string, unknown> | undefined;
      if (!instance || typeof instance !== 'object' || !wrapper.isDependencyTreeStatic()) continue;
      const proto = Object.getPrototypeOf(instance) as object;
      for (const method of this.scanner.getAllMethodNames(proto)) {
        const fn = instance[method];
        if (typeof fn !== 'function') continue;
        const name = this.reflector.get<JobName | undefined>(ON_JOB, fn as (...args: unknown[]) => unknown);
        if (!name) continue;
        found.set(name, [...(found.get(name) ?? []), `${proto.constructor.name}.${method}`]);
        this.handlers.set(name, (payload, job) => (fn as Handler).call(instance, payload, job));
      }
    }
    const problems: string[] = [];
    for (const name of ALL_JOBS) {
      const where = found.get(name) ?? [];
      if (where.length === 0)
        problems.push(`job "${name}" has no handler: add @OnJob(JobName.${enumKey(name)}) to the service method that runs it`);
      if (where.length > 1) problems.push(`job "${name}" has ${where.length} handlers (${where.join(', ')}): keep one`);
    }
    if (problems.length > 0) throw new Error(`job catalogue check failed:\n  ${problems.join('\n  ')}`);
    this.logger.log(`job handlers registered: ${[...found.entries()].map(([n, w]) => `${n} -> ${w[0]}`).join(', ')}`);
  }

  /** Routes a job to its handler once its payload and id are checked: a bad one fails at once, never retried. */
  async dispatch(job: Job): Promise<unknown> {
    const handler = this.handlers.get(job.name as JobName);
    if (!handler) throw new UnrecoverableError(`no handler for job "${job.name}" on queue "${job.queueName}"`);
    const problems = jobProblems(job.name, job.id, job.data);
    if (problems.length > 0) throw new UnrecoverableError(`job ${job.name} ${job.id ?? ''} refused: ${problems.join('; ')}`);
    return handler(job.data, job);
  }
}

function enumKey(value: string): string {
  return Object.entries(JobName).find(([, v]) => v === value)?.[0] ?? value;
}
