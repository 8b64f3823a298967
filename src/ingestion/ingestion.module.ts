import { Module, type DynamicModule } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { CatalogModule } from '../catalog/catalog.module.js';
import type { RoleParts } from '../roles.js';
import { IngestionRunsRepository } from './ingestion-runs.repository.js';
import { IngestionController } from './ingestion.controller.js';
import { IngestionScheduler } from './ingestion.scheduler.js';
import { CheckpointSchema, INGESTION_MODEL_NAMES, IngestionRunSchema, RejectedRecordSchema } from './ingestion.schemas.js';
import { IngestionService } from './ingestion.service.js';
import { RawExporter } from './raw-export.js';
import { SourceClient } from './source-client.js';

/**
 * Daily ingestion: the source API client, the ingestion-run job, run records, checkpoints, rejected
 * records and the raw zone; the REST triggers for the API role, the cron for the scheduler role.
 */
@Module({})
export class IngestionModule {
  static register(parts: RoleParts): DynamicModule {
    return {
      module: IngestionModule,
      imports: [
        CatalogModule,
        MongooseModule.forFeature([
          { name: INGESTION_MODEL_NAMES.Run, schema: IngestionRunSchema },
          { name: INGESTION_MODEL_NAMES.Rejected, schema: RejectedRecordSchema },
          { name: INGESTION_MODEL_NAMES.Checkpoint, schema: CheckpointSchema },
        ]),
      ],
      controllers: parts.api ? [IngestionController] : [],
      providers: [SourceClient, IngestionRunsRepository, RawExporter, IngestionService, ...(parts.scheduler ? [IngestionScheduler] : [])],
      exports: [IngestionService, IngestionRunsRepository, SourceClient],
    };
  }
}
