import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { IngestionRunsRepository } from './ingestion-runs.repository.js';
import { CheckpointSchema, INGESTION_MODEL_NAMES, IngestionRunSchema, RejectedRecordSchema } from './ingestion.schemas.js';

/**
 * The ingestion stage's collections (ingestion_runs, rejected_records, ingestion_checkpoints) and
 * their repository, the only way in to them. Static, so that monitoring, the dashboard and retention
 * import it without the ingestion job and routes.
 */
@Module({
  imports: [
    MongooseModule.forFeature([
      { name: INGESTION_MODEL_NAMES.Run, schema: IngestionRunSchema },
      { name: INGESTION_MODEL_NAMES.Rejected, schema: RejectedRecordSchema },
      { name: INGESTION_MODEL_NAMES.Checkpoint, schema: CheckpointSchema },
    ]),
  ],
  providers: [IngestionRunsRepository],
  exports: [IngestionRunsRepository],
})
export class IngestionRunsModule {}
