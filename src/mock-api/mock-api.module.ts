import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { AdminGuard } from '../auth/admin.guard.js';
import { ConfigModule } from '../config/config.module.js';
import type { Settings } from '../config/settings.js';
import { MockAdminController } from './admin/mock-admin.controller.js';
import { MockControlController } from './admin/mock-control.controller.js';
import { DocsController } from './docs/docs.controller.js';
import { FastApiErrorsFilter } from './fastapi-errors.filter.js';
import { FaultInjector } from './serving/fault-injector.js';
import { MockSourceService } from './serving/mock-source.service.js';
import { SourceController } from './serving/source.controller.js';

/**
 * The MooVitamix source API as a mock (docs/mock-api.md): its own Nest app on MOCK_PORT, needing
 * neither MongoDB nor Redis. MOCK_MODE picks classic, living or replay data.
 */
/** POST /mock/advance and /mock/faults: off in production unless MOCK_CONTROL_ROUTES=on. */
export function mockControlRoutes(settings: Pick<Settings, 'MOCK_CONTROL_ROUTES' | 'NODE_ENV'>): boolean {
  return settings.MOCK_CONTROL_ROUTES === 'on' || (settings.MOCK_CONTROL_ROUTES === 'auto' && settings.NODE_ENV !== 'production');
}

@Module({})
export class MockApiModule {
  static forRoot(settings: Settings): DynamicModule {
    return {
      module: MockApiModule,
      imports: [ConfigModule.forRoot(settings)],
      controllers: [SourceController, MockAdminController, ...(mockControlRoutes(settings) ? [MockControlController] : []), DocsController],
      providers: [MockSourceService, FaultInjector, AdminGuard, { provide: APP_FILTER, useClass: FastApiErrorsFilter }],
    };
  }
}
