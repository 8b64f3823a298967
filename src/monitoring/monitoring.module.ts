import { Global, Module } from '@nestjs/common';
import { PrometheusModule } from '@willsoto/nestjs-prometheus';
import { HttpMetricsHook } from './http-metrics.js';
import { METRIC_PREFIX, PipelineMetrics } from './pipeline-metrics.js';
import { ConnectionErrorLog } from './connection-error-log.service.js';
import { RunRecordsRepository } from './run-records.repository.js';
import { ScrapeCollector } from './scrape-collector.service.js';

/**
 * /metrics (Node process metrics as moovitamix_process_* and moovitamix_nodejs_*, and every pipeline metric) in every role, the PipelineMetrics
 * service, the scrape-time gauges (queues, run freshness) and the HTTP duration hook.
 */
@Global()
@Module({
  imports: [PrometheusModule.register({ path: '/metrics', defaultMetrics: { enabled: true, config: { prefix: METRIC_PREFIX } } })],
  providers: [PipelineMetrics, RunRecordsRepository, ScrapeCollector, HttpMetricsHook, ConnectionErrorLog],
  exports: [PipelineMetrics, RunRecordsRepository, ConnectionErrorLog],
})
export class MonitoringModule {}
