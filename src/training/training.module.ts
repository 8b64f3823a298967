import { Module, type DynamicModule } from '@nestjs/common';
import { CatalogModule } from '../catalog/catalog.module.js';
import { MetricsModule } from '../monitoring/metrics.module.js';
import { PipelineModule } from '../pipeline/pipeline.module.js';
import { RecommendationStoreModule } from '../recommendations/recommendation-store.module.js';
import type { RoleParts } from '../roles.js';
import { ModelsController } from './api/models.controller.js';
import { TrainingController } from './api/training.controller.js';
import { RolloutService } from './pipeline/rollout.service.js';
import { TrainingDataRepository } from './pipeline/training-data.repository.js';
import { ModelRegistryModule } from './registry/model-registry.module.js';
import { TrainingScheduler } from './training.scheduler.js';
import { TrainingService } from './training.service.js';

/**
 * Retraining: the training and canary-review jobs, rollout (canary, promotion, rollback), drift, the
 * /training and /models endpoints, the weekly cron. The registry and its collections are
 * ModelRegistryModule's; the listens and catalogue come from CatalogModule, the canary's playlists
 * from RecommendationStoreModule.
 */
@Module({})
export class TrainingModule {
  static register(parts: RoleParts): DynamicModule {
    return {
      module: TrainingModule,
      imports: [CatalogModule, RecommendationStoreModule, ModelRegistryModule, MetricsModule, PipelineModule],
      controllers: parts.api ? [TrainingController, ModelsController] : [],
      providers: [TrainingDataRepository, RolloutService, TrainingService, ...(parts.scheduler ? [TrainingScheduler] : [])],
    };
  }
}
