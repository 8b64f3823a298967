import { Body, Controller, Get, HttpCode, NotFoundException, Param, Post, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { AdminGuard } from '../auth/admin.guard.js';
import { enumParam, intParam, optionalJsonBody } from '../common/request-validation.js';
import { AppConfig } from '../config/app-config.js';
import { PipelineChain, runDateOf } from '../pipeline/pipeline-chain.service.js';
import { QueueName } from '../queues/job-catalogue.js';
import { runDateField } from '../queues/job-payloads.js';
import { JobQueue } from '../queues/job-queue.service.js';
import { RecommendationRunsRepository } from './recommendation-runs.repository.js';
import type { RunStatus } from './recommendation.schemas.js';

const STATUSES: readonly RunStatus[] = ['running', 'succeeded', 'completed', 'failed'];

/** Body of POST /recommendations/runs (`runDate` is read as its old spelling). */
const startBody = optionalJsonBody(
  { run_date: runDateField, runDate: runDateField, force: z.boolean({ error: 'must be true or false' }).optional() },
  '{"run_date": "2026-11-26", "force": true}',
);

/** Operating the recommendation runs: trigger one, read the run records. */
@ApiTags('recommendations')
@ApiBearerAuth()
@Controller('recommendations/runs')
@UseGuards(AdminGuard)
export class RecommendationRunsController {
  constructor(
    private readonly config: AppConfig,
    private readonly chain: PipelineChain,
    private readonly runs: RecommendationRunsRepository,
    private readonly jobs: JobQueue,
  ) {}

  @Post()
  @HttpCode(202)
  @ApiOperation({
    summary: 'Enqueue a recommendation run now (body: optional {"run_date": "YYYY-MM-DD", "force": true} to recompute everyone)',
  })
  @ApiBody({ required: false })
  async start(@Body({ schema: startBody }) body: z.output<typeof startBody>) {
    const force = body.force === true;
    const date = body.run_date ?? body.runDate ?? runDateOf(new Date(), this.config.TZ_CRON);
    const r = await this.chain.startRecommendations(date, 'api', force ? { force: true, reason: 'forced by an operator' } : {});
    return {
      run_id: r.jobId,
      run_date: date,
      force,
      created: r.created,
      status_url: `/recommendations/runs/${encodeURIComponent(r.jobId)}`,
    };
  }

  @Get()
  @ApiOperation({ summary: 'Recommendation runs, newest first' })
  async list(
    @Query('limit', { schema: intParam(1, 200, 20) }) limit: number,
    @Query('status', { schema: enumParam(STATUSES) }) status: RunStatus | undefined,
  ) {
    return { items: await this.runs.list(limit, status), limit };
  }

  @Get(':id')
  @ApiOperation({ summary: 'One recommendation run: its record, or its queue state while it waits to start' })
  async get(@Param('id') id: string) {
    const run = await this.runs.get(id);
    if (run) return run;
    const job = await this.jobs.queue(QueueName.Recommendations).getJob(id);
    if (!job) throw new NotFoundException(`no recommendation run ${id}`);
    return {
      _id: id,
      status: 'queued',
      job_state: await job.getState(),
      run_date: (job.data as { runDate?: string }).runDate,
      trigger: (job.data as { trigger?: string }).trigger,
    };
  }
}
