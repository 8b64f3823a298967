import { Controller, Get, HttpCode, HttpStatus, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import type { FastifyReply } from 'fastify';
import { DEPENDENCIES, HealthService, type Dependency } from './health.service.js';

/**
 * Kubernetes-style: /health/live (the process answers), /health/ready (dependencies: 503 naming the
 * one that is down), /health (dependencies and data freshness: stale data is 200 "degraded", since
 * restarting or unrouting the process would not make the data fresher; a dependency down is 503).
 */
@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly terminus: HealthCheckService,
    private readonly indicator: HealthIndicatorService,
    private readonly health: HealthService,
  ) {}

  @Get('live')
  @ApiOperation({ summary: 'Liveness: the process answers' })
  @HealthCheck()
  live() {
    return this.terminus.check([]);
  }

  /** MongoDB ping, Redis ping, every BullMQ queue's connection; each within HEALTH_CHECK_TIMEOUT_MS. */
  @Get('ready')
  @ApiOperation({ summary: 'Readiness: MongoDB, Redis and every queue connection; 503 naming the one down' })
  @HealthCheck()
  ready() {
    return this.terminus.check(DEPENDENCIES.map((dep) => () => this.probe(dep)));
  }

  @Get()
  @ApiOperation({ summary: 'Dependencies and data freshness: 200 ok or degraded (stale data), 503 when a dependency is down' })
  @HttpCode(HttpStatus.OK)
  async overall(@Res({ passthrough: true }) reply: FastifyReply) {
    const dependencies = await this.health.checkAll();
    const down = Object.entries(dependencies)
      .filter(([, s]) => s.status === 'down')
      .map(([name]) => name);
    let freshness;
    try {
      freshness = await this.health.freshness();
    } catch (err) {
      freshness = { status: 'unknown' as const, message: (err as Error).message };
    }
    const status = down.length > 0 ? 'error' : freshness.status === 'ok' ? 'ok' : 'degraded';
    if (status === 'error') reply.status(HttpStatus.SERVICE_UNAVAILABLE);
    return { status, ...(down.length > 0 ? { down } : {}), dependencies, freshness };
  }

  private async probe(dep: Dependency): Promise<HealthIndicatorResult> {
    const check = this.indicator.check(dep);
    const result = await this.health.check(dep);
    return result.status === 'up' ? check.up() : check.down({ message: result.message });
  }
}
