import { BadRequestException, Controller, Get, NotFoundException, Param, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiParam, ApiQuery, ApiTags } from '@nestjs/swagger';
import { AdminGuard } from '../auth/admin.guard.js';
import { IngestionChartsDto, ModelsChartsDto, RecommendationChartsDto, UserViewDto } from './dashboard-api.dto.js';
import { BadRangeError, DashboardApiService, DEFAULT_RANGE_DAYS, MAX_RANGE_DAYS, parseRangeDays } from './dashboard-api.service.js';

const rangeQuery = { name: 'days', required: false, description: `Days back from now, 1..${MAX_RANGE_DAYS} (${DEFAULT_RANGE_DAYS})` };

function days(raw: string | undefined): number {
  try {
    return parseRangeDays(raw);
  } catch (err) {
    if (err instanceof BadRangeError) throw new BadRequestException(err.message);
    throw err;
  }
}

/** The JSON behind the /admin dashboard's charts (also behind the /admin hook; the guard keeps the rule explicit here). */
@ApiTags('admin dashboard')
@ApiBearerAuth()
@Controller('admin/api')
@UseGuards(AdminGuard)
export class DashboardApiController {
  constructor(private readonly dashboard: DashboardApiService) {}

  @Get('ingestion')
  @ApiOperation({ summary: 'Ingestion over time: records per endpoint, durations, retries, rejected and anomalous runs per run (at most 180 points), and the last run' })
  @ApiQuery(rangeQuery)
  @ApiOkResponse({ type: IngestionChartsDto })
  ingestion(@Query('days') raw?: string) {
    return this.dashboard.ingestion(days(raw));
  }

  @Get('recommendations')
  @ApiOperation({ summary: 'Recommendations over time: coverage, freshness, users recomputed per run and variant, cache hit ratio, A/B variants\' live hit rates' })
  @ApiQuery(rangeQuery)
  @ApiOkResponse({ type: RecommendationChartsDto })
  recommendations(@Query('days') raw?: string) {
    return this.dashboard.recommendations(days(raw));
  }

  @Get('models')
  @ApiOperation({ summary: 'Model versions (timeline, family, settings, offline metrics beside popularity), drift per feature, and every gate and rollout decision with its reason' })
  @ApiQuery(rangeQuery)
  @ApiOkResponse({ type: ModelsChartsDto })
  models(@Query('days') raw?: string) {
    return this.dashboard.models(days(raw));
  }

  @Get('users/:userId')
  @ApiOperation({ summary: 'One user: recent listens and the newest playlist, with why each track is in it (source list, score, genre)' })
  @ApiParam({ name: 'userId', description: 'The source user id (an integer)' })
  @ApiOkResponse({ type: UserViewDto })
  @ApiNotFoundResponse({ description: 'No user, listen history or playlist with this id' })
  async user(@Param('userId') raw: string) {
    if (!/^\d{1,15}$/.test(raw)) throw new BadRequestException(`userId must be a non-negative integer, got ${JSON.stringify(raw)}`);
    const view = await this.dashboard.user(Number(raw));
    if (!view) throw new NotFoundException(`no user ${raw}: no user record, listen history or playlist`);
    return view;
  }
}
