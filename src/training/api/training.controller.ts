import { Controller, Get, HttpCode, Post, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { AdminGuard } from '../../auth/admin.guard.js';
import { AppConfig } from '../../config/app-config.js';
import { PipelineChain, runDateOf } from '../../pipeline/pipeline-chain.service.js';
import { TrainingRunsRepository } from '../registry/training-runs.repository.js';
import { parsePaging, presentRun } from './presenters.js';

@ApiTags('training')
@ApiBearerAuth()
@Controller('training')
@UseGuards(AdminGuard)
export class TrainingController {
  constructor(
    private readonly chain: PipelineChain,
    private readonly runs: TrainingRunsRepository,
    private readonly config: AppConfig,
  ) {}

  @Post('runs')
  @HttpCode(202)
  @ApiOperation({ summary: 'Enqueue a retraining run (train, evaluate, gate, canary)' })
  async start() {
    const runDate = runDateOf(new Date(), this.config.TZ_CRON);
    const r = await this.chain.startTraining(runDate, 'api');
    return { job_id: r.jobId, created: r.created, run_date: runDate };
  }

  @Get('runs')
  @ApiOperation({ summary: 'Training runs, newest first' })
  @ApiQuery({ name: 'limit', required: false, description: '1..100 (20)' })
  @ApiQuery({ name: 'offset', required: false, description: '>= 0 (0)' })
  async list(@Query('limit') limit?: string, @Query('offset') offset?: string) {
    const p = parsePaging(limit, offset);
    const [items, total] = await Promise.all([this.runs.list(p.limit, p.offset), this.runs.count()]);
    return { items: items.map(presentRun), total, limit: p.limit, offset: p.offset };
  }
}
