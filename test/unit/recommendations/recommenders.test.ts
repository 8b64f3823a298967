import { describe, expect, it } from 'vitest';
import { CatalogueIndex } from '../../../src/recommendations/catalogue-index.js';
import {
  buildPlaylist,
  GenreAffinityRecommender,
  genreWeights,
  HybridRecommender,
  mergeMonotone,
  PopularityRecommender,
  ranksBefore,
  type Candidate,
  type Listener,
} from '../../../src/recommendations/recommenders.js';
import { randomCatalogue, smallIndex } from './fixtures.js';

const listener = (over: Partial<Listener> = {}): Listener => ({
  userId: 1,
  favoriteGenres: [],
  listened: [],
  heard: new Set(over.listened ?? []),
  ...over,
});
const ids = (cs: Iterable<Candidate>, n = Infinity) => {
  const out: number[] = [];
  for (const c of cs) {
    if (out.length >= n) break;
    out.push(c.trackId);
  }
  return out;
};
const sorted = (cs: Candidate[]) => [...cs].sort((a, b) => (ranksBefore(a, b) ? -1 : ranksBefore(b, a) ? 1 : 0));

describe('popularity', () => {
  it('streams the whole catalogue most popular first', () => {
    expect(ids(new PopularityRecommender(smallIndex()).candidates())).toEqual(smallIndex().popularityOrder);
  });
});

describe('genre affinity', () => {
  const index = smallIndex();

  it('gives a cold-start listener the most popular tracks of their favourite genre, then of similar genres', () => {
    const got = ids(new GenreAffinityRecommender(index).candidates(listener({ favoriteGenres: ['Rock'] })));
    expect(got).toEqual([1, 2, 3, 4, 5, 6, 13, 7, 8, 9, 10]);
  });

  it('weighs listened genres by their share of plays, favourites at the top, similar genres below 0.5', () => {
    const w = genreWeights(index, { favoriteGenres: ['Jazz'], listened: [7, 7, 8, 1] });
    expect(w.get('Jazz')).toBe(1);
    expect(w.get('Pop')).toBe(1);
    expect(w.get('Rock')).toBeCloseTo(0.6 + 0.4 / 3);
    const cold = genreWeights(index, { favoriteGenres: ['Pop'], listened: [] });
    expect(cold.get('Rock')!).toBeLessThanOrEqual(0.5);
    expect(cold.has('Jazz')).toBe(false);
  });

  it('yields nothing for a listener with no known genre (popularity completes the playlist)', () => {
    expect(ids(new GenreAffinityRecommender(index).candidates(listener({ favoriteGenres: ['Polka'] })))).toEqual([]);
  });
});

describe('mergeMonotone', () => {
  it('yields each track once, at its best score, in score then id order', () => {
    const merged = [
      ...mergeMonotone([
        { ids: [1, 2, 3], score: (id) => 1 - id / 10 },
        { ids: [3, 4], score: (id) => (id === 3 ? 0.95 : 0.5) },
      ]),
    ];
    expect(merged).toEqual([
      { trackId: 3, score: 0.95 },
      { trackId: 1, score: 0.9 },
      { trackId: 2, score: 0.8 },
      { trackId: 4, score: 0.5 },
    ]);
  });
});

describe('hybrid', () => {
  it.each([1, 2, 3, 4, 5])('streams exactly the order of its score over the whole catalogue (random catalogue %i)', (seed) => {
    const data = randomCatalogue(seed);
    const index = CatalogueIndex.build(data.tracks, data.histories);
    const hybrid = new HybridRecommender(index);
    for (const h of data.histories.slice(0, 20)) {
      const l = listener({
        userId: h.userId,
        favoriteGenres: data.users.find((u) => u.id === h.userId)!.favoriteGenres,
        listened: h.items,
      });
      const streamed = [...hybrid.candidates(l)];
      const brute = sorted(data.tracks.map((t) => ({ trackId: t.id, score: hybrid.score(l, t.id) })));
      expect(streamed.map((c) => c.trackId)).toEqual(brute.map((c) => c.trackId));
      streamed.forEach((c, i) => expect(c.score).toBeCloseTo(brute[i]!.score, 12));
    }
  });
});

describe('buildPlaylist', () => {
  const index = smallIndex();
  const pop = () => new PopularityRecommender(index).candidates();

  it('takes the size asked, skipping heard tracks, repeats and unknown tracks', () => {
    const got = buildPlaylist(
      [
        [
          { trackId: 999, score: 9 },
          { trackId: 1, score: 1 },
          { trackId: 7, score: 0.9 },
          { trackId: 7, score: 0.9 },
        ],
        pop(),
      ],
      new Set([1]),
      index,
      { size: 4, maxPerArtist: 10 },
    );
    expect(got.map((c) => c.trackId)).toEqual([7, 2, 8, 11]);
  });

  it('holds at most maxPerArtist tracks of an artist (tracks 1-4 are all by Rocker)', () => {
    const got = buildPlaylist([new GenreAffinityRecommender(index).candidates(listener({ favoriteGenres: ['Rock'] }))], new Set(), index, {
      size: 6,
      maxPerArtist: 2,
    });
    expect(got.map((c) => c.trackId)).toEqual([1, 2, 5, 6, 13, 7]);
  });

  it('completes from the fallbacks in order, and is short only when the catalogue is exhausted', () => {
    const got = buildPlaylist([[{ trackId: 12, score: 1 }], pop()], new Set(), index, { size: 20, maxPerArtist: 1 });
    expect(got[0]!.trackId).toBe(12);
    expect(got.length).toBe(10);
  });
});
