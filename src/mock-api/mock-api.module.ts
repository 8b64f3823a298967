import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { AdminGuard } from '../auth/admin.guard.js';
import { ConfigModule } from '../config/config.module.js';
import type { Settings } from '../config/settings.js';
import { MockAdminController } from './admin/mock-admin.controller.js';
import { DocsController } from './docs/docs.controller.js';
import { FastApiErrorsFilter } from './fastapi-errors.filter.js';
import { FaultInjector } from './serving/fault-injector.js';
import { MockSourceService } from './serving/mock-source.service.js';
import { SourceController } from './serving/source.controller.js';

/**
 * The MooVitamix source API as a mock (docs/mock-api.md): its own Nest app on MOCK_PORT, needing
 * neither MongoDB nor Redis. MOCK_MODE picks classic, living or replay data.
 */
@Module({})
export class MockApiModule {
  static forRoot(settings: Settings): DynamicModule {
    return {
      module: MockApiModule,
      imports: [ConfigModule.forRoot(settings)],
      controllers: [SourceController, MockAdminController, DocsController],
      providers: [MockSourceService, FaultInjector, AdminGuard, { provide: APP_FILTER, useClass: FastApiErrorsFilter }],
    };
  }
}
