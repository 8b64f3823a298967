import { BadRequestException, Body, Controller, Get, HttpCode, NotFoundException, Param, Post, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { AdminGuard } from '../auth/admin.guard.js';
import { AppConfig } from '../config/app-config.js';
import { PipelineChain, runDateOf } from '../pipeline/pipeline-chain.service.js';
import { QueueName } from '../queues/job-catalogue.js';
import { JobQueue } from '../queues/job-queue.service.js';
import { RecommendationRunsRepository } from './recommendation-runs.repository.js';
import type { RunStatus } from './recommendation.schemas.js';
import { badParameter, parseIntParam } from './request-params.js';

const STATUSES: readonly RunStatus[] = ['running', 'succeeded', 'completed', 'failed'];

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
  @ApiOperation({ summary: 'Enqueue a recommendation run now (body: optional {"run_date": "YYYY-MM-DD", "force": true} to recompute everyone)' })
  async start(@Body() body: unknown) {
    const { runDate, force } = parseStartBody(body);
    const date = runDate ?? runDateOf(new Date(), this.config.TZ_CRON);
    const r = await this.chain.startRecommendations(date, 'api', force ? { force: true, reason: 'forced by an operator' } : {});
    return { run_id: r.jobId, run_date: date, force, created: r.created, status_url: `/recommendations/runs/${encodeURIComponent(r.jobId)}` };
  }

  @Get()
  @ApiOperation({ summary: 'Recommendation runs, newest first' })
  @ApiQuery({ name: 'limit', required: false, description: '1..200 (20)' })
  @ApiQuery({ name: 'status', required: false, description: STATUSES.join(', ') })
  async list(@Query('limit') limit?: string, @Query('status') status?: string) {
    const n = parseIntParam('limit', limit, 1, 200, 20);
    if (status !== undefined && !STATUSES.includes(status as RunStatus)) throw badParameter('status', `must be one of ${STATUSES.join(', ')}, got ${JSON.stringify(status)}`);
    return { items: await this.runs.list(n, status as RunStatus | undefined), limit: n };
  }

  @Get(':id')
  @ApiOperation({ summary: 'One recommendation run: its record, or its queue state while it waits to start' })
  async get(@Param('id') id: string) {
    const run = await this.runs.get(id);
    if (run) return run;
    const job = await this.jobs.queue(QueueName.Recommendations).getJob(id);
    if (!job) throw new NotFoundException(`no recommendation run ${id}`);
    return { _id: id, status: 'queued', job_state: await job.getState(), run_date: (job.data as { runDate?: string }).runDate, trigger: (job.data as { trigger?: string }).trigger };
  }
}

function parseStartBody(body: unknown): { runDate?: string; force: boolean } {
  if (body === undefined || body === null || body === '') return { force: false };
  if (typeof body !== 'object' || Array.isArray(body)) throw new BadRequestException('the body must be a JSON object, e.g. {"run_date": "2026-11-26", "force": true}');
  const b = body as Record<string, unknown>;
  const date = b.run_date ?? b.runDate;
  if (date !== undefined && (typeof date !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(date) || Number.isNaN(Date.parse(`${date}T00:00:00Z`)))) {
    throw badParameter('run_date', 'must be a date YYYY-MM-DD');
  }
  if (b.force !== undefined && typeof b.force !== 'boolean') throw badParameter('force', 'must be true or false');
  return { runDate: date as string | undefined, force: b.force === true };
}
