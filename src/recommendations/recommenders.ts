import type { CatalogueIndex } from './catalogue-index.js';
import type { RecommenderName } from './experiments.js';
import type { LoadedModel } from './production-models.js';

/** A scored track. Every candidate stream is ordered by score (descending), then track id (ascending). */
export interface Candidate {
  trackId: number;
  score: number;
}

/** What a recommender knows of the listener it recommends for. */
export interface Listener {
  userId: number;
  favoriteGenres: readonly string[];
  /** Track ids in listening order, repeats kept. */
  listened: readonly number[];
  heard: ReadonlySet<number>;
}

/**
 * One interface for every recommender: an ordered stream of candidates for a listener. Streams may
 * contain heard tracks or several tracks of an artist: the playlist rules are applied by
 * `buildPlaylist`, the same for every recommender. `want` is how many the caller expects to use.
 */
export interface Recommender {
  readonly name: RecommenderName;
  candidates(listener: Listener, want: number): Iterable<Candidate> | Promise<Iterable<Candidate>>;
}

/** Share of the hybrid score given to genre affinity (the rest is global popularity). */
export const HYBRID_GENRE_WEIGHT = 0.7;

/** Before `b`: a higher score, or an equal score and a smaller track id. */
export function ranksBefore(a: Candidate, b: Candidate): boolean {
  return a.score > b.score || (a.score === b.score && a.trackId < b.trackId);
}

/** Every track, most popular first: score = log-scaled distinct listeners. */
export class PopularityRecommender implements Recommender {
  readonly name = 'popularity' as const;
  constructor(private readonly index: CatalogueIndex) {}

  *candidates(): Iterable<Candidate> {
    for (const trackId of this.index.popularityOrder) yield { trackId, score: this.index.popularityScore(trackId) };
  }
}

/**
 * How much a listener likes each genre. Direct genres (favourites, and genres in proportion to the
 * listener's plays) weigh 0.6 to 1; genres only similar to them (co-listening) weigh at most 0.5, so
 * a cold-start listener gets their favourite genres first, then similar genres.
 */
export function genreWeights(index: CatalogueIndex, listener: Pick<Listener, 'favoriteGenres' | 'listened'>): Map<string, number> {
  const direct = new Map<string, number>();
  for (const g of listener.favoriteGenres) if (index.genreTracks.has(g)) direct.set(g, 1);
  const plays = new Map<string, number>();
  for (const t of listener.listened) for (const g of index.tracks.get(t)?.genres ?? []) plays.set(g, (plays.get(g) ?? 0) + 1);
  const most = Math.max(0, ...plays.values());
  for (const [g, n] of plays) direct.set(g, Math.max(direct.get(g) ?? 0, n / most));
  const weights = new Map<string, number>();
  for (const [g, d] of direct) weights.set(g, 0.6 + 0.4 * d);
  const indirect = new Map<string, number>();
  for (const [g, d] of direct) {
    for (const s of index.similarGenres.get(g) ?? []) {
      if (direct.has(s.genre)) continue;
      indirect.set(s.genre, Math.max(indirect.get(s.genre) ?? 0, d * s.similarity));
    }
  }
  for (const [g, v] of indirect) if (v > 0) weights.set(g, 0.5 * v);
  return weights;
}

/** A track's score in one genre: the genre's weight, nudged by the track's popularity in it. */
function inGenre(index: CatalogueIndex, weight: number, genre: string, trackId: number): number {
  const max = index.genreMaxListeners.get(genre) ?? 0;
  return weight * (0.9 + (max > 0 ? (0.1 * (index.listeners.get(trackId) ?? 0)) / max : 0));
}

/** A track's genre-affinity score: its best genre. */
export function genreScore(index: CatalogueIndex, weights: ReadonlyMap<string, number>, trackId: number): number {
  let best = 0;
  for (const g of index.tracks.get(trackId)?.genres ?? []) {
    const w = weights.get(g);
    if (w !== undefined) best = Math.max(best, inGenre(index, w, g, trackId));
  }
  return best;
}

/** A list of track ids along which `score` never increases. */
export interface MonotoneList {
  ids: readonly number[];
  score: (trackId: number) => number;
}

/**
 * An exact k-way merge of monotone lists: yields each track once, at its best score, in order of
 * score (descending) then track id (ascending), reading each list only as deep as the consumer asks.
 * A track present in several lists comes first from the list that scores it best; later copies are skipped.
 */
export function* mergeMonotone(lists: readonly MonotoneList[]): Generator<Candidate> {
  const heads = lists.filter((l) => l.ids.length > 0).map((l) => ({ l, pos: 0, id: l.ids[0]!, score: l.score(l.ids[0]!) }));
  const emitted = new Set<number>();
  for (;;) {
    let best = -1;
    for (let h = 0; h < heads.length; h++) {
      const x = heads[h]!;
      if (x.pos >= x.l.ids.length) continue;
      if (best < 0) {
        best = h;
        continue;
      }
      const b = heads[best]!;
      if (x.score > b.score || (x.score === b.score && x.id < b.id)) best = h;
    }
    if (best < 0) return;
    const head = heads[best]!;
    const out = { trackId: head.id, score: head.score };
    if (++head.pos < head.l.ids.length) {
      head.id = head.l.ids[head.pos]!;
      head.score = head.l.score(head.id);
    }
    if (emitted.has(out.trackId)) continue;
    emitted.add(out.trackId);
    yield out;
  }
}

/** The tracks of the weighted genres by genre-affinity score: a merge of the per-genre popularity lists. */
export function genreStream(index: CatalogueIndex, weights: ReadonlyMap<string, number>): Generator<Candidate> {
  const lists: MonotoneList[] = [];
  for (const [genre, weight] of weights) {
    const ids = index.genreTracks.get(genre);
    if (ids && weight > 0) lists.push({ ids, score: (id) => inGenre(index, weight, genre, id) });
  }
  return mergeMonotone(lists);
}

/** Cold start and taste: favourite and listened genres, then similar genres, popular tracks first. */
export class GenreAffinityRecommender implements Recommender {
  readonly name = 'genre' as const;
  constructor(private readonly index: CatalogueIndex) {}

  candidates(listener: Listener): Iterable<Candidate> {
    return genreStream(this.index, genreWeights(this.index, listener));
  }
}

/**
 * HYBRID_GENRE_WEIGHT x genre affinity + the rest x popularity, over the whole catalogue, in exact
 * score order. Along a genre's popularity list both terms only decrease, so the hybrid order is a
 * merge of the weighted genres' lists (scored by the whole formula) and the global popularity list
 * (scored by its popularity term alone, which is the whole score of a track of no weighted genre).
 */
export class HybridRecommender implements Recommender {
  readonly name = 'hybrid' as const;
  constructor(private readonly index: CatalogueIndex) {}

  candidates(listener: Listener): Iterable<Candidate> {
    const index = this.index;
    const g = HYBRID_GENRE_WEIGHT;
    const lists: MonotoneList[] = [{ ids: index.popularityOrder, score: (id) => (1 - g) * index.popularityScore(id) }];
    for (const [genre, weight] of genreWeights(index, listener)) {
      const ids = index.genreTracks.get(genre);
      if (ids && weight > 0)
        lists.push({ ids, score: (id) => g * inGenre(index, weight, genre, id) + (1 - g) * index.popularityScore(id) });
    }
    return mergeMonotone(lists);
  }

  /** The score the merge gives a track, computed directly (tests compare the two). */
  score(listener: Pick<Listener, 'favoriteGenres' | 'listened'>, trackId: number): number {
    const g = HYBRID_GENRE_WEIGHT;
    return g * genreScore(this.index, genreWeights(this.index, listener), trackId) + (1 - g) * this.index.popularityScore(trackId);
  }
}

/** The trained model; short lists are completed by the caller's fallback. */
export class ModelRecommender implements Recommender {
  readonly name = 'model' as const;
  constructor(readonly model: LoadedModel) {}

  async candidates(listener: Listener, want: number): Promise<Iterable<Candidate>> {
    const recs = await this.model.recommend(listener.userId, listener.listened, want, listener.heard);
    return recs.map((r) => ({ trackId: r.trackId, score: r.score }));
  }
}

export interface PlaylistRules {
  size: number;
  maxPerArtist: number;
}

/**
 * The playlist rules, the same for every recommender: `size` tracks taken in order from the sources
 * (the recommender's stream, then fallbacks), skipping heard tracks, tracks no longer in the
 * catalogue, repeats, and tracks of an artist already present `maxPerArtist` times. With `origins`,
 * the index of the source each picked track came from is pushed to it (the playlist's why).
 */
export function buildPlaylist(
  sources: Iterable<Iterable<Candidate>>,
  heard: ReadonlySet<number>,
  index: Pick<CatalogueIndex, 'tracks'>,
  rules: PlaylistRules,
  origins?: number[],
): Candidate[] {
  const out: Candidate[] = [];
  const picked = new Set<number>();
  const perArtist = new Map<string, number>();
  let sourceIndex = -1;
  for (const source of sources) {
    sourceIndex++;
    for (const c of source) {
      if (heard.has(c.trackId) || picked.has(c.trackId)) continue;
      const track = index.tracks.get(c.trackId);
      if (!track) continue;
      // A track without an artist name is its own artist.
      const artist = track.artist ? track.artist : `#${track.id}`;
      const n = perArtist.get(artist) ?? 0;
      if (n >= rules.maxPerArtist) continue;
      perArtist.set(artist, n + 1);
      picked.add(c.trackId);
      out.push(c);
      origins?.push(sourceIndex);
      if (out.length >= rules.size) return out;
    }
  }
  return out;
}
