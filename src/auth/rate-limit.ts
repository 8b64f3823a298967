import type { FastifyRequest } from 'fastify';
import type { EdgeRefusal } from './credential-throttle.js';

/** Clients remembered at most (the least recently seen forgotten first). */
const MAX_CLIENTS = 100_000;

/**
 * A token bucket per client address: `perSecond` requests a second on average, bursts up to
 * `burst`. In memory, per process.
 */
export class TokenBuckets {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly perSecond: number,
    private readonly burst: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Takes one token; returns 0 when there was one, else the milliseconds until there is. */
  take(client: string): number {
    const t = this.now();
    let b = this.buckets.get(client);
    if (b) {
      b.tokens = Math.min(this.burst, b.tokens + ((t - b.at) / 1000) * this.perSecond);
      b.at = t;
      // Most recently seen last: the first entry is the one to forget.
      this.buckets.delete(client);
    } else {
      b = { tokens: this.burst, at: t };
    }
    this.buckets.set(client, b);
    if (this.buckets.size > MAX_CLIENTS) this.buckets.delete(this.buckets.keys().next().value!);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return 0;
    }
    return Math.ceil(((1 - b.tokens) / this.perSecond) * 1000);
  }
}

/** Routes that are never limited: probes and scrapes come from the platform, often from one address. */
const EXEMPT = ['/health', '/metrics'];

/**
 * PUBLIC_RATE_LIMIT: requests a second per client address on the public routes (the ones an
 * anonymous client can call: recommendations, playlists, docs); past it, 429 with Retry-After.
 * Operating requests (with a credential) are left to the failed-credential throttle; /health and
 * /metrics are exempt. Not checked at all when 0.
 */
export function rateRefusal(buckets: TokenBuckets, perSecond: number, request: FastifyRequest): EdgeRefusal | null {
  if (request.headers.authorization !== undefined) return null;
  const url = request.url;
  if (EXEMPT.some((p) => url === p || url.startsWith(`${p}/`) || url.startsWith(`${p}?`))) return null;
  const wait = buckets.take(request.ip);
  if (wait === 0) return null;
  return {
    status: 429,
    message: `more than ${perSecond} requests a second from this address`,
    retryAfterS: Math.max(1, Math.ceil(wait / 1000)),
  };
}
