/**
 * Dates of the source API: microseconds since the epoch in memory, and on the wire Python's
 * `datetime.isoformat()` of a naive datetime: no zone, six fraction digits, fraction left out when zero.
 */

export const US_PER_SECOND = 1_000_000;
export const US_PER_DAY = 86_400 * US_PER_SECOND;

const dayStrings = new Map<number, string>();
const pad2 = (n: number) => (n < 10 ? `0${n}` : String(n));

export function formatIsoMicros(us: number): string {
  const whole = Math.floor(us / US_PER_SECOND);
  const dayNumber = Math.floor(whole / 86_400);
  // Millions of dates are written at start: Date objects only once per calendar day.
  let day = dayStrings.get(dayNumber);
  if (day === undefined) {
    if (dayStrings.size > 100_000) dayStrings.clear();
    day = new Date(dayNumber * 86_400_000).toISOString().slice(0, 10);
    dayStrings.set(dayNumber, day);
  }
  const second = whole - dayNumber * 86_400;
  const base = `${day}T${pad2(Math.floor(second / 3600))}:${pad2(Math.floor(second / 60) % 60)}:${pad2(second % 60)}`;
  const fraction = Math.floor(us - whole * US_PER_SECOND);
  return fraction === 0 ? base : `${base}.${String(fraction).padStart(6, '0')}`;
}

/** Microseconds of a YYYY-MM-DD date at 00:00 (taken as UTC, as the wire format has no zone). */
export function dayToMicros(day: string): number {
  const ms = Date.parse(`${day}T00:00:00Z`);
  if (Number.isNaN(ms)) throw new Error(`not a date: ${day}`);
  return ms * 1000;
}

/** YYYY-MM-DD of a microsecond instant. */
export function formatDay(us: number): string {
  return new Date(Math.floor(us / 1000)).toISOString().slice(0, 10);
}

/** Microseconds of an ISO-8601 date-time (zone optional, taken as UTC when absent), or undefined. */
export function parseIsoMicros(text: string): number | undefined {
  const m = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?(Z|[+-]\d{2}:?\d{2})?$/.exec(text.trim());
  if (!m) return undefined;
  const zone = m[6] === undefined || m[6] === 'Z' ? 'Z' : m[6].length === 5 ? `${m[6].slice(0, 3)}:${m[6].slice(3)}` : m[6];
  const ms = Date.parse(`${m[1]}T${m[2] ?? '00'}:${m[3] ?? '00'}:${m[4] ?? '00'}${zone}`);
  if (Number.isNaN(ms)) return undefined;
  const fraction = m[5] ? Number(m[5].padEnd(6, '0').slice(0, 6)) : 0;
  return ms * 1000 + fraction;
}
