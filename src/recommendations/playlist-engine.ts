import type { CatalogueIndex, HistoryFacts, UserFacts } from './catalogue-index.js';
import { assignArm, type Arm, type Experiment, type RecommenderName } from './experiments.js';
import type { LoadedModel } from './production-models.js';
import {
  buildPlaylist,
  GenreAffinityRecommender,
  genreStream,
  genreWeights,
  HybridRecommender,
  ModelRecommender,
  PopularityRecommender,
  type Candidate,
  type Listener,
  type PlaylistRules,
  type Recommender,
} from './recommenders.js';

/** The models a run uses, loaded once for the run. */
export interface RunModels {
  production?: LoadedModel;
  canary?: LoadedModel;
  canaryPercent: number;
  /** Versions named by experiment variants (null: could not be loaded). */
  pinned: ReadonlyMap<string, LoadedModel | null>;
}

/** An arm resolved against the models actually available. */
export interface ResolvedArm {
  arm: Arm;
  recommender: Recommender;
  modelVersion: string | null;
  /** Variant, recommender and model version: a change of any recomputes the user. */
  key: string;
}

export interface ComputedPlaylist {
  userId: number;
  tracks: Candidate[];
  arm: Arm;
  recommender: RecommenderName;
  modelVersion: string | null;
  armKey: string;
  signature: string;
  /** Where the tracks came from, in order: the recommender's own list, then the fallbacks it ran short into. */
  sources: SourceRun[];
}

/** `count` consecutive tracks of a playlist taken from the list of recommender `name`. */
export interface SourceRun {
  name: string;
  count: number;
}

/** Run-length encoding of each track's source name (a playlist stores a few runs, not one name per track). */
export function sourceRuns(origins: readonly number[], names: readonly string[]): SourceRun[] {
  const out: SourceRun[] = [];
  for (const i of origins) {
    const name = names[i] ?? 'unknown';
    const last = out[out.length - 1];
    if (last && last.name === name) last.count++;
    else out.push({ name, count: 1 });
  }
  return out;
}

/** An iterable whose source is made on first iteration. */
function lazily<T>(make: () => Iterable<T>): Iterable<T> {
  return { [Symbol.iterator]: () => make()[Symbol.iterator]() };
}

/** Score precision kept in playlists and answers. */
export function roundScore(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}

/**
 * Everything one run knows, loaded once per process and run: the catalogue statistics, users,
 * histories, models and experiments; computes a user's playlist without any I/O.
 */
export class PlaylistEngine {
  private readonly popularity: PopularityRecommender;
  private readonly genre: GenreAffinityRecommender;
  private readonly hybrid: HybridRecommender;
  private readonly modelRecommenders = new Map<string, ModelRecommender>();
  /** Model lists computed ahead for a batch's users (prepare), taken by compute. */
  private readonly prepared = new Map<number, Candidate[]>();

  constructor(
    readonly index: CatalogueIndex,
    readonly users: ReadonlyMap<number, UserFacts>,
    readonly histories: ReadonlyMap<number, HistoryFacts>,
    private readonly experiments: readonly Experiment[],
    readonly models: RunModels,
    readonly rules: PlaylistRules,
  ) {
    this.popularity = new PopularityRecommender(index);
    this.genre = new GenreAffinityRecommender(index);
    this.hybrid = new HybridRecommender(index);
  }

  /** The user's arm, with the model it names when that model is available, else the hybrid recommender. */
  resolveArm(userId: number): ResolvedArm {
    const m = this.models;
    const arm = assignArm(userId, this.experiments, {
      production: m.production?.version,
      canary: m.canary?.version,
      canaryPercent: m.canaryPercent,
    });
    let recommender: Recommender;
    let modelVersion: string | null = null;
    switch (arm.recommender) {
      case 'popularity':
        recommender = this.popularity;
        break;
      case 'genre':
        recommender = this.genre;
        break;
      case 'hybrid':
        recommender = this.hybrid;
        break;
      case 'model': {
        const model = this.modelFor(arm.modelVersion);
        recommender = model ? this.modelRecommender(model) : this.hybrid;
        modelVersion = model?.version ?? null;
        break;
      }
    }
    return { arm, recommender, modelVersion, key: `${arm.variant}|${recommender.name}|${modelVersion ?? ''}` };
  }

  signatureOf(userId: number): string {
    return this.histories.get(userId)?.signature ?? '0:0';
  }

  /** The user's playlist, or null when the user is unknown or inactive (skipped). */
  async compute(userId: number): Promise<ComputedPlaylist | null> {
    const user = this.users.get(userId);
    if (!user || !user.active) return null;
    const listened = this.histories.get(userId)?.items ?? [];
    const listener: Listener = { userId, favoriteGenres: user.favoriteGenres, listened, heard: new Set(listened) };
    const r = this.resolveArm(userId);
    const ahead = this.prepared.get(userId);
    this.prepared.delete(userId);
    const primary = ahead ?? (await r.recommender.candidates(listener, this.modelListSize));
    // Every list ends with the popularity order, so a playlist is short only when the catalogue is.
    // Built only if the model's list runs out: the hybrid's genre weights cost as much as the rest of the playlist.
    const fallbacks: Iterable<Candidate>[] = r.recommender.name === 'model' ? [lazily(() => this.hybrid.candidates(listener))] : [];
    const origins: number[] = [];
    const tracks = buildPlaylist(
      [primary, ...fallbacks, this.popularity.candidates()],
      listener.heard,
      this.index,
      this.rules,
      origins,
    ).map((c) => ({ trackId: c.trackId, score: roundScore(c.score) }));
    const names = [r.recommender.name, ...(fallbacks.length ? ['hybrid'] : []), 'popularity'];
    return {
      userId,
      tracks,
      arm: r.arm,
      recommender: r.recommender.name,
      modelVersion: r.modelVersion,
      armKey: r.key,
      signature: this.signatureOf(userId),
      sources: sourceRuns(origins, names),
    };
  }

  /**
   * How many model candidates a playlist asks for (heard tracks are already left out): room for the
   * artist cap to skip more than half the list; a list that still runs short goes on with the hybrid.
   */
  get modelListSize(): number {
    return this.rules.size * 2 + 10;
  }

  /**
   * Computes ahead, in one call per model, the model lists of the users among `userIds` whose arm
   * is a model with `recommendMany` (scored on other threads): the batch loop then finds them
   * ready. The lists are the ones compute would ask for one by one.
   */
  async prepare(userIds: readonly number[]): Promise<void> {
    const byModel = new Map<LoadedModel, Array<{ userId: number; listened: readonly number[] }>>();
    for (const userId of userIds) {
      if (!this.users.get(userId)?.active) continue;
      const r = this.resolveArm(userId);
      if (!(r.recommender instanceof ModelRecommender) || !r.recommender.model.recommendMany) continue;
      const list = byModel.get(r.recommender.model) ?? [];
      list.push({ userId, listened: this.histories.get(userId)?.items ?? [] });
      byModel.set(r.recommender.model, list);
    }
    await Promise.all(
      [...byModel].map(async ([model, requests]) => {
        const lists = await model.recommendMany!(requests, this.modelListSize);
        requests.forEach((req, i) => this.prepared.set(req.userId, lists[i]!));
      }),
    );
  }

  /** A genre's cold-start list: what a new listener whose favourite genre it is gets; `null`: no genre (popularity). */
  coldStart(genre: string | null): Candidate[] {
    const primary =
      genre === null
        ? this.popularity.candidates()
        : genreStream(this.index, genreWeights(this.index, { favoriteGenres: [genre], listened: [] }));
    return buildPlaylist([primary, this.popularity.candidates()], new Set(), this.index, this.rules).map((c) => ({
      trackId: c.trackId,
      score: roundScore(c.score),
    }));
  }

  private modelFor(version: string | undefined): LoadedModel | undefined {
    const m = this.models;
    if (version === undefined) return m.production;
    if (m.production?.version === version) return m.production;
    if (m.canary?.version === version) return m.canary;
    return m.pinned.get(version) ?? undefined;
  }

  private modelRecommender(model: LoadedModel): ModelRecommender {
    let r = this.modelRecommenders.get(model.version);
    if (!r) this.modelRecommenders.set(model.version, (r = new ModelRecommender(model)));
    return r;
  }
}
