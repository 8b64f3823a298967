import { Module, type DynamicModule } from '@nestjs/common';
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
      controllers: [DashboardController, DashboardApiController, DashboardAssetsController],
      providers: [DashboardService, AdminHttpSetup, DashboardRepository, DashboardApiService, CacheHitSampler],
    };
  }
}
