import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The captured answers of the original API, and checks of an item against them. */

export const REFERENCE_DIR = join(process.cwd(), 'test', 'fixtures', 'moovitamix');
const reference = (file: string) => JSON.parse(readFileSync(join(REFERENCE_DIR, file), 'utf8'));

export const REFERENCE = {
  tracks: reference('sample_tracks_page1_size3.json'),
  users: reference('sample_users_page1_size3.json'),
  listen_history: reference('sample_listen_history_page1_size3.json'),
} as const;
export const ORIGINAL_OPENAPI = reference('openapi_original.json');

export const ISO_NAIVE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{6})?$/;
export const DURATION = /^[0-5]\d:[0-5]\d$/;
export const GENRES = [
  'Rock',
  'Pop',
  'Hip Hop',
  'Jazz',
  'Electronic',
  'Classical',
  'Country',
  'Blues',
  'R&B',
  'Reggae',
  'Folk',
  'Metal',
  'Punk',
  'Funk',
  'Indie',
  'Alternative',
  'Techno',
];
export const GENDERS = [
  'Male',
  'Female',
  'Non-binary',
  'Genderqueer',
  'Genderfluid',
  'Agender',
  'Bigender',
  'Gender questioning',
  'Gender nonconforming',
];

function jsonType(v: unknown): string {
  if (Array.isArray(v)) return `array<${[...new Set(v.map(jsonType))].join('|') || 'int'}>`;
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float';
  return v === null ? 'null' : typeof v;
}

/** What is wrong with an item, held against the reference item of its endpoint (empty when it conforms). */
export function itemProblems(endpoint: keyof typeof REFERENCE, item: Record<string, unknown>): string[] {
  const ref = REFERENCE[endpoint].items[0] as Record<string, unknown>;
  const problems: string[] = [];
  const keys = Object.keys(item);
  const refKeys = Object.keys(ref);
  if (keys.join(',') !== refKeys.join(',')) problems.push(`fields ${keys.join(',')} instead of ${refKeys.join(',')}`);
  for (const key of refKeys) {
    if (!(key in item)) continue;
    if (jsonType(item[key]) !== jsonType(ref[key])) problems.push(`${key} is ${jsonType(item[key])}, not ${jsonType(ref[key])}`);
    if (key.endsWith('_at') && !ISO_NAIVE.test(String(item[key]))) problems.push(`${key} ${JSON.stringify(item[key])} is not an ISO date`);
    if (key === 'duration' && !DURATION.test(String(item[key]))) problems.push(`duration ${JSON.stringify(item[key])} is not MM:SS`);
  }
  if (typeof item.created_at === 'string' && ISO_NAIVE.test(item.created_at) && Number.isNaN(Date.parse(`${item.created_at}Z`)))
    problems.push('created_at is not a real date');
  if (typeof item.updated_at === 'string' && ISO_NAIVE.test(item.updated_at) && Number.isNaN(Date.parse(`${item.updated_at}Z`)))
    problems.push('updated_at is not a real date');
  return problems;
}
