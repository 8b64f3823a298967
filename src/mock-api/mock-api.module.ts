import { Module, type DynamicModule } from '@nestjs/common';
import { ConfigModule } from '../config/config.module.js';
import type { Settings } from '../config/settings.js';

@Module({})
export class MockApiModule {
  static forRoot(settings: Settings): DynamicModule {
    return { module: MockApiModule, imports: [ConfigModule.forRoot(settings)] };
  }
}
