import { Controller, Get, Header, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { AdminGuard } from '../auth/admin.guard.js';
import { renderDashboard } from './dashboard.html.js';
import { DashboardService } from './dashboard.service.js';

/** The pipeline dashboard (also behind the /admin hook; the guard keeps the rule explicit here). */
@ApiExcludeController()
@Controller('admin')
@UseGuards(AdminGuard)
export class DashboardController {
  constructor(private readonly dashboard: DashboardService) {}

  @Get()
  @Header('Content-Type', 'text/html; charset=utf-8')
  async page(): Promise<string> {
    return renderDashboard(await this.dashboard.summary());
  }

  @Get('summary')
  summary() {
    return this.dashboard.summary();
  }
}
