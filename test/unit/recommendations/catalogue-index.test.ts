import { describe, expect, it } from 'vitest';
import { CatalogueIndex } from '../../../src/recommendations/catalogue-index.js';
import { history, smallIndex, TRACKS } from './fixtures.js';

describe('CatalogueIndex', () => {
  const index = smallIndex();

  it('counts distinct listeners per track (repeats once) and ignores unknown tracks', () => {
    const i = CatalogueIndex.build(TRACKS, [history(1, [1, 1, 1, 999]), history(2, [1, 2])]);
    expect(i.listeners.get(1)).toBe(2);
    expect(i.listeners.get(2)).toBe(1);
    expect(i.listeners.has(999)).toBe(false);
    expect(i.maxListeners).toBe(2);
  });

  it('orders every track by listeners, ties by ascending id', () => {
    expect(index.popularityOrder.slice(0, 5)).toEqual([1, 7, 2, 8, 11]);
    expect(index.popularityOrder.slice(-4)).toEqual([5, 6, 10, 13]);
    expect(index.popularityScore(1)).toBe(1);
    expect(index.popularityScore(13)).toBe(0);
    expect(index.popularityScore(2)).toBeCloseTo(Math.log1p(2) / Math.log1p(4));
  });

  it('lists each genre by popularity, a multi-genre track in each of its genres', () => {
    expect(index.genres).toEqual(['Jazz', 'Pop', 'Rock']);
    expect(index.genreTracks.get('Rock')).toEqual([1, 2, 3, 4, 5, 6, 13]);
    expect(index.genreTracks.get('Jazz')).toEqual([11, 12, 13]);
    expect(index.genreMaxListeners.get('Pop')).toBe(3);
  });

  it('derives genre similarity from co-listening: Rock and Pop are similar, Jazz is similar to nothing', () => {
    expect(index.similarGenres.get('Rock')!.map((s) => s.genre)).toEqual(['Pop']);
    // The four rock listeners are the four pop listeners: cosine 4 / sqrt(4 * 4).
    expect(index.similarGenres.get('Rock')![0]!.similarity).toBe(1);
    const partly = CatalogueIndex.build(TRACKS, [history(1, [1, 7]), history(2, [1]), history(3, [2]), history(4, [8])]);
    expect(partly.similarGenres.get('Pop')![0]!.similarity).toBeCloseTo(1 / Math.sqrt(3 * 2));
    expect(index.similarGenres.get('Jazz')).toEqual([]);
  });
});
