import { Growable, growFloat32, growFloat64, growInt32, growUint8 } from './growable.js';
import { IdScrambler } from './id-scrambler.js';
import { formatDay, formatIsoMicros, US_PER_DAY } from './iso-dates.js';
import { email, formatDuration, personName, titleCase } from './names.js';
import { pickCumulative, StreamRng, type Rng } from '../../common/random.js';
import { JsonTable, ListenHistoryTable, type DayStats, type MockDataset } from './tables.js';
import { GENDERS, GENRES } from '../../catalog/vocabulary.js';
import { FIRST_NAMES, GENDER_WEIGHTS, GENRE_WEIGHTS, LAST_NAMES, WORDS } from './vocabulary.js';

export interface LivingParams {
  seed: number;
  users: number;
  tracks: number;
  /** Mean listens per user in the starting history. */
  initialListens: number;
  /** New users a day, as a share of current users. */
  dailyNewUsers: number;
  /** New tracks a day, as a share of current tracks. */
  dailyNewTracks: number;
  /** Share of users who listen on a day. */
  activeShare: number;
  /** Mean listens of an active user on a day. */
  dailyListens: number;
  startUs: number;
}

/** Shape of the latent structure; tuned so a recommender beats popularity clearly, but not trivially. */
export const LIVING_MODEL = {
  tracksPerArtist: 8,
  /** Share of a track's genre that is its artist's main genre. */
  artistGenreLoyalty: 0.85,
  /** Sigma of the log of artist and track popularity (heavy tails). */
  artistPopularitySigma: 1.3,
  trackPopularitySigma: 1.0,
  /** Favourite genre's share of a user's taste, at least and at most. */
  favouriteShareMin: 0.5,
  favouriteShareMax: 0.8,
  /** Genres besides the favourite in a taste, at most. */
  otherGenresMax: 3,
  /** Share of listens outside the taste, by global genre popularity. */
  exploreShare: 0.05,
  /** Share of listens that replay a track the user already has. */
  repeatShare: 0.3,
  /** New tracks by a new artist rather than an existing one. */
  newArtistShare: 0.25,
  activitySigma: 0.6,
  initialListensSigma: 0.9,
} as const;

const TASTE_SLOTS = 1 + LIVING_MODEL.otherGenresMax;
const YEAR_US = 365 * US_PER_DAY;
const cumulative = (weights: readonly number[]) => {
  const out = new Float64Array(weights.length);
  let sum = 0;
  weights.forEach((w, i) => (out[i] = sum += w));
  return out;
};
const GENRE_CUM = cumulative(GENRE_WEIGHTS);
const GENDER_CUM = cumulative(GENDER_WEIGHTS);

/**
 * A music service that lives: artists with a main genre, heavy-tailed popularity, users with a
 * taste (favourite genre plus a few others) who listen mostly inside it and replay what they like,
 * and a calendar whose days add users, tracks and listens. Every day draws from its own seeded
 * stream, so the data after N days do not depend on how the days were advanced.
 */
export class LivingDataset implements MockDataset {
  readonly mode = 'living' as const;
  readonly tracks = new JsonTable();
  readonly users = new JsonTable();
  readonly listenHistory = new ListenHistoryTable();
  readonly startUs: number;
  private currentDay = 0;
  private entities = 0;
  private readonly ids: IdScrambler;

  private readonly artistGenre = growUint8();
  private readonly artistWeight = growFloat64();
  private readonly artistNames: string[] = [];
  private artistCum: Float64Array = new Float64Array(0);

  private readonly trackGenre = growUint8();
  private readonly trackWeight = growFloat64();
  private readonly trackIds = growInt32();
  private genreTracks: Int32Array[] = [];
  private genreCum: Float64Array[] = [];
  private allCum: Float64Array = new Float64Array(0);

  /** TASTE_SLOTS genres and their cumulative shares per user. */
  private readonly tasteGenre = growUint8();
  private readonly tasteCum = growFloat32();
  private readonly activity = growFloat32();

  constructor(private readonly params: LivingParams) {
    this.startUs = params.startUs;
    this.ids = new IdScrambler(params.seed, params.users + params.tracks);
    this.buildStart();
  }

  get seed(): number {
    return this.params.seed;
  }

  get day(): number {
    return this.currentDay;
  }

  /** The favourite and other genres of user i (index in /users order), for checks of the structure. */
  tasteOf(i: number): { genres: string[]; shares: number[] } {
    const genres: string[] = [];
    const shares: number[] = [];
    let previous = 0;
    for (let s = 0; s < TASTE_SLOTS; s++) {
      const c = this.tasteCum.get(i * TASTE_SLOTS + s);
      if (c > previous) {
        genres.push(GENRES[this.tasteGenre.get(i * TASTE_SLOTS + s)]!);
        shares.push(c - previous);
      }
      previous = c;
    }
    return { genres, shares };
  }

  /** Genre of the track at index i in /tracks order. */
  genreOfTrack(i: number): string {
    return GENRES[this.trackGenre.get(i)]!;
  }

  advanceDay(): DayStats {
    const p = this.params;
    const d = this.currentDay;
    const dayStart = this.startUs + d * US_PER_DAY;
    const rng = new StreamRng(p.seed, 0xda7, d);
    const inDay = () => dayStart + Math.floor(rng.next() * US_PER_DAY);

    const newTracks = rng.stochasticRound(this.tracks.size * p.dailyNewTracks);
    for (let t = 0; t < newTracks; t++) {
      const created = inDay();
      this.addTrack(rng, this.pickArtistForNewTrack(rng), created, created);
    }
    if (newTracks > 0) this.rebuildSamplers();

    const users = this.users.size;
    const pairUsers = growInt32(1024);
    const pairTracks = growInt32(1024);
    let active = 0;
    for (let u = 0; u < users; u++) {
      if (rng.next() >= Math.min(1, p.activeShare * this.activity.get(u))) continue;
      active++;
      const count = 1 + rng.poisson(p.dailyListens - 1);
      const own = this.listenHistory.items(u);
      for (let k = 0; k < count; k++) {
        pairUsers.push(u);
        pairTracks.push(this.drawListen(rng, u, own, own.length));
      }
      this.listenHistory.touch(u, inDay());
    }

    const newUsers = rng.stochasticRound(users * p.dailyNewUsers);
    for (let n = 0; n < newUsers; n++) {
      const created = inDay();
      this.addUser(rng, created, created);
    }
    this.listenHistory.append(pairUsers.data, pairTracks.data, pairUsers.length);
    this.currentDay++;
    return { day: d, date: formatDay(dayStart), new_users: newUsers, new_tracks: newTracks, active_users: active, listens: pairUsers.length };
  }

  private buildStart(): void {
    const p = this.params;
    const m = LIVING_MODEL;
    const rng = new StreamRng(p.seed, 0x57a7);
    const artists = Math.max(1, Math.ceil(p.tracks / m.tracksPerArtist));
    for (let a = 0; a < artists; a++) this.addArtist(rng);
    this.rebuildArtistSampler();
    for (let t = 0; t < p.tracks; t++) {
      const created = p.startUs - 1 - Math.floor(rng.next() * 5 * YEAR_US);
      const artist = t < artists ? t : pickCumulative(this.artistCum, this.artistCum.length, rng.next());
      this.addTrack(rng, artist, created, created + Math.floor(rng.next() * 0.5 * (p.startUs - created)));
    }
    this.rebuildSamplers();

    const expected = Math.min(p.users * p.initialListens + 16, 1 << 26);
    const pairUsers = growInt32(expected);
    const pairTracks = growInt32(expected);
    const own = growInt32(64);
    for (let u = 0; u < p.users; u++) {
      const created = p.startUs - US_PER_DAY - Math.floor(rng.next() * 3 * YEAR_US);
      this.addUser(rng, created, created + Math.floor(rng.next() * (p.startUs - created)));
      const historyCreated = created + Math.floor(rng.next() * Math.min(30 * US_PER_DAY, p.startUs - created));
      // Skewed towards the start date: most users listened recently.
      const historyUpdated = p.startUs - 1 - Math.floor(rng.next() * rng.next() * (p.startUs - 1 - historyCreated));
      this.listenHistory.setDates(u, historyCreated, historyUpdated);
      const count = Math.max(1, Math.round(p.initialListens * rng.logNormalMeanOne(m.initialListensSigma)));
      own.length = 0;
      for (let k = 0; k < count; k++) {
        const track = this.drawListen(rng, u, own.data, own.length);
        own.push(track);
        pairUsers.push(u);
        pairTracks.push(track);
      }
    }
    this.listenHistory.append(pairUsers.data, pairTracks.data, pairUsers.length);
  }

  private addArtist(rng: Rng): number {
    const genre = pickCumulative(GENRE_CUM, GENRE_CUM.length, rng.next());
    this.artistGenre.push(genre);
    this.artistWeight.push(rng.logNormalMeanOne(LIVING_MODEL.artistPopularitySigma));
    this.artistNames.push(rng.chance(0.55) ? personName(rng) : bandName(rng));
    return this.artistNames.length - 1;
  }

  private pickArtistForNewTrack(rng: Rng): number {
    if (rng.chance(LIVING_MODEL.newArtistShare)) {
      const a = this.addArtist(rng);
      this.rebuildArtistSampler();
      return a;
    }
    return pickCumulative(this.artistCum, this.artistCum.length, rng.next());
  }

  private addTrack(rng: Rng, artist: number, createdUs: number, updatedUs: number): void {
    const genre = rng.chance(LIVING_MODEL.artistGenreLoyalty) ? this.artistGenre.get(artist) : pickCumulative(GENRE_CUM, GENRE_CUM.length, rng.next());
    const id = this.ids.id(this.entities++);
    const artistName = this.artistNames[artist]!;
    this.trackGenre.push(genre);
    this.trackWeight.push(this.artistWeight.get(artist) * rng.logNormalMeanOne(LIVING_MODEL.trackPopularitySigma));
    this.trackIds.push(id);
    this.tracks.add(id, {
      id,
      name: titleCase(Array.from({ length: 1 + rng.int(3) }, () => rng.pick(WORDS))),
      artist: artistName,
      songwriters: rng.chance(0.4) && !artistName.startsWith('The ') ? artistName : personName(rng),
      duration: formatDuration(Math.max(30, 210 * rng.logNormalMeanOne(0.3))),
      genres: GENRES[genre]!,
      album: titleCase(Array.from({ length: 1 + rng.int(2) }, () => rng.pick(WORDS))),
      created_at: formatIsoMicros(createdUs),
      updated_at: formatIsoMicros(updatedUs),
    });
  }

  private addUser(rng: Rng, createdUs: number, updatedUs: number): void {
    const m = LIVING_MODEL;
    const id = this.ids.id(this.entities++);
    const favourite = pickCumulative(GENRE_CUM, GENRE_CUM.length, rng.next());
    const genres = [favourite];
    const others = 1 + rng.int(m.otherGenresMax);
    for (let tries = 0; genres.length < 1 + others && tries < 50; tries++) {
      const g = pickCumulative(GENRE_CUM, GENRE_CUM.length, rng.next());
      if (!genres.includes(g)) genres.push(g);
    }
    const favouriteShare = m.favouriteShareMin + rng.next() * (m.favouriteShareMax - m.favouriteShareMin);
    const otherWeights = genres.slice(1).map(() => 0.2 + rng.next());
    const otherTotal = otherWeights.reduce((a, b) => a + b, 0);
    let cum = 0;
    for (let s = 0; s < TASTE_SLOTS; s++) {
      const share = s === 0 ? favouriteShare : s < genres.length ? ((1 - favouriteShare) * otherWeights[s - 1]!) / otherTotal : 0;
      cum += share;
      this.tasteGenre.push(genres[s] ?? favourite);
      this.tasteCum.push(s === genres.length - 1 ? 1 : cum);
    }
    this.activity.push(rng.logNormalMeanOne(m.activitySigma));

    const first = rng.pick(FIRST_NAMES);
    const last = rng.pick(LAST_NAMES);
    this.users.add(id, {
      id,
      first_name: first,
      last_name: last,
      email: email(rng, first, last),
      gender: GENDERS[pickCumulative(GENDER_CUM, GENDER_CUM.length, rng.next())]!,
      favorite_genres: GENRES[favourite]!,
      created_at: formatIsoMicros(createdUs),
      updated_at: formatIsoMicros(updatedUs),
    });
    this.listenHistory.addUser(id, createdUs, createdUs);
  }

  /** One listen of user u: a replay of something they have, or a track of a genre of their taste. */
  private drawListen(rng: Rng, u: number, own: ArrayLike<number>, ownLength: number): number {
    const m = LIVING_MODEL;
    if (ownLength > 0 && rng.chance(m.repeatShare)) return own[rng.int(ownLength)]!;
    let genre: number;
    if (rng.chance(m.exploreShare)) {
      genre = pickCumulative(GENRE_CUM, GENRE_CUM.length, rng.next());
    } else {
      const x = rng.next();
      let s = 0;
      while (s < TASTE_SLOTS - 1 && this.tasteCum.get(u * TASTE_SLOTS + s) <= x) s++;
      genre = this.tasteGenre.get(u * TASTE_SLOTS + s);
    }
    const pool = this.genreTracks[genre]!;
    if (pool.length === 0) return this.trackIds.get(pickCumulative(this.allCum, this.allCum.length, rng.next()));
    return this.trackIds.get(pool[pickCumulative(this.genreCum[genre]!, pool.length, rng.next())]!);
  }

  private rebuildArtistSampler(): void {
    this.artistCum = cumulativeOf(this.artistWeight);
  }

  /** Per-genre popularity samplers, rebuilt when tracks are added (O(tracks), once a day at most). */
  private rebuildSamplers(): void {
    const n = this.trackGenre.length;
    const counts = new Int32Array(GENRES.length);
    for (let t = 0; t < n; t++) counts[this.trackGenre.get(t)]!++;
    this.genreTracks = Array.from(counts, (c) => new Int32Array(c));
    this.genreCum = Array.from(counts, (c) => new Float64Array(c));
    const fill = new Int32Array(GENRES.length);
    const sums = new Float64Array(GENRES.length);
    for (let t = 0; t < n; t++) {
      const g = this.trackGenre.get(t);
      const k = fill[g]!++;
      sums[g]! += this.trackWeight.get(t);
      this.genreTracks[g]![k] = t;
      this.genreCum[g]![k] = sums[g]!;
    }
    this.allCum = cumulativeOf(this.trackWeight);
  }
}

function cumulativeOf(weights: Growable<Float64Array>): Float64Array {
  const out = new Float64Array(weights.length);
  let sum = 0;
  for (let i = 0; i < weights.length; i++) out[i] = sum += weights.get(i);
  return out;
}

function bandName(rng: Rng): string {
  const word = rng.pick(WORDS);
  return rng.chance(0.5) ? `The ${titleCase([word])}s` : titleCase([word, rng.pick(WORDS)]);
}
