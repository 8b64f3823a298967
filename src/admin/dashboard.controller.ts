import { Controller, Get, Header, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { AdminGuard } from '../auth/admin.guard.js';
import { renderDashboard } from './dashboard.html.js';
import { DashboardService } from './dashboard.service.js';

/** The pipeline dashboard (also behind the /admin hook; the guard keeps the rule explicit here). */
@ApiTags('admin dashboard')
@ApiBearerAuth()
@Controller('admin')
@UseGuards(AdminGuard)
export class DashboardController {
  constructor(private readonly dashboard: DashboardService) {}

  @Get()
  @ApiOperation({ summary: 'The dashboard page (HTML; also HTTP Basic with the token as password); its charts read /admin/api/*' })
  @ApiProduces('text/html')
  @Header('Content-Type', 'text/html; charset=utf-8')
  async page(): Promise<string> {
    return renderDashboard(await this.dashboard.summary());
  }

  @Get('summary')
  @ApiOperation({ summary: 'The figures the page is rendered with: recent runs per stage, the production model, the queues' })
  summary() {
    return this.dashboard.summary();
  }
}
