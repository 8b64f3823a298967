import { Injectable, Logger } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import { AppConfig } from '../config/app-config.js';

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
  recommend(userId: number, listenedTrackIds: readonly number[], k: number, exclude: ReadonlySet<number>): ModelRecommendation[] | Promise<ModelRecommendation[]>;
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
 * DI token: the models the recommendation runs may use. The training module provides the
 * registry-backed implementation (globally); without it `ModelVersionsProbe` is used, which
 * reports that there is none.
 */
export abstract class ProductionModels {
  /** The production and canary models now, read fresh at each call (a run calls it once). */
  abstract current(): Promise<CurrentModels>;
  /** A specific version for an experiment variant, or null when it cannot be loaded. */
  abstract byVersion(version: string): Promise<LoadedModel | null>;
}

/**
 * Reports no model while `model_versions` has no production or canary entry. When one exists it
 * cannot load it (loading artifacts is the registry's job), so it says so once and reports none:
 * the playlists keep being served by the hybrid recommender.
 */
@Injectable()
export class ModelVersionsProbe extends ProductionModels {
  private readonly logger = new Logger('ProductionModels');
  private warned = new Set<string>();

  constructor(
    @InjectConnection() private readonly conn: Connection,
    private readonly config: AppConfig,
  ) {
    super();
  }

  async current(): Promise<CurrentModels> {
    const docs = await this.conn.db!.collection('model_versions').find({ status: { $in: ['production', 'canary'] } }, { projection: { _id: 1, status: 1 } }).toArray();
    for (const d of docs) {
      const key = `${String(d.status)}:${String(d._id)}`;
      if (this.warned.has(key)) continue;
      this.warned.add(key);
      this.logger.warn(`model ${String(d._id)} is ${String(d.status)} but no model loader is installed: serving the hybrid recommender`, { version: String(d._id) });
    }
    return { canaryPercent: this.config.CANARY_PERCENT };
  }

  async byVersion(): Promise<LoadedModel | null> {
    return null;
  }
}
