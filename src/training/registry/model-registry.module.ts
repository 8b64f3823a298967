import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { MetricsModule } from '../../monitoring/metrics.module.js';
import { ProductionModels } from '../../recommendations/production-models.js';
import { RegistryProductionModels } from '../serving/registry-production-models.js';
import { ArtifactStore } from './artifact-store.js';
import { ModelRegistry } from './model-registry.service.js';
import { ModelArtifactSchema, ModelVersionSchema, TRAINING_MODEL_NAMES, TrainingRunSchema } from './registry.schemas.js';
import { TrainingRunsRepository } from './training-runs.repository.js';

/**
 * The training stage's collections (model_versions, model_artifacts, training_runs) and their
 * repositories, and `ProductionModels`: the port the recommendation runs declare, provided here by
 * the registry. Static and without the training job, so that recommendations, monitoring, the
 * dashboard and retention import it without a module cycle.
 */
@Module({
  imports: [
    MetricsModule,
    MongooseModule.forFeature([
      { name: TRAINING_MODEL_NAMES.ModelVersion, schema: ModelVersionSchema },
      { name: TRAINING_MODEL_NAMES.ModelArtifact, schema: ModelArtifactSchema },
      { name: TRAINING_MODEL_NAMES.TrainingRun, schema: TrainingRunSchema },
    ]),
  ],
  providers: [
    ArtifactStore,
    ModelRegistry,
    TrainingRunsRepository,
    RegistryProductionModels,
    { provide: ProductionModels, useExisting: RegistryProductionModels },
  ],
  exports: [ArtifactStore, ModelRegistry, TrainingRunsRepository, ProductionModels],
})
export class ModelRegistryModule {}
