import { describe, expect, it } from 'vitest';
import { dayToMicros } from '../../../src/mock-api/data/iso-dates.js';
import { LivingDataset, type LivingParams } from '../../../src/mock-api/data/living-dataset.js';

const params = (over: Partial<LivingParams> = {}): LivingParams => ({
  seed: 42,
  users: 2000,
  tracks: 1000,
  initialListens: 20,
  dailyNewUsers: 0.01,
  dailyNewTracks: 0.005,
  activeShare: 0.3,
  dailyListens: 5,
  startUs: dayToMicros('2026-01-01'),
  ...over,
});

const everything = (d: LivingDataset) =>
  [d.tracks, d.users, d.listenHistory].map((t) => Array.from({ length: t.size }, (_, i) => t.json(i)).join('\n')).join('\n');

describe('LivingDataset', () => {
  const data = new LivingDataset(params());
  const genreOf = new Map<number, string>();
  for (let i = 0; i < data.tracks.size; i++) genreOf.set(data.tracks.id(i), data.genreOfTrack(i));

  it('is the same for the same seed and differs for another', () => {
    expect(everything(new LivingDataset(params()))).toBe(everything(data));
    expect(everything(new LivingDataset(params({ seed: 43 })))).not.toBe(everything(data));
  });

  it('has the sizes asked for, and the mean starting history length', () => {
    expect([data.tracks.size, data.users.size, data.listenHistory.size]).toEqual([1000, 2000, 2000]);
    const mean = data.listenHistory.totalListens / 2000;
    expect(mean).toBeGreaterThan(17);
    expect(mean).toBeLessThan(23);
  });

  it('has users who listen mostly inside their taste, most of all their favourite genre', () => {
    let inside = 0;
    let total = 0;
    let favouriteOnTop = 0;
    for (let u = 0; u < data.users.size; u++) {
      const taste = data.tasteOf(u);
      const user = JSON.parse(data.users.json(u));
      expect(taste.genres[0]).toBe(user.favorite_genres);
      const counts = new Map<string, number>();
      for (const t of data.listenHistory.items(u)) {
        const g = genreOf.get(t)!;
        counts.set(g, (counts.get(g) ?? 0) + 1);
        if (taste.genres.includes(g)) inside++;
        total++;
      }
      const top = [...counts.entries()].sort((a, b) => b[1] - a[1])[0]![0];
      if (top === user.favorite_genres) favouriteOnTop++;
    }
    expect(inside / total).toBeGreaterThan(0.9);
    expect(favouriteOnTop / data.users.size).toBeGreaterThan(0.7);
  });

  it('has heavy-tailed popularity and artists mostly within one genre', () => {
    const plays = new Map<number, number>();
    for (let u = 0; u < data.users.size; u++) for (const t of data.listenHistory.items(u)) plays.set(t, (plays.get(t) ?? 0) + 1);
    const sorted = [...plays.values()].sort((a, b) => b - a);
    const total = sorted.reduce((a, b) => a + b, 0);
    const top10 = sorted.slice(0, 100).reduce((a, b) => a + b, 0);
    expect(top10 / total).toBeGreaterThan(0.35);
    const byArtist = new Map<string, string[]>();
    for (let i = 0; i < data.tracks.size; i++) {
      const t = JSON.parse(data.tracks.json(i));
      byArtist.set(t.artist, [...(byArtist.get(t.artist) ?? []), t.genres]);
    }
    let main = 0;
    let all = 0;
    for (const genres of byArtist.values()) {
      const counts = new Map<string, number>();
      for (const g of genres) counts.set(g, (counts.get(g) ?? 0) + 1);
      main += Math.max(...counts.values());
      all += genres.length;
    }
    expect(main / all).toBeGreaterThan(0.75);
  });

  it('simulates days: users, tracks and listens added as reported, about the active share, new users cold', () => {
    const d = new LivingDataset(params());
    const before = d.listenHistory.totalListens;
    const users = d.users.size;
    const stats = d.advanceDay();
    expect(stats).toMatchObject({ day: 0, date: '2026-01-01', new_users: 20, new_tracks: 5 });
    expect(stats.active_users / users).toBeGreaterThan(0.25);
    expect(stats.active_users / users).toBeLessThan(0.35);
    expect(stats.listens / stats.active_users).toBeGreaterThan(4);
    expect(stats.listens / stats.active_users).toBeLessThan(6);
    expect(d.listenHistory.totalListens).toBe(before + stats.listens);
    for (let u = users; u < d.users.size; u++) expect(d.listenHistory.itemCount(u)).toBe(0);
    expect(d.day).toBe(1);
  });
});
