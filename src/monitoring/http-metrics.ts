import { Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { PipelineMetrics } from './pipeline-metrics.js';

/** Label of requests that matched no route (404s): one value, whatever the URL. */
export const UNMATCHED_ROUTE = 'unmatched';

/** The route label of a request: its route template (`/users/:userId/...`), never the raw URL. */
export function routeLabel(request: Pick<FastifyRequest, 'routeOptions'>): string {
  return request.routeOptions?.url || UNMATCHED_ROUTE;
}

/**
 * HTTP request durations by method, route template and status, from a Fastify onResponse hook, so
 * requests answered before a controller (404, 401 from a hook, Bull Board) are counted too.
 */
@Injectable()
export class HttpMetricsHook implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly metrics: PipelineMetrics,
  ) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter?.getInstance<FastifyInstance>();
    if (!fastify?.addHook) return;
    fastify.addHook('onResponse', (request: FastifyRequest, reply: FastifyReply, done: () => void) => {
      this.metrics.httpDuration.with(request.method, routeLabel(request), String(reply.statusCode)).observe(reply.elapsedTime / 1000);
      done();
    });
  }
}
