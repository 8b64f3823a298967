import { Module, type DynamicModule } from '@nestjs/common';
import { CatalogModule } from '../catalog/catalog.module.js';
import { MetricsModule } from '../monitoring/metrics.module.js';
import { PipelineModule } from '../pipeline/pipeline.module.js';
import type { RoleParts } from '../roles.js';
import { ModelRegistryModule } from '../training/registry/model-registry.module.js';
import { BatchHook } from './batch-hook.js';
import { CatalogueReader } from './catalogue-reader.js';
import { Experiments } from './experiments.provider.js';
import { PlaylistCleanupService } from './playlist-cleanup.service.js';
import { NearCacheInvalidation } from './near-cache-invalidation.js';
import { RecentRuns } from './recent-runs.js';
import { RecommendationCache } from './recommendation-cache.js';
import { RecommendationRunService } from './recommendation-run.service.js';
import { RecommendationRunsController } from './recommendation-runs.controller.js';
import { RecommendationServing } from './recommendation-serving.service.js';
import { RecommendationStoreModule } from './recommendation-store.module.js';
import { RecommendationsController } from './recommendations.controller.js';
import { RecommendationsRoute } from './recommendations.route.js';
import { RecommendationsScheduler } from './recommendations.scheduler.js';
import { RunContexts } from './run-contexts.js';

/**
 * Daily personalised playlists: the run, batch, finalize and cleanup jobs, the recommenders, the
 * playlists store and its Redis cache; the read API and the run triggers for the API role, the
 * crons for the scheduler role. The collections are RecommendationStoreModule's; the catalogue comes
 * from CatalogModule, and the models from the `ProductionModels` port that ModelRegistryModule provides.
 */
@Module({})
export class RecommendationsModule {
  static register(parts: RoleParts): DynamicModule {
    return {
      module: RecommendationsModule,
      imports: [CatalogModule, RecommendationStoreModule, ModelRegistryModule, MetricsModule, PipelineModule],
      controllers: parts.api ? [RecommendationsController, RecommendationRunsController] : [],
      providers: [
        Experiments,
        CatalogueReader,
        RecommendationCache,
        RunContexts,
        BatchHook,
        RecommendationRunService,
        PlaylistCleanupService,
        RecentRuns,
        RecommendationServing,
        ...(parts.api ? [RecommendationsRoute, NearCacheInvalidation] : []),
        ...(parts.scheduler ? [RecommendationsScheduler] : []),
      ],
      exports: [RecommendationServing],
    };
  }
}
