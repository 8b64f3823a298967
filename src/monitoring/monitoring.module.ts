import { Global, Module } from '@nestjs/common';
import { PrometheusModule } from '@willsoto/nestjs-prometheus';
import { PipelineMetrics } from './pipeline-metrics.js';

/** /metrics (Node process metrics and every pipeline metric) and the PipelineMetrics service. */
@Global()
@Module({
  imports: [PrometheusModule.register({ path: '/metrics', defaultMetrics: { enabled: true, config: { prefix: 'moovitamix_process_' } } })],
  providers: [PipelineMetrics],
  exports: [PipelineMetrics],
})
export class MonitoringModule {}
