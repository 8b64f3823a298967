export interface ModelRecommendation {
  trackId: number;
  score: number;
}

/** A trained model ready to score: loaded once per process, used by the recommendation batches only. */
export interface LoadedModel {
  readonly version: string;
  /**
   * The k best tracks for a user, best first, none of `exclude`; a user the model was not trained
   * on is folded in from `listenedTrackIds`. Equal scores rank by ascending track id.
   */
  recommend(
    userId: number,
    listenedTrackIds: readonly number[],
    k: number,
    exclude: ReadonlySet<number>,
  ): ModelRecommendation[] | Promise<ModelRecommendation[]>;
  /**
   * The k best tracks of many users at once (a batch), each excluding what that user listened to:
   * the same lists as `recommend` with exclude = the listened tracks, computed where the loader
   * sees fit (other threads). Optional: without it the run calls `recommend` per user.
   */
  recommendMany?(requests: ReadonlyArray<{ userId: number; listened: readonly number[] }>, k: number): Promise<ModelRecommendation[][]>;
}

export interface CurrentModels {
  production?: LoadedModel;
  canary?: LoadedModel;
  /** Share of users (percent) served the canary. */
  canaryPercent: number;
}

/**
 * The port (interface and DI token) of the models the recommendation runs may use. The owner of
 * model_versions provides it: the training module's ModelRegistryModule, which RecommendationsModule
 * imports (training imports only the recommendation stage's store, so there is no cycle).
 */
export abstract class ProductionModels {
  /** The production and canary models now, read fresh at each call (a run calls it once). */
  abstract current(): Promise<CurrentModels>;
  /** A specific version for an experiment variant, or null when it cannot be loaded. */
  abstract byVersion(version: string): Promise<LoadedModel | null>;
}
