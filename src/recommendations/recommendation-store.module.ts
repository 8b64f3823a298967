import { Module } from '@nestjs/common';
import { MongooseModule } from '@nestjs/mongoose';
import { PlaylistRepository } from './playlist.repository.js';
import { RecommendationRunsRepository } from './recommendation-runs.repository.js';
import {
  ColdStartSchema,
  PlaylistSchema,
  RECOMMENDATION_MODEL_NAMES,
  RecommendationRunSchema,
  UserStatesSchema,
} from './recommendation.schemas.js';

/**
 * The recommendation stage's collections (playlists, recommendation_runs, user states, cold-start
 * lists) and their repositories: the only way in to them. Static, so that training (the canary's
 * playlists), monitoring and the dashboard import it without the run's jobs and routes.
 */
@Module({
  imports: [
    MongooseModule.forFeature([
      { name: RECOMMENDATION_MODEL_NAMES.Playlist, schema: PlaylistSchema },
      { name: RECOMMENDATION_MODEL_NAMES.Run, schema: RecommendationRunSchema },
      { name: RECOMMENDATION_MODEL_NAMES.UserStates, schema: UserStatesSchema },
      { name: RECOMMENDATION_MODEL_NAMES.ColdStart, schema: ColdStartSchema },
    ]),
  ],
  providers: [PlaylistRepository, RecommendationRunsRepository],
  exports: [PlaylistRepository, RecommendationRunsRepository],
})
export class RecommendationStoreModule {}
