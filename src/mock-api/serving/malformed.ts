import { hash32, hashUnit } from '../../common/random.js';
import type { Endpoint } from '../data/tables.js';

/**
 * Malformed items: which ones is a pure function of (seed, endpoint, item id, simulated day), so a
 * retried page serves the very same damaged items and a test can know them in advance.
 */

export type MalformedKind = 'wrong_type' | 'missing_field' | 'bad_date';

export interface MalformedSpec {
  kind: MalformedKind;
  field: string;
}

const DAMAGE: Record<Endpoint, MalformedSpec[]> = {
  tracks: [
    { kind: 'wrong_type', field: 'id' },
    { kind: 'wrong_type', field: 'duration' },
    { kind: 'missing_field', field: 'name' },
    { kind: 'missing_field', field: 'artist' },
    { kind: 'bad_date', field: 'created_at' },
    { kind: 'bad_date', field: 'updated_at' },
  ],
  users: [
    { kind: 'wrong_type', field: 'id' },
    { kind: 'wrong_type', field: 'favorite_genres' },
    { kind: 'missing_field', field: 'email' },
    { kind: 'missing_field', field: 'gender' },
    { kind: 'bad_date', field: 'created_at' },
    { kind: 'bad_date', field: 'updated_at' },
  ],
  listen_history: [
    { kind: 'wrong_type', field: 'user_id' },
    { kind: 'wrong_type', field: 'items' },
    { kind: 'missing_field', field: 'items' },
    { kind: 'missing_field', field: 'user_id' },
    { kind: 'bad_date', field: 'created_at' },
    { kind: 'bad_date', field: 'updated_at' },
  ],
};

const ENDPOINT_CODE: Record<Endpoint, number> = { tracks: 1, users: 2, listen_history: 3 };
const BAD_DATES = ['not-a-date', '2026-02-30T25:61:00', '31/12/2025 10:00', ''];

/** The damage item `id` of `endpoint` gets on `day` at this rate, or undefined when it is served intact. */
export function malformedSpec(seed: number, endpoint: Endpoint, id: number, day: number, rate: number): MalformedSpec | undefined {
  if (rate <= 0) return undefined;
  const code = ENDPOINT_CODE[endpoint];
  if (hashUnit(seed, code, id, day) >= rate) return undefined;
  const variants = DAMAGE[endpoint];
  return variants[hash32(seed, code, id, day, 0xbad) % variants.length];
}

/** The item with that damage applied (the record is modified and returned). */
export function applyDamage(record: Record<string, unknown>, spec: MalformedSpec, salt: number): Record<string, unknown> {
  switch (spec.kind) {
    case 'missing_field':
      delete record[spec.field];
      break;
    case 'bad_date':
      record[spec.field] = BAD_DATES[salt % BAD_DATES.length];
      break;
    case 'wrong_type':
      record[spec.field] = wrongType(record[spec.field]);
      break;
  }
  return record;
}

/** A plausible wrong type: numbers become strings, "MM:SS" becomes seconds, lists become a joined string. */
function wrongType(value: unknown): unknown {
  if (typeof value === 'number') return String(value);
  if (Array.isArray(value)) return value.join(',');
  if (typeof value === 'string' && /^\d{2}:\d{2}$/.test(value)) return Number(value.slice(0, 2)) * 60 + Number(value.slice(3));
  if (typeof value === 'string') return [value];
  return 0;
}
