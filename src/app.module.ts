import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { ScheduleModule } from '@nestjs/schedule';
import { AdminModule } from './admin/admin.module.js';
import { BadRequestShapeFilter, RequestValidationPipe } from './common/request-validation.js';
import { ConfigModule } from './config/config.module.js';
import type { Settings } from './config/settings.js';
import { DatabaseModule } from './database/database.module.js';
import { HealthModule } from './health/health.module.js';
import { IngestionModule } from './ingestion/ingestion.module.js';
import { MonitoringModule } from './monitoring/monitoring.module.js';
import { RetentionModule } from './pipeline/retention.module.js';
import { StopWorkersFirst } from './queues/worker-drain.js';
import { QueuesModule } from './queues/queues.module.js';
import { RecommendationsModule } from './recommendations/recommendations.module.js';
import { RedisModule } from './redis/redis.module.js';
import type { RoleParts } from './roles.js';
import { TrainingModule } from './training/training.module.js';

/**
 * The pipeline application: infrastructure (the only global modules: configuration, MongoDB,
 * Redis, the queues), then one module per feature. Each feature module's
 * `register(parts)` adds its controllers only for the API role and its cron handlers only for the
 * scheduler role; its services (and their @OnJob handlers) are always there.
 */
@Module({})
export class AppModule {
  static forRoot(settings: Settings, parts: RoleParts): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(settings),
        DatabaseModule,
        RedisModule,
        QueuesModule.register({ workers: parts.workers }),
        ...(parts.scheduler ? [ScheduleModule.forRoot()] : []),
        // Feature modules: not global; each imports the modules whose exports it uses (docs/architecture.md#modules).
        MonitoringModule,
        HealthModule,
        IngestionModule.register(parts),
        RecommendationsModule.register(parts),
        TrainingModule.register(parts),
        AdminModule.register(parts),
        RetentionModule.register(parts),
      ],
      // The root module's shutdown hooks run before every other module's: the workers stop there,
      // before anything their running jobs use (source client, Mongo, Redis) is closed.
      // Every request parameter declared with a zod schema is checked by the one pipe, and every 400 has one body (src/common/request-validation.ts).
      providers: [
        { provide: APP_PIPE, useClass: RequestValidationPipe },
        { provide: APP_FILTER, useClass: BadRequestShapeFilter },
        ...(parts.workers ? [StopWorkersFirst] : []),
      ],
    };
  }
}
