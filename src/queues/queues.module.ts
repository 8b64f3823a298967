import { BullModule } from '@nestjs/bullmq';
import { Global, Module, type DynamicModule } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { AppConfig } from '../config/app-config.js';
import { MetricsModule } from '../monitoring/metrics.module.js';
import { redisOptions } from '../redis/redis.module.js';
import { ALL_QUEUES } from './job-catalogue.js';
import { JobDispatcher } from './job-dispatcher.js';
import { FLOW_PRODUCER, JobQueue } from './job-queue.service.js';
import { QUEUE_PROCESSORS } from './processors.js';
import { WorkerDrain } from './worker-drain.js';

/** BullMQ connections and queues (every role adds jobs); the processors only where `workers` is true. */
@Global()
@Module({})
export class QueuesModule {
  static register(opts: { workers: boolean }): DynamicModule {
    return {
      module: QueuesModule,
      imports: [
        DiscoveryModule,
        // The processors count jobs and log connection errors.
        MetricsModule,
        BullModule.forRootAsync({
          inject: [AppConfig],
          useFactory: (config: AppConfig) => ({ connection: redisOptions(config.REDIS_URL), prefix: config.REDIS_PREFIX }),
        }),
        BullModule.registerQueue(...ALL_QUEUES.map((name) => ({ name }))),
        BullModule.registerFlowProducer({ name: FLOW_PRODUCER }),
      ],
      providers: [JobQueue, ...(opts.workers ? [JobDispatcher, WorkerDrain, ...QUEUE_PROCESSORS] : [])],
      exports: [JobQueue, BullModule, ...(opts.workers ? [WorkerDrain] : [])],
    };
  }
}
