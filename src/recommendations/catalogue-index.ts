/** What the recommenders know of a track. */
export interface TrackFacts {
  id: number;
  name: string;
  artist: string;
  genres: string[];
}

/** What the recommenders know of a user. */
export interface UserFacts {
  id: number;
  favoriteGenres: string[];
  /** False for accounts a source marks closed or suspended; they get no playlist. */
  active: boolean;
  createdAt: number | null;
}

/** A user's listen history: track ids in listening order (repeats kept). */
export interface HistoryFacts {
  userId: number;
  items: number[];
  /** Changes whenever the history gains listens (generation and length): "new listens since". */
  signature: string;
}

export function historySignature(generation: number | undefined, length: number): string {
  return `${generation ?? 0}:${length}`;
}

/** Tracks ordered by listeners (descending), then id (ascending): the deterministic tie rule. */
function byListeners(listeners: Map<number, number>): (a: number, b: number) => number {
  return (a, b) => (listeners.get(b) ?? 0) - (listeners.get(a) ?? 0) || a - b;
}

/**
 * The per-run statistics every recommender reads, computed once per run in TypeScript from one
 * pass over the catalogue and the histories: distinct listeners per track (popularity), the tracks
 * of each genre by popularity, and genre similarity from co-listening (cosine over the sets of
 * genres each user listened to).
 */
export class CatalogueIndex {
  readonly listeners = new Map<number, number>();
  private readonly popularity = new Map<number, number>();
  maxListeners = 0;
  /** Every track id, most popular first. */
  popularityOrder: number[] = [];
  /** Genres in alphabetical order. */
  genres: string[] = [];
  readonly genreTracks = new Map<string, number[]>();
  readonly genreMaxListeners = new Map<string, number>();
  /** For each genre, the other genres with a similarity above 0, most similar first. */
  readonly similarGenres = new Map<string, Array<{ genre: string; similarity: number }>>();

  private constructor(readonly tracks: ReadonlyMap<number, TrackFacts>) {}

  static build(tracks: Iterable<TrackFacts>, histories: ReadonlyArray<Pick<HistoryFacts, 'items'>>): CatalogueIndex {
    const index = new CatalogueIndex(new Map([...tracks].map((t) => [t.id, t])));
    index.computeListeners(histories);
    index.computeGenres();
    index.computeSimilarity(histories);
    return index;
  }

  /** log-scaled popularity in [0, 1]: 1 for the most listened track, 0 for a track nobody played. */
  popularityScore(trackId: number): number {
    return this.popularity.get(trackId) ?? 0;
  }

  artistOf(trackId: number): string | undefined {
    return this.tracks.get(trackId)?.artist;
  }

  private computeListeners(histories: ReadonlyArray<Pick<HistoryFacts, 'items'>>): void {
    for (const t of this.tracks.keys()) this.listeners.set(t, 0);
    for (const h of histories) {
      for (const t of new Set(h.items)) {
        const n = this.listeners.get(t);
        if (n !== undefined) this.listeners.set(t, n + 1);
      }
    }
    for (const n of this.listeners.values()) if (n > this.maxListeners) this.maxListeners = n;
    const scale = Math.log1p(this.maxListeners);
    for (const [t, n] of this.listeners) this.popularity.set(t, scale > 0 ? Math.log1p(n) / scale : 0);
    this.popularityOrder = [...this.tracks.keys()].sort(byListeners(this.listeners));
  }

  private computeGenres(): void {
    for (const id of this.popularityOrder) {
      for (const g of new Set(this.tracks.get(id)!.genres)) {
        let list = this.genreTracks.get(g);
        if (!list) this.genreTracks.set(g, (list = []));
        list.push(id);
      }
    }
    this.genres = [...this.genreTracks.keys()].sort();
    for (const [g, list] of this.genreTracks) this.genreMaxListeners.set(g, this.listeners.get(list[0]!) ?? 0);
  }

  private computeSimilarity(histories: ReadonlyArray<Pick<HistoryFacts, 'items'>>): void {
    const gi = new Map(this.genres.map((g, i) => [g, i]));
    const n = this.genres.length;
    const users = new Float64Array(n);
    const both = new Float64Array(n * n);
    const seen = new Uint8Array(n);
    const listened: number[] = [];
    for (const h of histories) {
      listened.length = 0;
      for (const t of h.items) {
        const track = this.tracks.get(t);
        if (!track) continue;
        for (const g of track.genres) {
          const i = gi.get(g)!;
          if (seen[i] === 0) {
            seen[i] = 1;
            listened.push(i);
          }
        }
      }
      for (const i of listened) {
        seen[i] = 0;
        users[i]!++;
        for (const j of listened) if (j !== i) both[i * n + j]!++;
      }
    }
    for (let i = 0; i < n; i++) {
      const out: Array<{ genre: string; similarity: number }> = [];
      for (let j = 0; j < n; j++) {
        if (i === j || both[i * n + j] === 0) continue;
        out.push({ genre: this.genres[j]!, similarity: both[i * n + j]! / Math.sqrt(users[i]! * users[j]!) });
      }
      out.sort((a, b) => b.similarity - a.similarity || (a.genre < b.genre ? -1 : 1));
      this.similarGenres.set(this.genres[i]!, out);
    }
  }
}
