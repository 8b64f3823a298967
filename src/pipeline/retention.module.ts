import { Module, type DynamicModule } from '@nestjs/common';
import { IngestionRunsModule } from '../ingestion/ingestion-runs.module.js';
import type { RoleParts } from '../roles.js';
import { ModelRegistryModule } from '../training/registry/model-registry.module.js';
import { DataRetentionScheduler } from './data-retention.scheduler.js';
import { DataRetentionService } from './data-retention.service.js';
import { PipelineModule } from './pipeline.module.js';

/**
 * The retention job in every role (its handler), its cron in the scheduler role. It deletes through
 * the repositories of the modules that own the collections (ingestion's, training's registry).
 */
@Module({})
export class RetentionModule {
  static register(parts: Pick<RoleParts, 'scheduler'>): DynamicModule {
    return {
      module: RetentionModule,
      imports: [IngestionRunsModule, ModelRegistryModule, PipelineModule],
      providers: [DataRetentionService, ...(parts.scheduler ? [DataRetentionScheduler] : [])],
    };
  }
}
