import { BadRequestException, Body, Controller, Get, HttpCode, NotFoundException, Param, Post, Query, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { AdminGuard } from '../auth/admin.guard.js';
import { AppConfig } from '../config/app-config.js';
import { PipelineChain, runDateOf } from '../pipeline/pipeline-chain.service.js';
import { JobName, QueueName } from '../queues/job-catalogue.js';
import { runDateSchema } from '../queues/job-payloads.js';
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

function checkRunId(id: string): void {
  if (!RUN_ID.test(id)) throw new BadRequestException(`run id must be an ingestion job id (ingestion-YYYY-MM-DD...), got ${JSON.stringify(id.slice(0, 100))}`);
}

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
  async start(@Body() body: unknown) {
    const runDate = parseRunDate(body) ?? runDateOf(new Date(), this.config.TZ_CRON);
    const r = await this.chain.startIngestion(runDate, 'api');
    return { run_id: r.jobId, run_date: runDate, created: r.created, status_url: `/ingestion/runs/${encodeURIComponent(r.jobId)}` };
  }

  @Get()
  @ApiOperation({ summary: 'Ingestion runs, newest first' })
  @ApiQuery({ name: 'limit', required: false, description: '1..200 (20)' })
  @ApiQuery({ name: 'status', required: false, description: STATUSES.join(', ') })
  async list(@Query('limit') limit?: string, @Query('status') status?: string) {
    const n = limit === undefined ? 20 : Number(limit);
    if (!Number.isInteger(n) || n < 1 || n > 200) throw new BadRequestException('limit must be an integer from 1 to 200');
    if (status !== undefined && !STATUSES.includes(status as RunStatus)) throw new BadRequestException(`status must be one of ${STATUSES.join(', ')}`);
    return { items: await this.runs.list(n, status as RunStatus | undefined), limit: n };
  }

  @Get(':id')
  @ApiOperation({ summary: 'One ingestion run: its record, or its queue state while it waits to start' })
  async get(@Param('id') id: string) {
    checkRunId(id);
    const run = await this.runs.get(id);
    if (run) return run;
    const job = await this.jobs.queue(QueueName.Ingestion).getJob(id);
    if (!job || job.name !== JobName.IngestionRun) throw new NotFoundException(`no ingestion run ${id}`);
    return { _id: id, status: 'queued', job_state: await job.getState(), run_date: (job.data as { runDate?: string }).runDate, trigger: (job.data as { trigger?: string }).trigger };
  }

  @Get(':id/rejected')
  @ApiOperation({ summary: 'Records of a run that broke the contract, with the reasons' })
  @ApiQuery({ name: 'endpoint', required: false, description: ENDPOINTS.join(', ') })
  @ApiQuery({ name: 'limit', required: false, description: '1..1000 (100)' })
  async rejected(@Param('id') id: string, @Query('endpoint') endpoint?: string, @Query('limit') limit?: string) {
    const n = limit === undefined ? 100 : Number(limit);
    if (!Number.isInteger(n) || n < 1 || n > 1000) throw new BadRequestException('limit must be an integer from 1 to 1000');
    if (endpoint !== undefined && !ENDPOINTS.includes(endpoint as Endpoint)) throw new BadRequestException(`endpoint must be one of ${ENDPOINTS.join(', ')}`);
    checkRunId(id);
    if (!(await this.runs.get(id))) throw new NotFoundException(`no ingestion run ${id}`);
    return { items: await this.runs.rejectedOf(id, endpoint as Endpoint | undefined, n) };
  }
}

function parseRunDate(body: unknown): string | undefined {
  if (body === undefined || body === null || body === '') return undefined;
  if (typeof body !== 'object') throw new BadRequestException('the body must be a JSON object, e.g. {"run_date": "2026-11-26"}');
  const v = (body as Record<string, unknown>).run_date ?? (body as Record<string, unknown>).runDate;
  if (v === undefined) return undefined;
  // The same schema the job's runDate is checked with, wherever the job comes from.
  const parsed = runDateSchema.safeParse(v);
  if (!parsed.success) throw new BadRequestException(`run_date must be a date YYYY-MM-DD: ${parsed.error.issues[0]!.message}`);
  return parsed.data;
}
