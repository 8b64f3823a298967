import { availableParallelism } from 'node:os';
import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { AppConfig } from '../../config/app-config.js';
import { PipelineMetrics } from '../../monitoring/pipeline-metrics.js';
import {
  ProductionModels,
  type CurrentModels,
  type LoadedModel,
  type ModelRecommendation,
} from '../../recommendations/production-models.js';
import { isItemModel } from '../model/item-model.js';
import type { TrainedModel } from '../model/model.js';
import { ModelRegistry } from '../registry/model-registry.service.js';
import type { ModelVersionDoc } from '../registry/registry.schemas.js';
import { ScoringPool } from './scoring-pool.js';
import { countListens, servedRecommendations } from './serving-model.js';

/** Below this many users a batch is scored on the calling thread: messaging would cost more than it saves. */
const POOL_MIN_USERS = 64;

/**
 * A trained model as the recommendation run uses it (see servedRecommendations); with a pool, a
 * batch's users are scored on its threads, and on the calling thread if the pool has failed.
 */
export function servingModel(
  version: string,
  model: TrainedModel,
  pool?: { get(): ScoringPool | null; failed(err: Error): void },
): LoadedModel {
  const inline = (requests: ReadonlyArray<{ userId: number; listened: readonly number[] }>, k: number) =>
    requests.map((r) => servedRecommendations(model, r.userId, countListens(r.listened), k));
  return {
    version,
    recommend: (userId, listenedTrackIds, k, exclude): ModelRecommendation[] =>
      servedRecommendations(model, userId, countListens(listenedTrackIds), k, exclude),
    recommendMany: async (requests, k) => {
      // Item-to-item scoring touches only the neighbours of a user's tracks: cheaper than messaging threads.
      if (isItemModel(model)) return inline(requests, k);
      const threads = requests.length >= POOL_MIN_USERS ? pool?.get() : null;
      if (!threads) return inline(requests, k);
      try {
        return await threads.recommendMany(version, model, requests, k);
      } catch (err) {
        pool!.failed(err as Error);
        return inline(requests, k);
      }
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
export class RegistryProductionModels extends ProductionModels implements OnModuleDestroy {
  private readonly logger = new Logger('ProductionModels');
  /** Started with the first model loaded, when RECOMMENDATION_THREADS resolves to more than one. */
  private pool: ScoringPool | null = null;
  private poolBroken = false;
  private readonly poolAccess = {
    get: (): ScoringPool | null => {
      if (this.pool || this.poolBroken) return this.pool;
      const threads = this.config.RECOMMENDATION_THREADS === 0 ? availableParallelism() : this.config.RECOMMENDATION_THREADS;
      if (threads < 2) return null;
      try {
        this.pool = new ScoringPool(threads);
      } catch (err) {
        this.failed(err as Error);
      }
      return this.pool;
    },
    failed: (err: Error) => this.failed(err),
  };

  constructor(
    private readonly registry: ModelRegistry,
    private readonly config: AppConfig,
    private readonly metrics: PipelineMetrics,
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
      return servingModel(doc._id, await this.registry.loadModel(doc), this.poolAccess);
    } catch (err) {
      this.logger.error(`model ${doc._id} (${doc.status}) cannot be loaded: ${(err as Error).message}`, { version: doc._id });
      return null;
    }
  }

  async onModuleDestroy(): Promise<void> {
    await this.pool?.close();
    this.pool = null;
  }

  /** Scoring stays correct without threads: it moves to the job's own thread for good, said once. */
  private failed(err: Error): void {
    if (this.poolBroken) return;
    this.poolBroken = true;
    this.metrics.recommendationScoringFallbacks.inc();
    this.logger.error(`model scoring threads unavailable, scoring on the job's thread: ${err.message}`);
    void this.pool?.close().catch(() => undefined);
    this.pool = null;
  }
}
