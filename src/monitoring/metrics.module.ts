import { Module } from '@nestjs/common';
import { PrometheusModule } from '@willsoto/nestjs-prometheus';
import { ConnectionErrorLog } from './connection-error-log.service.js';
import { HttpMetricsHook } from './http-metrics.js';
import { METRIC_PREFIX, PipelineMetrics } from './pipeline-metrics.js';

/**
 * /metrics (Node process metrics as moovitamix_process_* and moovitamix_nodejs_*, and every pipeline
 * metric) in every role, the PipelineMetrics service, the HTTP duration hook and the connection-error
 * log. Reads no collection: every module that moves a metric imports it.
 */
@Module({
  imports: [PrometheusModule.register({ path: '/metrics', defaultMetrics: { enabled: true, config: { prefix: METRIC_PREFIX } } })],
  providers: [PipelineMetrics, HttpMetricsHook, ConnectionErrorLog],
  exports: [PipelineMetrics, ConnectionErrorLog],
})
export class MetricsModule {}
