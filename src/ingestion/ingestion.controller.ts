import { Body, Controller, Get, HttpCode, NotFoundException, Param, Post, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { AdminGuard } from '../auth/admin.guard.js';
import { enumParam, intParam, optionalJsonBody, patternParam } from '../common/request-validation.js';
import { AppConfig } from '../config/app-config.js';
import { PipelineChain, runDateOf } from '../pipeline/pipeline-chain.service.js';
import { JobName, QueueName } from '../queues/job-catalogue.js';
import { runDateField } from '../queues/job-payloads.js';
import { JobQueue } from '../queues/job-queue.service.js';
import { ENDPOINTS, type Endpoint } from './endpoints.js';
import { IngestionRunsRepository } from './ingestion-runs.repository.js';
import { FINAL_STATUSES, type RunStatus } from './ingestion.schemas.js';

const STATUSES: readonly RunStatus[] = ['running', 'retrying', ...FINAL_STATUSES];

/**
 * A run id is an ingestion job id: `ingestion-<date>[-<trigger>-<ms>]`, or BullMQ's numeric id. Anything
 * else is refused before Redis is asked: BullMQ keeps its own keys beside the jobs' (`meta`,
 * `stalled-check`, `events`...), and reading one of them as a job made up a run or failed with 500.
 */
const RUN_ID = /^(ingestion-[A-Za-z0-9_.:-]{1,120}|\d{1,20})$/;

const runIdParam = patternParam(RUN_ID, 'must be an ingestion job id (ingestion-YYYY-MM-DD...)');

/** Body of POST /ingestion/runs (`runDate` is read as its old spelling). */
const startBody = optionalJsonBody({ run_date: runDateField, runDate: runDateField }, '{"run_date": "2026-11-26"}');

/** Operating the daily ingestion: trigger a run, read run records and their rejected records. */
@ApiTags('ingestion')
@ApiBearerAuth()
@Controller('ingestion/runs')
@UseGuards(AdminGuard)
export class IngestionController {
  constructor(
    private readonly config: AppConfig,
    private readonly chain: PipelineChain,
    private readonly runs: IngestionRunsRepository,
    private readonly jobs: JobQueue,
  ) {}

  @Post()
  @HttpCode(202)
  @ApiOperation({ summary: 'Enqueue an ingestion run now (body: optional {"run_date": "YYYY-MM-DD"}, default today in TZ_CRON)' })
  @ApiBody({ required: false })
  async start(@Body({ schema: startBody }) body: z.output<typeof startBody>) {
    const runDate = body.run_date ?? body.runDate ?? runDateOf(new Date(), this.config.TZ_CRON);
    const r = await this.chain.startIngestion(runDate, 'api');
    return { run_id: r.jobId, run_date: runDate, created: r.created, status_url: `/ingestion/runs/${encodeURIComponent(r.jobId)}` };
  }

  @Get()
  @ApiOperation({ summary: 'Ingestion runs, newest first' })
  async list(
    @Query('limit', { schema: intParam(1, 200, 20) }) limit: number,
    @Query('status', { schema: enumParam(STATUSES) }) status: RunStatus | undefined,
  ) {
    return { items: await this.runs.list(limit, status), limit };
  }

  @Get(':id')
  @ApiOperation({ summary: 'One ingestion run: its record, or its queue state while it waits to start' })
  async get(@Param('id', { schema: runIdParam }) id: string) {
    const run = await this.runs.get(id);
    if (run) return run;
    const job = await this.jobs.queue(QueueName.Ingestion).getJob(id);
    if (!job || job.name !== JobName.IngestionRun) throw new NotFoundException(`no ingestion run ${id}`);
    return {
      _id: id,
      status: 'queued',
      job_state: await job.getState(),
      run_date: (job.data as { runDate?: string }).runDate,
      trigger: (job.data as { trigger?: string }).trigger,
    };
  }

  @Get(':id/rejected')
  @ApiOperation({ summary: 'Records of a run that broke the contract, with the reasons' })
  async rejected(
    @Param('id', { schema: runIdParam }) id: string,
    @Query('endpoint', { schema: enumParam(ENDPOINTS) }) endpoint: Endpoint | undefined,
    @Query('limit', { schema: intParam(1, 1000, 100) }) limit: number,
  ) {
    if (!(await this.runs.get(id))) throw new NotFoundException(`no ingestion run ${id}`);
    return { items: await this.runs.rejectedOf(id, endpoint, limit) };
  }
}
