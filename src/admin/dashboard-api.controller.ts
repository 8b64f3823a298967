import { Controller, Get, NotFoundException, Param, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AdminGuard } from '../auth/admin.guard.js';
import { intParam, userIdParam } from '../common/request-validation.js';
import { IngestionChartsDto, ModelsChartsDto, RecommendationChartsDto, UserViewDto } from './dashboard-api.dto.js';
import { DashboardApiService, DEFAULT_RANGE_DAYS, MAX_RANGE_DAYS } from './dashboard-api.service.js';

/** `days` of every chart: days back from now. */
export const daysParam = intParam(
  1,
  MAX_RANGE_DAYS,
  DEFAULT_RANGE_DAYS,
  `Days back from now, 1..${MAX_RANGE_DAYS} (${DEFAULT_RANGE_DAYS})`,
);

/** The JSON behind the /admin dashboard's charts (also behind the /admin hook; the guard keeps the rule explicit here). */
@ApiTags('admin dashboard')
@ApiBearerAuth()
@Controller('admin/api')
@UseGuards(AdminGuard)
export class DashboardApiController {
  constructor(private readonly dashboard: DashboardApiService) {}

  @Get('ingestion')
  @ApiOperation({
    summary:
      'Ingestion over time: records per endpoint, durations, retries, rejected and anomalous runs per run (at most 180 points), and the last run',
  })
  @ApiOkResponse({ type: IngestionChartsDto })
  ingestion(@Query('days', { schema: daysParam }) days: number) {
    return this.dashboard.ingestion(days);
  }

  @Get('recommendations')
  @ApiOperation({
    summary:
      "Recommendations over time: coverage, freshness, users recomputed per run and variant, cache hit ratio, A/B variants' live hit rates",
  })
  @ApiOkResponse({ type: RecommendationChartsDto })
  recommendations(@Query('days', { schema: daysParam }) days: number) {
    return this.dashboard.recommendations(days);
  }

  @Get('models')
  @ApiOperation({
    summary:
      'Model versions (timeline, family, settings, offline metrics beside popularity), drift per feature, and every gate and rollout decision with its reason',
  })
  @ApiOkResponse({ type: ModelsChartsDto })
  models(@Query('days', { schema: daysParam }) days: number) {
    return this.dashboard.models(days);
  }

  @Get('users/:userId')
  @ApiOperation({ summary: 'One user: recent listens and the newest playlist, with why each track is in it (source list, score, genre)' })
  @ApiOkResponse({ type: UserViewDto })
  @ApiNotFoundResponse({ description: 'No user, listen history or playlist with this id' })
  async user(@Param('userId', { schema: userIdParam }) userId: number) {
    const view = await this.dashboard.user(userId);
    if (!view) throw new NotFoundException(`no user ${userId}: no user record, listen history or playlist`);
    return view;
  }
}
