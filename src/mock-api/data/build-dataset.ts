import { randomInt } from 'node:crypto';
import type { Settings } from '../../config/settings.js';
import { buildClassicDataset } from './classic-dataset.js';
import { dayToMicros } from './iso-dates.js';
import { LivingDataset } from './living-dataset.js';
import { seedFromString } from '../../common/random.js';
import { buildReplayDataset } from './replay-dataset.js';
import type { MockDataset } from './tables.js';

export const LIVING_DEFAULT_SEED = '42';

/** The data set of MOCK_MODE, from the settings. */
export async function buildDataset(s: Settings): Promise<MockDataset> {
  const startUs = dayToMicros(s.MOCK_START_DATE);
  switch (s.MOCK_MODE) {
    case 'classic':
      // The original draws new data at each start: so does classic, unless a seed pins it.
      return buildClassicDataset(s.MOCK_SEED === undefined ? randomInt(2 ** 32 - 1) : seedFromString(s.MOCK_SEED), startUs);
    case 'living':
      return new LivingDataset({
        seed: seedFromString(s.MOCK_SEED ?? LIVING_DEFAULT_SEED),
        users: s.MOCK_USERS,
        tracks: s.MOCK_TRACKS,
        initialListens: s.MOCK_INITIAL_LISTENS,
        dailyNewUsers: s.MOCK_DAILY_NEW_USERS,
        dailyNewTracks: s.MOCK_DAILY_NEW_TRACKS,
        activeShare: s.MOCK_DAILY_ACTIVE_SHARE,
        dailyListens: s.MOCK_DAILY_LISTENS,
        startUs,
      });
    case 'replay':
      if (!s.MOCK_REPLAY_DIR) throw new Error('MOCK_REPLAY_DIR is not set: MOCK_MODE=replay serves the data set in that folder');
      return buildReplayDataset(s.MOCK_REPLAY_DIR, seedFromString(s.MOCK_SEED ?? LIVING_DEFAULT_SEED), startUs);
  }
}
