import {
  CatalogueIndex,
  historySignature,
  type HistoryFacts,
  type TrackFacts,
  type UserFacts,
} from '../../../src/recommendations/catalogue-index.js';
import { Rng } from '../../../src/common/random.js';

/** A catalogue for reading expectations off: tracks 1-6 Rock, 7-10 Pop, 11-12 Jazz, 13 Rock+Jazz. */
export const TRACKS: TrackFacts[] = [
  ...[1, 2, 3, 4, 5, 6].map((id) => ({ id, name: `r${id}`, artist: id <= 4 ? 'Rocker' : `R${id}`, genres: ['Rock'] })),
  ...[7, 8, 9, 10].map((id) => ({ id, name: `p${id}`, artist: `P${id}`, genres: ['Pop'] })),
  ...[11, 12].map((id) => ({ id, name: `j${id}`, artist: `J${id}`, genres: ['Jazz'] })),
  { id: 13, name: 'fusion', artist: 'F', genres: ['Rock', 'Jazz'] },
];

/** Listens: rock fans also play pop (never jazz); track 1 is the most listened, 2 next... */
export const HISTORIES: HistoryFacts[] = [
  history(100, [1, 2, 3, 7]),
  history(101, [1, 2, 7, 8]),
  history(102, [1, 4, 7]),
  history(103, [1, 8, 9]),
  history(104, [11, 12]),
  history(105, [11]),
];

export function history(userId: number, items: number[]): HistoryFacts {
  return { userId, items, signature: historySignature(0, items.length) };
}

export function user(id: number, favoriteGenres: string[], active = true): UserFacts {
  return { id, favoriteGenres, active, createdAt: null };
}

export function smallIndex(): CatalogueIndex {
  return CatalogueIndex.build(TRACKS, HISTORIES);
}

/** A random catalogue with several genres per track and random histories (property tests). */
export function randomCatalogue(
  seed: number,
  tracks = 300,
  users = 200,
): { tracks: TrackFacts[]; histories: HistoryFacts[]; users: UserFacts[] } {
  const rng = Rng.fromState(seed);
  const rnd = () => rng.next();
  const genres = ['A', 'B', 'C', 'D', 'E', 'F'];
  const t: TrackFacts[] = Array.from({ length: tracks }, (_, i) => {
    const g = new Set([genres[Math.floor(rnd() * genres.length)]!]);
    if (rnd() < 0.2) g.add(genres[Math.floor(rnd() * genres.length)]!);
    return { id: i + 1, name: `t${i + 1}`, artist: `a${Math.floor((rnd() * tracks) / 4)}`, genres: [...g] };
  });
  const h: HistoryFacts[] = [];
  const u: UserFacts[] = [];
  for (let i = 0; i < users; i++) {
    const id = 10_000 + i;
    const items = Array.from({ length: Math.floor(rnd() * 15) }, () => 1 + Math.floor(rnd() ** 2 * tracks));
    h.push(history(id, items));
    u.push(user(id, [genres[Math.floor(rnd() * genres.length)]!]));
  }
  return { tracks: t, histories: h, users: u };
}
