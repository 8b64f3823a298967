import type { LoggerService, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyInstance, FastifyReply, onRequestAbortHookHandler, onRequestHookHandler, onResponseHookHandler } from 'fastify';
import { countFailure, DOCUMENT_HEADERS, FailureWindow, NOSNIFF, throttleRefusal, type EdgeRefusal } from './auth/credential-throttle.js';
import { rateRefusal, TokenBuckets } from './auth/rate-limit.js';
import { stateChangeRefusal } from './auth/state-change-guard.js';

export interface HttpAppOptions {
  /** Requests not answered within this are answered 503 (HTTP_REQUEST_TIMEOUT_MS); 0: no deadline. */
  requestTimeoutMs?: number;
  /** Failed credentials allowed per client address and window (AUTH_FAILURE_LIMIT, AUTH_FAILURE_WINDOW); 0: no throttle. */
  authFailureLimit?: number;
  authFailureWindowMs?: number;
  /** Requests a second per client address on the public routes, and the burst (PUBLIC_RATE_LIMIT, PUBLIC_RATE_BURST); 0: no limit. */
  publicRateLimit?: number;
  publicRateBurst?: number;
}

/** Route config of the edge hooks: `requestDeadline: false` for a route that bounds its own reads (the hot route). */
export interface EdgeRouteConfig {
  requestDeadline?: boolean;
}

/** Answers under this prefix are JSON only (the hot route and a user's playlists): nosniff is enough. */
const JSON_ONLY_PREFIX = '/users/';

/**
 * A Nest application on Fastify, with the process's JSON logger and the edge checks of every
 * request, before any route or plugin (addEdgeHooks).
 */
export async function createHttpApp(
  module: Type | import('@nestjs/common').DynamicModule,
  logger: LoggerService,
  opts: HttpAppOptions = {},
): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({ keepAliveTimeout: 65_000, bodyLimit: 1_048_576 });
  addEdgeHooks(adapter.getInstance() as unknown as FastifyInstance, opts);
  return NestFactory.create<NestFastifyApplication>(module, adapter, { logger, bufferLogs: false });
}

/**
 * One onRequest hook on the root instance, ahead of every route and plugin (one call per request:
 * the hot route serves tens of thousands a second): the security headers (nosniff on every answer,
 * and CSP with frame-ancestors, X-Frame-Options and Referrer-Policy on all but the JSON-only
 * /users/ answers, where they would only add bytes); the throttle of failed credentials; the public
 * rate limit when set; the CSRF guard on state-changing requests (Bearer only, JSON bodies only,
 * same origin). Then the request deadline, route by route, left off the routes that bound their own reads.
 */
export function addEdgeHooks(fastify: FastifyInstance, opts: HttpAppOptions): void {
  const failures =
    opts.authFailureLimit && opts.authFailureWindowMs ? new FailureWindow(opts.authFailureLimit, opts.authFailureWindowMs) : null;
  const rate = opts.publicRateLimit ?? 0;
  const buckets = rate > 0 ? new TokenBuckets(rate, Math.max(1, opts.publicRateBurst ?? rate * 2)) : null;
  fastify.addHook('onRequest', (request, reply, done) => {
    reply.headers(request.url.startsWith(JSON_ONLY_PREFIX) ? NOSNIFF : DOCUMENT_HEADERS);
    const refusal: EdgeRefusal | null =
      (failures && throttleRefusal(failures, request)) || (buckets && rateRefusal(buckets, rate, request)) || stateChangeRefusal(request);
    if (!refusal) {
      done();
      return;
    }
    if (refusal.retryAfterS !== undefined) void reply.header('retry-after', String(refusal.retryAfterS));
    void reply
      .code(refusal.status)
      .send({ statusCode: refusal.status, error: REASONS[refusal.status] ?? 'Error', message: refusal.message });
  });
  if (failures) {
    fastify.addHook('onResponse', (request, reply, done) => {
      countFailure(failures, request, reply);
      done();
    });
  }
  if (opts.requestTimeoutMs) addRequestDeadline(fastify, opts.requestTimeoutMs);
}

const REASONS: Record<number, string> = { 403: 'Forbidden', 415: 'Unsupported Media Type', 429: 'Too Many Requests' };

/**
 * A request still unanswered after `ms` gets 503 with Retry-After, whatever its handler waits for (a
 * stalled store, a lost connection). Route-level hooks, added to each route as it is declared (a
 * route with `config.requestDeadline === false` gets none), and one sweep timer for all requests
 * rather than a timer each.
 */
export function addRequestDeadline(fastify: FastifyInstance, ms: number): void {
  const pending = new Map<FastifyReply, number>();
  const sweepEvery = Math.max(10, Math.min(250, Math.floor(ms / 4)));
  let timer: NodeJS.Timeout | undefined;
  const sweep = () => {
    const now = Date.now();
    for (const [reply, deadline] of pending) {
      if (deadline > now) continue;
      pending.delete(reply);
      if (reply.sent || reply.raw.headersSent || reply.raw.destroyed) continue;
      void reply
        .code(503)
        .header('retry-after', String(Math.ceil(ms / 1000)))
        .send({
          statusCode: 503,
          error: 'Service Unavailable',
          message: `no answer within ${ms} ms: a dependency is slow or unreachable; try again`,
        });
    }
    if (pending.size === 0 && timer) {
      clearInterval(timer);
      timer = undefined;
    }
  };
  const onRequest: onRequestHookHandler = (_request, reply, done) => {
    pending.set(reply, Date.now() + ms);
    if (!timer) {
      timer = setInterval(sweep, sweepEvery);
      timer.unref();
    }
    done();
  };
  const onResponse: onResponseHookHandler = (_request, reply, done) => {
    pending.delete(reply);
    done();
  };
  const onRequestAbort: onRequestAbortHookHandler = (request, done) => {
    for (const reply of pending.keys()) if (reply.request === request) pending.delete(reply);
    done();
  };
  // Route-level, abort included: an onRequestAbort hook costs a listener on every request it covers.
  fastify.addHook('onRoute', (route) => {
    if ((route.config as EdgeRouteConfig | undefined)?.requestDeadline === false) return;
    route.onRequest = [...asArray(route.onRequest), onRequest];
    route.onResponse = [...asArray(route.onResponse), onResponse];
    route.onRequestAbort = [...asArray(route.onRequestAbort), onRequestAbort];
  });
  fastify.addHook('onClose', (_instance, done) => {
    if (timer) clearInterval(timer);
    timer = undefined;
    pending.clear();
    done();
  });
}

function asArray<T>(x: T | T[] | undefined): T[] {
  return x === undefined ? [] : Array.isArray(x) ? x : [x];
}
