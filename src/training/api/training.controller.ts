import { Controller, Get, HttpCode, Post, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AdminGuard } from '../../auth/admin.guard.js';
import { AppConfig } from '../../config/app-config.js';
import { PipelineChain, runDateOf } from '../../pipeline/pipeline-chain.service.js';
import { TrainingRunsRepository } from '../registry/training-runs.repository.js';
import { limitParam, offsetParam, presentRun } from './presenters.js';

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
  async list(@Query('limit', { schema: limitParam }) limit: number, @Query('offset', { schema: offsetParam }) offset: number) {
    const [items, total] = await Promise.all([this.runs.list(limit, offset), this.runs.count()]);
    return { items: items.map(presentRun), total, limit, offset };
  }
}
