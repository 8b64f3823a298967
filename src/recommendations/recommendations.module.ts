import { Module, type DynamicModule } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { CatalogModule } from '../catalog/catalog.module.js';
import type { RoleParts } from '../roles.js';
import { BatchHook } from './batch-hook.js';
import { CatalogueReader } from './catalogue-reader.js';
import { Experiments } from './experiments.provider.js';
import { PlaylistCleanupService } from './playlist-cleanup.service.js';
import { PlaylistRepository } from './playlist.repository.js';
import { NearCacheInvalidation } from './near-cache-invalidation.js';
import { ModelVersionsProbe } from './production-models.js';
import { RecentRuns } from './recent-runs.js';
import { RecommendationCache } from './recommendation-cache.js';
import { RecommendationRunService } from './recommendation-run.service.js';
import { RecommendationRunsController } from './recommendation-runs.controller.js';
import { RecommendationRunsRepository } from './recommendation-runs.repository.js';
import { RecommendationServing } from './recommendation-serving.service.js';
import { ColdStartSchema, PlaylistSchema, RECOMMENDATION_MODEL_NAMES, RecommendationRunSchema, UserStatesSchema } from './recommendation.schemas.js';
import { RecommendationsController } from './recommendations.controller.js';
import { RecommendationsRoute } from './recommendations.route.js';
import { RecommendationsScheduler } from './recommendations.scheduler.js';
import { RunContexts } from './run-contexts.js';

/**
 * Daily personalised playlists: the run, batch, finalize and cleanup jobs, the recommenders, the
 * playlists store and its Redis cache; the read API and the run triggers for the API role, the
 * crons for the scheduler role. The models come from `ProductionModels` when a module provides it
 * (the training module's registry, global); without one, `ModelVersionsProbe` reports none.
 */
@Module({})
export class RecommendationsModule {
  static register(parts: RoleParts): DynamicModule {
    return {
      module: RecommendationsModule,
      imports: [
        CatalogModule,
        MongooseModule.forFeature([
          { name: RECOMMENDATION_MODEL_NAMES.Playlist, schema: PlaylistSchema },
          { name: RECOMMENDATION_MODEL_NAMES.Run, schema: RecommendationRunSchema },
          { name: RECOMMENDATION_MODEL_NAMES.UserStates, schema: UserStatesSchema },
          { name: RECOMMENDATION_MODEL_NAMES.ColdStart, schema: ColdStartSchema },
        ]),
      ],
      controllers: parts.api ? [RecommendationsController, RecommendationRunsController] : [],
      providers: [
        Experiments,
        CatalogueReader,
        PlaylistRepository,
        RecommendationRunsRepository,
        RecommendationCache,
        ModelVersionsProbe,
        RunContexts,
        BatchHook,
        RecommendationRunService,
        PlaylistCleanupService,
        RecentRuns,
        RecommendationServing,
        ...(parts.api ? [RecommendationsRoute, NearCacheInvalidation] : []),
        ...(parts.scheduler ? [RecommendationsScheduler] : []),
      ],
      exports: [RecommendationServing, RecommendationRunsRepository],
    };
  }
}
