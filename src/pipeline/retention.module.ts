import { Module, type DynamicModule } from '@nestjs/common';
import type { RoleParts } from '../roles.js';
import { DataRetentionScheduler } from './data-retention.scheduler.js';
import { DataRetentionService } from './data-retention.service.js';

/** The retention job in every role (its handler), its cron in the scheduler role. */
@Module({})
export class RetentionModule {
  static register(parts: Pick<RoleParts, 'scheduler'>): DynamicModule {
    return { module: RetentionModule, providers: [DataRetentionService, ...(parts.scheduler ? [DataRetentionScheduler] : [])] };
  }
}
