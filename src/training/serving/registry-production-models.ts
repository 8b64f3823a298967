import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '../../config/app-config.js';
import { ProductionModels, type CurrentModels, type LoadedModel, type ModelRecommendation } from '../../recommendations/production-models.js';
import type { AlsModel } from '../model/als.js';
import { ModelRegistry } from '../registry/model-registry.service.js';
import type { ModelVersionDoc } from '../registry/registry.schemas.js';
import { countListens, servedRecommendations } from './serving-model.js';

/** A trained model as the recommendation run uses it (see servedRecommendations). */
export function servingModel(version: string, model: AlsModel): LoadedModel {
  return {
    version,
    recommend: (userId, listenedTrackIds, k, exclude): ModelRecommendation[] => servedRecommendations(model, userId, countListens(listenedTrackIds), k, exclude),
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
