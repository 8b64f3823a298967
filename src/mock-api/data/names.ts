import type { Rng } from '../../common/random.js';
import { EMAIL_DOMAINS, FIRST_NAMES, LAST_NAMES, WORDS } from './vocabulary.js';

/** Faker-like values shared by the generators. */

export function personName(rng: Rng): string {
  return `${rng.pick(FIRST_NAMES)} ${rng.pick(LAST_NAMES)}`;
}

/** Emails like Faker's: not unique, always @example.*. */
export function email(rng: Rng, first: string, last: string): string {
  const f = first.toLowerCase();
  const l = last.toLowerCase();
  const local = [
    () => `${f[0]}${l}`,
    () => `${f}${l}`,
    () => `${f}.${l}`,
    () => `${l}${f[0]}`,
    () => `${f}${rng.int(100)}`,
    () => `${rng.pick(WORDS)}${l}`,
  ][rng.int(6)]!();
  return `${local}@${rng.pick(EMAIL_DOMAINS)}`;
}

/** "MM:SS" of a number of seconds, 00:00 to 59:59. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.min(3599, Math.round(seconds)));
  return `${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
}

export function titleCase(words: string[]): string {
  return words.map((w) => w[0]!.toUpperCase() + w.slice(1)).join(' ');
}
