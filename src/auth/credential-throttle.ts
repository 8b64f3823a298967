import type { FastifyReply, FastifyRequest } from 'fastify';

/** Clients remembered at most (the oldest forgotten first): a flood of addresses cannot grow memory. */
const MAX_CLIENTS = 100_000;

/**
 * Failed credentials per client in fixed windows: after `limit` failures within `windowMs`, the
 * client is refused until its window ends. In memory, per process (each API replica counts its own).
 */
export class FailureWindow {
  private readonly clients = new Map<string, { start: number; failures: number }>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  fail(client: string): void {
    const t = this.now();
    const c = this.clients.get(client);
    if (!c || t - c.start >= this.windowMs) {
      this.clients.delete(client);
      this.clients.set(client, { start: t, failures: 1 });
      if (this.clients.size > MAX_CLIENTS) this.clients.delete(this.clients.keys().next().value!);
      return;
    }
    c.failures++;
  }

  /** Milliseconds until the client may try again; 0 when it may now. */
  blockedFor(client: string): number {
    const c = this.clients.get(client);
    if (!c || c.failures < this.limit) return 0;
    const left = c.start + this.windowMs - this.now();
    if (left > 0) return left;
    this.clients.delete(client);
    return 0;
  }
}

/**
 * Throttles credential guessing: a response 401 to a request that carried an Authorization header
 * counts as a failure of its client address (`failed`); past AUTH_FAILURE_LIMIT in
 * AUTH_FAILURE_WINDOW, the client's requests that carry credentials or go to /admin are refused
 * (`throttleRefusal`: 429 with Retry-After) until the window ends. Anonymous reads of the public
 * routes are never throttled by this.
 */
export function throttleRefusal(failures: FailureWindow, request: FastifyRequest): EdgeRefusal | null {
  if (request.headers.authorization === undefined) return null;
  const wait = failures.blockedFor(request.ip);
  if (wait === 0) return null;
  const s = Math.ceil(wait / 1000);
  return { status: 429, message: `too many failed credentials from this address; try again in ${s} s`, retryAfterS: s };
}

export function countFailure(failures: FailureWindow, request: FastifyRequest, reply: FastifyReply): void {
  if (reply.statusCode === 401 && request.headers.authorization !== undefined) failures.fail(request.ip);
}

/** An answer an edge check gives instead of the route's. */
export interface EdgeRefusal {
  status: number;
  message: string;
  retryAfterS?: number;
}

/** On every answer, matched or not: no MIME sniffing. */
export const NOSNIFF: Readonly<Record<string, string>> = { 'x-content-type-options': 'nosniff' };

/**
 * On every answer but the JSON-only ones under /users/: no MIME sniffing, never framed (Bull
 * Board's and the dashboard's buttons cannot be clickjacked), scripts only from this origin, no
 * referrer to other sites. Bull Board loads its font stylesheet from Google Fonts, hence the two
 * font hosts.
 */
export const DOCUMENT_HEADERS: Readonly<Record<string, string>> = {
  ...NOSNIFF,
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'content-security-policy': [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline' https://fonts.googleapis.com",
    "font-src 'self' data: https://fonts.gstatic.com",
    "img-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; '),
};
