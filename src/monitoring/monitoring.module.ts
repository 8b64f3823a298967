import { Module } from '@nestjs/common';
import { IngestionRunsModule } from '../ingestion/ingestion-runs.module.js';
import { RecommendationStoreModule } from '../recommendations/recommendation-store.module.js';
import { ModelRegistryModule } from '../training/registry/model-registry.module.js';
import { MetricsModule } from './metrics.module.js';
import { RunRecordsRepository } from './run-records.repository.js';
import { ScrapeCollector } from './scrape-collector.service.js';

/**
 * What the run records say, for /metrics (the scrape-time gauges: queues, run freshness, the
 * production version), /health and the dashboard: read through the run repositories of the modules
 * that own them.
 */
@Module({
  imports: [MetricsModule, IngestionRunsModule, RecommendationStoreModule, ModelRegistryModule],
  providers: [RunRecordsRepository, ScrapeCollector],
  exports: [RunRecordsRepository],
})
export class MonitoringModule {}
