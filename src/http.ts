import type { LoggerService, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { addCredentialThrottle, addSecurityHeaders } from './auth/credential-throttle.js';
import { addPublicRateLimit } from './auth/rate-limit.js';
import { addStateChangeGuard } from './auth/state-change-guard.js';

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

/**
 * A Nest application on Fastify, with the process's JSON logger; before any route or plugin: the
 * security headers, the throttle of failed credentials, the CSRF guard on state-changing requests
 * (Bearer only, JSON bodies only, same origin), and a deadline on every request.
 */
export async function createHttpApp(module: Type | import('@nestjs/common').DynamicModule, logger: LoggerService, opts: HttpAppOptions = {}): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({ keepAliveTimeout: 65_000, bodyLimit: 1_048_576 });
  const fastify = adapter.getInstance() as unknown as FastifyInstance;
  addSecurityHeaders(fastify);
  if (opts.authFailureLimit && opts.authFailureWindowMs) addCredentialThrottle(fastify, opts.authFailureLimit, opts.authFailureWindowMs);
  if (opts.publicRateLimit) addPublicRateLimit(fastify, opts.publicRateLimit, opts.publicRateBurst ?? opts.publicRateLimit * 2);
  addStateChangeGuard(fastify);
  if (opts.requestTimeoutMs) addRequestDeadline(fastify, opts.requestTimeoutMs);
  return NestFactory.create<NestFastifyApplication>(module, adapter, { logger, bufferLogs: false });
}

/**
 * A request still unanswered after `ms` gets 503 with Retry-After, whatever its handler waits for (a
 * stalled store, a lost connection). One sweep timer for all requests rather than a timer each: the
 * hot route answers tens of thousands of requests a second.
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
        .send({ statusCode: 503, error: 'Service Unavailable', message: `no answer within ${ms} ms: a dependency is slow or unreachable; try again` });
    }
    if (pending.size === 0 && timer) {
      clearInterval(timer);
      timer = undefined;
    }
  };
  fastify.addHook('onRequest', (_request, reply, done) => {
    pending.set(reply, Date.now() + ms);
    if (!timer) {
      timer = setInterval(sweep, sweepEvery);
      timer.unref();
    }
    done();
  });
  const settle = (reply: FastifyReply) => void pending.delete(reply);
  fastify.addHook('onResponse', (_request, reply, done) => {
    settle(reply);
    done();
  });
  fastify.addHook('onRequestAbort', (request, done) => {
    for (const reply of pending.keys()) if (reply.request === request) settle(reply);
    done();
  });
  fastify.addHook('onClose', (_instance, done) => {
    if (timer) clearInterval(timer);
    timer = undefined;
    pending.clear();
    done();
  });
}
