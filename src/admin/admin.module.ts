import { Module, type DynamicModule } from '@nestjs/common';
import type { RoleParts } from '../roles.js';
import { AdminHttpSetup } from './bull-board.setup.js';
import { DashboardController } from './dashboard.controller.js';
import { DashboardService } from './dashboard.service.js';

/** Bull Board at /admin/queues and the /admin dashboard, behind the admin credential; API role only. */
@Module({})
export class AdminModule {
  static register(parts: Pick<RoleParts, 'api'>): DynamicModule {
    if (!parts.api) return { module: AdminModule };
    return { module: AdminModule, controllers: [DashboardController], providers: [DashboardService, AdminHttpSetup] };
  }
}
