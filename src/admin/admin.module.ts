import { Module, type DynamicModule } from '@nestjs/common';
import { CatalogModule } from '../catalog/catalog.module.js';
import { MetricsModule } from '../monitoring/metrics.module.js';
import { MonitoringModule } from '../monitoring/monitoring.module.js';
import { RecommendationStoreModule } from '../recommendations/recommendation-store.module.js';
import type { RoleParts } from '../roles.js';
import { AdminHttpSetup } from './bull-board.setup.js';
import { CacheHitSampler } from './cache-hit-sampler.js';
import { DashboardApiController } from './dashboard-api.controller.js';
import { DashboardApiService } from './dashboard-api.service.js';
import { DashboardAssetsController } from './dashboard-assets.controller.js';
import { DashboardController } from './dashboard.controller.js';
import { DashboardRepository } from './dashboard.repository.js';
import { DashboardService } from './dashboard.service.js';

/** Bull Board at /admin/queues, the /admin dashboard, its JSON (/admin/api/*) and files (/admin/assets/*), behind the admin credential; API role only. */
@Module({})
export class AdminModule {
  static register(parts: Pick<RoleParts, 'api'>): DynamicModule {
    if (!parts.api) return { module: AdminModule };
    return {
      module: AdminModule,
      // Run records and model versions through MonitoringModule; users, listens and tracks through CatalogModule; playlists through RecommendationStoreModule.
      imports: [MonitoringModule, MetricsModule, CatalogModule, RecommendationStoreModule],
      controllers: [DashboardController, DashboardApiController, DashboardAssetsController],
      providers: [DashboardService, AdminHttpSetup, DashboardRepository, DashboardApiService, CacheHitSampler],
    };
  }
}
