import { Module, type DynamicModule } from '@nestjs/common';
import { CatalogModule } from '../catalog/catalog.module.js';
import { MetricsModule } from '../monitoring/metrics.module.js';
import { PipelineModule } from '../pipeline/pipeline.module.js';
import type { RoleParts } from '../roles.js';
import { IngestionRunsModule } from './ingestion-runs.module.js';
import { IngestionController } from './ingestion.controller.js';
import { IngestionScheduler } from './ingestion.scheduler.js';
import { IngestionService } from './ingestion.service.js';
import { RawExporter } from './raw-export.js';
import { SourceClient } from './source-client.js';

/**
 * Daily ingestion: the source API client, the ingestion-run job and the raw zone (its run records,
 * checkpoints and rejected records are IngestionRunsModule's); the REST triggers for the API role, the cron for the scheduler role.
 */
@Module({})
export class IngestionModule {
  static register(parts: RoleParts): DynamicModule {
    return {
      module: IngestionModule,
      imports: [CatalogModule, IngestionRunsModule, MetricsModule, PipelineModule],
      controllers: parts.api ? [IngestionController] : [],
      providers: [SourceClient, RawExporter, IngestionService, ...(parts.scheduler ? [IngestionScheduler] : [])],
      exports: [IngestionService, SourceClient],
    };
  }
}
