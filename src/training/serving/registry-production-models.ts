import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '../../config/app-config.js';
import { ProductionModels, type CurrentModels, type LoadedModel, type ModelRecommendation } from '../../recommendations/production-models.js';
import { userIndex, type AlsModel } from '../model/als.js';
import { foldInUser, type UserListen } from '../model/fold-in.js';
import { recommend } from '../model/recommend.js';
import { ModelRegistry } from '../registry/model-registry.service.js';
import type { ModelVersionDoc } from '../registry/registry.schemas.js';

/**
 * A trained model as the recommendation run uses it. The user's vector is folded in from their
 * whole history (repeats add up to counts) at every run, so a playlist follows yesterday's listens
 * without a retrain, and a user the model has never seen is served too; the model's own row is
 * used only when the history holds no track the model knows. No vector at all: an empty list
 * (cold start; the run's fallbacks take over).
 */
export function servingModel(version: string, model: AlsModel): LoadedModel {
  const k = model.settings.factors;
  return {
    version,
    recommend(userId: number, listenedTrackIds: readonly number[], n: number, exclude: ReadonlySet<number>): ModelRecommendation[] {
      const counts = new Map<number, number>();
      for (const t of listenedTrackIds) counts.set(t, (counts.get(t) ?? 0) + 1);
      const listens: UserListen[] = [...counts].map(([trackId, count]) => ({ trackId, count }));
      let vector = listens.length > 0 ? foldInUser(model, listens) : null;
      if (!vector) {
        const row = userIndex(model, userId);
        if (row < 0) return [];
        vector = model.userFactors.subarray(row * k, (row + 1) * k);
      }
      const skip = new Set(exclude);
      for (const t of counts.keys()) skip.add(t);
      return recommend(model, vector, { k: n, exclude: skip });
    },
  };
}

/**
 * ProductionModels from the registry: the production and canary versions are read at each call (a
 * run calls it once), so every process follows a promotion or rollback made elsewhere; each
 * version's artifact is loaded once per process (ModelRegistry's cache). A version whose artifact
 * cannot be loaded is left out and logged: the run serves the hybrid recommender instead.
 */
@Injectable()
export class RegistryProductionModels extends ProductionModels {
  private readonly logger = new Logger('ProductionModels');

  constructor(
    private readonly registry: ModelRegistry,
    private readonly config: AppConfig,
  ) {
    super();
  }

  async current(): Promise<CurrentModels> {
    const [production, canary] = await Promise.all([this.registry.production(), this.registry.canary()]);
    const [p, c] = await Promise.all([production ? this.load(production) : null, canary ? this.load(canary) : null]);
    return {
      ...(p ? { production: p } : {}),
      ...(c ? { canary: c } : {}),
      canaryPercent: canary?.canary?.percent ?? this.config.CANARY_PERCENT,
    };
  }

  async byVersion(version: string): Promise<LoadedModel | null> {
    const doc = await this.registry.get(version);
    return doc ? this.load(doc) : null;
  }

  private async load(doc: ModelVersionDoc): Promise<LoadedModel | null> {
    if (!doc.artifact) return null;
    try {
      return servingModel(doc._id, await this.registry.loadModel(doc));
    } catch (err) {
      this.logger.error(`model ${doc._id} (${doc.status}) cannot be loaded: ${(err as Error).message}`, { version: doc._id });
      return null;
    }
  }
}
