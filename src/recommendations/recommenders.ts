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

/** The tracks of the weighted genres by genre-affinity score: a merge of the per-genre popularity lists. */
export function* genreStream(index: CatalogueIndex, weights: ReadonlyMap<string, number>): Generator<Candidate> {
  const heads = [...weights]
    .filter(([g, w]) => w > 0 && index.genreTracks.has(g))
    .map(([genre, weight]) => ({ genre, weight, list: index.genreTracks.get(genre)!, pos: 0 }));
  const emitted = new Set<number>();
  for (;;) {
    let best: Candidate | undefined;
    let from: (typeof heads)[number] | undefined;
    for (const h of heads) {
      if (h.pos >= h.list.length) continue;
      const trackId = h.list[h.pos]!;
      const c = { trackId, score: inGenre(index, h.weight, h.genre, trackId) };
      if (!best || ranksBefore(c, best)) {
        best = c;
        from = h;
      }
    }
    if (!best || !from) return;
    from.pos++;
    // A track of several genres comes first from its best genre; later copies are skipped.
    if (emitted.has(best.trackId)) continue;
    emitted.add(best.trackId);
    yield best;
  }
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
 * HYBRID_GENRE_WEIGHT x genre affinity + the rest x popularity, over the whole catalogue, produced
 * lazily in exact score order by the threshold algorithm over the two sorted streams: a track is
 * released once no unseen track can beat it.
 */
export class HybridRecommender implements Recommender {
  readonly name = 'hybrid' as const;
  constructor(private readonly index: CatalogueIndex) {}

  candidates(listener: Listener): Iterable<Candidate> {
    const weights = genreWeights(this.index, listener);
    const g = HYBRID_GENRE_WEIGHT;
    return combineSorted(
      [
        { stream: genreStream(this.index, weights), weight: g },
        { stream: new PopularityRecommender(this.index).candidates(), weight: 1 - g },
      ],
      (id) => g * genreScore(this.index, weights, id) + (1 - g) * this.index.popularityScore(id),
    );
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

/**
 * Fagin's threshold algorithm: streams each sorted by their own component score, combined as a
 * weighted sum computed by `score`. Yields every track of the streams once, in exact order of the
 * combined score (ties by track id), reading only as deep as the consumer asks.
 */
export function* combineSorted(sources: Array<{ stream: Iterable<Candidate>; weight: number }>, score: (trackId: number) => number): Generator<Candidate> {
  const its = sources.map((s) => s.stream[Symbol.iterator]());
  const bounds = sources.map(() => Infinity);
  const done = sources.map(() => false);
  const seen = new Set<number>();
  const heap = new CandidateHeap();
  for (;;) {
    for (let i = 0; i < its.length; i++) {
      if (done[i]) continue;
      const r = its[i]!.next();
      if (r.done) {
        done[i] = true;
        bounds[i] = 0;
        continue;
      }
      bounds[i] = r.value.score;
      if (seen.has(r.value.trackId)) continue;
      seen.add(r.value.trackId);
      heap.push({ trackId: r.value.trackId, score: score(r.value.trackId) });
    }
    const finished = done.every(Boolean);
    const threshold = sources.reduce((s, src, i) => s + src.weight * bounds[i]!, 0);
    // Strictly above the threshold: an unseen track with an equal score and a smaller id could still come.
    while (heap.size > 0 && (finished || heap.peek()!.score > threshold)) yield heap.pop()!;
    if (finished) return;
  }
}

/** A binary heap of candidates, best (by `ranksBefore`) on top. */
export class CandidateHeap {
  private readonly items: Candidate[] = [];

  get size(): number {
    return this.items.length;
  }

  peek(): Candidate | undefined {
    return this.items[0];
  }

  push(c: Candidate): void {
    const a = this.items;
    a.push(c);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!ranksBefore(a[i]!, a[p]!)) break;
      [a[i], a[p]] = [a[p]!, a[i]!];
      i = p;
    }
  }

  pop(): Candidate | undefined {
    const a = this.items;
    const top = a[0];
    const last = a.pop();
    if (a.length > 0 && last) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && ranksBefore(a[l]!, a[m]!)) m = l;
        if (r < a.length && ranksBefore(a[r]!, a[m]!)) m = r;
        if (m === i) break;
        [a[i], a[m]] = [a[m]!, a[i]!];
        i = m;
      }
    }
    return top;
  }
}

export interface PlaylistRules {
  size: number;
  maxPerArtist: number;
}

/**
 * The playlist rules, the same for every recommender: `size` tracks taken in order from the sources
 * (the recommender's stream, then fallbacks), skipping heard tracks, tracks no longer in the
 * catalogue, repeats, and tracks of an artist already present `maxPerArtist` times.
 */
export function buildPlaylist(sources: Iterable<Iterable<Candidate>>, heard: ReadonlySet<number>, index: Pick<CatalogueIndex, 'tracks'>, rules: PlaylistRules): Candidate[] {
  const out: Candidate[] = [];
  const picked = new Set<number>();
  const perArtist = new Map<string, number>();
  for (const source of sources) {
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
      if (out.length >= rules.size) return out;
    }
  }
  return out;
}
