import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { MonitoringModule } from '../monitoring/monitoring.module.js';
import { HealthController } from './health.controller.js';
import { HealthService } from './health.service.js';

/** /health, /health/live, /health/ready: in every role (the worker and scheduler serve them on METRICS_PORT). */
@Module({
  imports: [TerminusModule.forRoot({ errorLogStyle: 'json' }), MonitoringModule],
  controllers: [HealthController],
  providers: [HealthService],
})
export class HealthModule {}
