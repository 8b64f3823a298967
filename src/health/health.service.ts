import { Inject, Injectable } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import { Redis } from 'ioredis';
import type { Connection } from 'mongoose';
import { AppConfig } from '../config/app-config.js';
import { dateField, RunRecordsRepository } from '../monitoring/run-records.repository.js';
import { withTimeout } from '../monitoring/timeout.js';
import { JobQueue } from '../queues/job-queue.service.js';
import { REDIS } from '../redis/redis.module.js';
import { freshnessReport, type FreshnessReport } from './freshness.js';

export const DEPENDENCIES = ['mongodb', 'redis', 'queues'] as const;
export type Dependency = (typeof DEPENDENCIES)[number];

export interface DependencyStatus {
  status: 'up' | 'down';
  message?: string;
}

/** The checks behind /health/ready and /health; every one bounded by HEALTH_CHECK_TIMEOUT_MS. */
@Injectable()
export class HealthService {
  /** Replaceable clock for tests. */
  now: () => number = Date.now;

  constructor(
    private readonly config: AppConfig,
    @InjectConnection() private readonly mongo: Connection,
    @Inject(REDIS) private readonly redis: Redis,
    private readonly jobs: JobQueue,
    private readonly runs: RunRecordsRepository,
  ) {}

  /** One dependency answers its ping in time. */
  async check(dep: Dependency): Promise<DependencyStatus> {
    const timeout = this.config.HEALTH_CHECK_TIMEOUT_MS;
    try {
      await withTimeout(this.ping(dep), timeout, `${dep} did not answer within ${timeout} ms`);
      return { status: 'up' };
    } catch (err) {
      return { status: 'down', message: (err as Error).message };
    }
  }

  async checkAll(): Promise<Record<Dependency, DependencyStatus>> {
    const results = await Promise.all(DEPENDENCIES.map((d) => this.check(d)));
    return Object.fromEntries(DEPENDENCIES.map((d, i) => [d, results[i]!])) as Record<Dependency, DependencyStatus>;
  }

  /** Age of the last successful ingestion and recommendation runs against their maximum ages. */
  async freshness(): Promise<FreshnessReport> {
    const timeout = this.config.HEALTH_CHECK_TIMEOUT_MS;
    const [ingestion, recommendations] = await withTimeout(
      Promise.all([this.runs.lastSuccess('ingestion'), this.runs.lastSuccess('recommendations')]),
      timeout,
      `run collections not read within ${timeout} ms`,
    );
    return freshnessReport(
      { ingestion: dateField(ingestion, 'finished_at'), recommendations: dateField(recommendations, 'finished_at') },
      this.now(),
      { ingestion: this.config.HEALTH_INGESTION_MAX_AGE, recommendations: this.config.HEALTH_RECOMMENDATION_MAX_AGE },
    );
  }

  private async ping(dep: Dependency): Promise<unknown> {
    switch (dep) {
      case 'mongodb':
        if (!this.mongo.db) throw new Error('mongodb is not connected');
        return this.mongo.db.admin().ping();
      case 'redis':
        return this.redis.ping();
      case 'queues':
        // Each BullMQ queue has its own connection: a real read through every one of them.
        return Promise.all(this.jobs.all().map((q) => q.getJobCounts('active')));
    }
  }
}
