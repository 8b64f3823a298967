import { IdScrambler } from './id-scrambler.js';
import { formatDay, formatIsoMicros, US_PER_DAY } from './iso-dates.js';
import { email, formatDuration, personName } from './names.js';
import { StreamRng } from '../../common/random.js';
import { ListenHistoryTable, JsonTable, type DayStats, type MockDataset } from './tables.js';
import { GENDERS, GENRES } from '../../catalog/vocabulary.js';
import { FIRST_NAMES, LAST_NAMES, WORDS } from './vocabulary.js';

export const CLASSIC_SIZE = 1000;
export const CLASSIC_ITEMS_PER_USER = 5;
const YEAR_US = 365 * US_PER_DAY;

/**
 * The original mock: 1000 tracks, 1000 users, 1000 history records of 5 distinct track ids, random
 * words as genres, nothing changing while it runs. Dates as the original draws them: created_at in
 * the two years before the anchor, updated_at (tracks, users) independently in the last year, so
 * about a quarter are earlier than created_at; history records keep updated_at >= created_at.
 */
export function buildClassicDataset(seed: number, anchorUs: number): MockDataset {
  const rng = new StreamRng(seed, 0xc1a55);
  const ids = new IdScrambler(seed, CLASSIC_SIZE * 2);
  const created = () => anchorUs - Math.floor(rng.next() * 2 * YEAR_US);
  const updated = () => anchorUs - Math.floor(rng.next() * YEAR_US);

  const tracks = new JsonTable();
  const trackIds: number[] = [];
  for (let n = 0; n < CLASSIC_SIZE; n++) {
    const id = ids.id(n);
    trackIds.push(id);
    tracks.add(id, {
      id,
      name: rng.pick(WORDS),
      artist: personName(rng),
      songwriters: personName(rng),
      duration: formatDuration(rng.int(3600)),
      genres: rng.pick(WORDS),
      album: rng.pick(WORDS),
      created_at: formatIsoMicros(created()),
      updated_at: formatIsoMicros(updated()),
    });
  }

  const users = new JsonTable();
  const history = new ListenHistoryTable();
  const userIdx: number[] = [];
  const listened: number[] = [];
  for (let n = 0; n < CLASSIC_SIZE; n++) {
    const id = ids.id(CLASSIC_SIZE + n);
    const first = rng.pick(FIRST_NAMES);
    const last = rng.pick(LAST_NAMES);
    users.add(id, {
      id,
      first_name: first,
      last_name: last,
      email: email(rng, first, last),
      gender: rng.pick(GENDERS),
      favorite_genres: rng.pick(GENRES),
      created_at: formatIsoMicros(created()),
      updated_at: formatIsoMicros(updated()),
    });
    const historyCreated = created();
    const i = history.addUser(id, historyCreated, historyCreated + Math.floor(rng.next() * (anchorUs - historyCreated)));
    const chosen = new Set<number>();
    while (chosen.size < CLASSIC_ITEMS_PER_USER) chosen.add(trackIds[rng.int(trackIds.length)]!);
    for (const t of chosen) {
      userIdx.push(i);
      listened.push(t);
    }
  }
  history.append(userIdx, listened, listened.length);

  let day = 0;
  return {
    mode: 'classic',
    seed,
    tracks,
    users,
    listenHistory: history,
    startUs: anchorUs,
    get day() {
      return day;
    },
    advanceDay(): DayStats {
      const stats = { day, date: formatDay(anchorUs + day * US_PER_DAY), new_users: 0, new_tracks: 0, active_users: 0, listens: 0 };
      day++;
      return stats;
    },
  };
}
