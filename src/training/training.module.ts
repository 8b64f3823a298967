import { Module, type DynamicModule } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { CatalogModule } from '../catalog/catalog.module.js';
import { ProductionModels } from '../recommendations/production-models.js';
import type { RoleParts } from '../roles.js';
import { ModelsController } from './api/models.controller.js';
import { TrainingController } from './api/training.controller.js';
import { RolloutService } from './pipeline/rollout.service.js';
import { TrainingDataRepository } from './pipeline/training-data.repository.js';
import { ArtifactStore } from './registry/artifact-store.js';
import { ModelRegistry } from './registry/model-registry.service.js';
import { ModelArtifactSchema, ModelVersionSchema, TRAINING_MODEL_NAMES, TrainingRunSchema } from './registry/registry.schemas.js';
import { TrainingRunsRepository } from './registry/training-runs.repository.js';
import { RegistryProductionModels } from './serving/registry-production-models.js';
import { TrainingScheduler } from './training.scheduler.js';
import { TrainingService } from './training.service.js';

/**
 * Retraining: the training and canary-review jobs, the model registry and its artifacts, rollout
 * (canary, promotion, rollback), drift, the /training and /models endpoints, the weekly cron.
 */
@Module({})
export class TrainingModule {
  static register(parts: RoleParts): DynamicModule {
    return {
      module: TrainingModule,
      imports: [
        CatalogModule,
        MongooseModule.forFeature([
          { name: TRAINING_MODEL_NAMES.ModelVersion, schema: ModelVersionSchema },
          { name: TRAINING_MODEL_NAMES.ModelArtifact, schema: ModelArtifactSchema },
          { name: TRAINING_MODEL_NAMES.TrainingRun, schema: TrainingRunSchema },
        ]),
      ],
      controllers: parts.api ? [TrainingController, ModelsController] : [],
      providers: [
        ArtifactStore,
        ModelRegistry,
        TrainingRunsRepository,
        TrainingDataRepository,
        RolloutService,
        TrainingService,
        RegistryProductionModels,
        { provide: ProductionModels, useExisting: RegistryProductionModels },
        ...(parts.scheduler ? [TrainingScheduler] : []),
      ],
      // Global for ProductionModels: the recommendation runs serve the registry's models.
      global: true,
      exports: [ProductionModels],
    };
  }
}
