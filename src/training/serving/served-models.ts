import { Injectable, Logger } from '@nestjs/common';
import type { AlsModel } from '../model/als.js';
import type { UserListen } from '../model/fold-in.js';
import { recommendForUser, type Recommendation } from '../model/recommend.js';
import { ModelRegistry } from '../registry/model-registry.service.js';
import type { ModelVersionDoc } from '../registry/registry.schemas.js';

/** A listened track: its id alone, or with its count and time (a time lets fold-in see newer listens). */
export type ListenedTrack = number | { trackId: number; count?: number; listenedAt?: Date };

/** A trained model ready to serve. */
export interface LoadedModel {
  version: string;
  /** Newest listen the model was trained on (ms), or null. */
  trainedThrough: number | null;
  /**
   * The user's top-k tracks, best first, none of their listened tracks nor of `exclude`. The model's
   * own factors for a user it knows with nothing newer than it; otherwise a fold-in from `listened`.
   * Null for a user with no factors and no track the model knows (cold start).
   */
  recommend(userId: number, listened: readonly ListenedTrack[], k: number, exclude?: Iterable<number>): Recommendation[] | null;
}

export interface ServedModels {
  production: LoadedModel | null;
  /** Served to `percent` of users (0..100) while it is reviewed. */
  canary: { model: LoadedModel; percent: number } | null;
}

export function loadedModel(version: string, model: AlsModel): LoadedModel {
  return {
    version,
    trainedThrough: model.trainedThrough,
    recommend(userId, listened, k, exclude) {
      const listens: UserListen[] = listened.map((l) => (typeof l === 'number' ? { trackId: l, count: 1 } : { trackId: l.trackId, count: l.count ?? 1, listenedAt: l.listenedAt }));
      return recommendForUser(model, userId, { k, listens, exclude });
    },
  };
}

/**
 * The models the recommendation run serves, from the registry: read at each call (so every process
 * follows a promotion or rollback made elsewhere), each version's artifact loaded once per process.
 */
@Injectable()
export class RegistryServedModels {
  private readonly logger = new Logger('ServedModels');
  private readonly wrapped = new Map<string, Promise<LoadedModel>>();

  constructor(private readonly registry: ModelRegistry) {}

  async current(): Promise<ServedModels> {
    const [production, canary] = await Promise.all([this.registry.production(), this.registry.canary()]);
    const keep = [production?._id, canary?._id].filter((v): v is string => Boolean(v));
    this.registry.keepCached(keep);
    for (const v of [...this.wrapped.keys()]) if (!keep.includes(v)) this.wrapped.delete(v);
    // An artifact that cannot be loaded must not stop the playlists: that model is left out (logged).
    const [p, c] = await Promise.all([production ? this.load(production).catch(() => null) : null, canary ? this.load(canary).catch(() => null) : null]);
    return { production: p, canary: c && canary?.canary ? { model: c, percent: canary.canary.percent } : null };
  }

  private load(v: ModelVersionDoc): Promise<LoadedModel> {
    let p = this.wrapped.get(v._id);
    if (!p) {
      p = this.registry.loadModel(v).then((m) => loadedModel(v._id, m));
      this.wrapped.set(v._id, p);
      p.catch((err: unknown) => {
        this.wrapped.delete(v._id);
        this.logger.error(`model ${v._id} could not be loaded: ${(err as Error).message}`, { version: v._id });
      });
    }
    return p;
  }
}
