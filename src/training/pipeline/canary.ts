/**
 * The canary's online check: next-day hit rate of canary users against production users.
 * A generated playlist never holds a track its user had heard, so any later listen of one of its
 * tracks is a listen since the playlist was generated: no clock has to be compared.
 */

export interface PlaylistView {
  userId: number;
  trackIds: readonly number[];
  modelVersion: string | null;
}

export interface GroupHitRate {
  /** Users with at least one playlist in the group since the canary started. */
  users: number;
  /** Those whose later listens include a track of one of those playlists. */
  hits: number;
  rate: number;
}

export interface CanaryOutcome {
  canary: GroupHitRate;
  production: GroupHitRate;
  promote: boolean;
  reason: string;
}

/**
 * Groups users by the playlists generated since the canary started (a user with any canary playlist
 * is a canary user) and counts hits against `listened` (each user's tracks listened since then).
 */
export function hitRates(playlists: readonly PlaylistView[], canaryVersion: string, listened: ReadonlyMap<number, ReadonlySet<number>>): { canary: GroupHitRate; production: GroupHitRate } {
  const tracksBy = new Map<number, { canary: boolean; tracks: Set<number> }>();
  for (const p of playlists) {
    const isCanary = p.modelVersion === canaryVersion;
    let u = tracksBy.get(p.userId);
    if (!u) tracksBy.set(p.userId, (u = { canary: isCanary, tracks: new Set() }));
    if (isCanary && !u.canary) {
      // First canary playlist of a user seen under production before: count it as canary only.
      u.canary = true;
      u.tracks.clear();
    }
    if (isCanary === u.canary) for (const t of p.trackIds) u.tracks.add(t);
  }
  const canary = { users: 0, hits: 0, rate: 0 };
  const production = { users: 0, hits: 0, rate: 0 };
  for (const [userId, u] of tracksBy) {
    const g = u.canary ? canary : production;
    g.users++;
    const heard = listened.get(userId);
    if (heard && [...u.tracks].some((t) => heard.has(t))) g.hits++;
  }
  canary.rate = canary.users ? canary.hits / canary.users : 0;
  production.rate = production.users ? production.hits / production.users : 0;
  return { canary, production };
}

/** Promote unless the canary's hit rate is below production's by more than `tolerance` (a share). */
export function decideCanary(rates: { canary: GroupHitRate; production: GroupHitRate }, tolerance: number): CanaryOutcome {
  const { canary, production } = rates;
  const pct = (v: number) => `${(100 * v).toFixed(1)}%`;
  const seen = `canary ${pct(canary.rate)} of ${canary.users} users, production ${pct(production.rate)} of ${production.users} users`;
  if (canary.users === 0 || production.users === 0) {
    return { ...rates, promote: true, reason: `promoted on the offline gate alone: no online comparison possible (${seen})` };
  }
  const threshold = production.rate * (1 - tolerance);
  const promote = canary.rate >= threshold;
  return {
    ...rates,
    promote,
    reason: `${promote ? 'promoted' : 'rolled back'}: next-day hit rate ${seen}; threshold ${pct(threshold)} (tolerance ${pct(tolerance)})`,
  };
}
