/**
 * The month in minutes: the whole system over simulated days on the `living` mock. Each day the
 * mock advances, the pipeline ingests and recommends; every `retrainEvery` days it retrains with
 * gate and canary, and a canary is reviewed once CANARY_DAYS simulated days have passed.
 */
import type { INestApplication, LoggerService } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { getConnectionToken } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import { createMockApiApp, createPipelineApp } from '../bootstrap.js';
import type { Settings } from '../config/settings.js';
import { PipelineChain } from '../pipeline/pipeline-chain.service.js';
import { JobName, QueueName } from '../queues/job-catalogue.js';
import { JobQueue } from '../queues/job-queue.service.js';
import { ModelRegistry } from '../training/registry/model-registry.service.js';
import { canaryReviewsOf, type CanaryReviewRecord, type ModelVersionDoc, type TrainingRunDoc } from '../training/registry/registry.schemas.js';
import { TrainingRunsRepository } from '../training/registry/training-runs.repository.js';
import type { TrainingOutcome } from '../training/training.service.js';
import { failedJobs, waitUntilIdle, type FailedJob } from './queue-watch.js';
import { combineRoles } from '../roles.js';

export interface SimulationOptions {
  /** Simulated days to run: day 0 (the starting state, no advance) first, then one advance each. */
  steps: number;
  /** Retrain on every day that is a multiple of this (0: never). */
  retrainEvery: number;
  /** Longest wait for one step (ingestion and its recommendations, a training run). */
  stepTimeoutMs: number;
  onDay?: (row: DayRow) => void;
  onStep?: (day: number, step: string) => void;
}

export interface DayRow {
  day: number;
  date: string;
  /** Records the ingestion run fetched (tracks, users, history records). */
  records: number | null;
  /** New listen events. */
  events: number;
  usersRecomputed: number | null;
  /** Share of users with a playlist. */
  coverage: number | null;
  production: string | null;
  /** Offline NDCG@10 of the production version. */
  ndcg: number | null;
  /** What the day's model work did: training decision, canary review. */
  model: string;
  failures: FailedJob[];
}

export interface TrainingSummary {
  day: number;
  runId: string;
  decision: string;
  version: string | null;
  reason: string;
  candidateNdcg: number | null;
  productionNdcg: number | null;
  popularityNdcg: number | null;
}

/** One canary review: what it decided (promoted, rolled back, waiting) and its record. */
export interface CanarySummary {
  day: number;
  version: string;
  decision: string;
  reason: string;
  review: CanaryReviewRecord | null;
}

/** One canary from start to end: the figures of its last review and how it ended. */
export interface CanaryRunSummary {
  version: string;
  startDay: number;
  /** Simulated day it left canary, or null if still in canary at the end. */
  endDay: number | null;
  /** Days it ran (to the end of the simulation when still in canary). */
  days: number;
  reviews: number;
  /** promoted, rolled back, superseded (a newer candidate replaced it), in canary. */
  outcome: string;
  last: CanaryReviewRecord | null;
}

export interface SimulationResult {
  rows: DayRow[];
  trainings: TrainingSummary[];
  canaryReviews: CanarySummary[];
  canaries: CanaryRunSummary[];
  failures: FailedJob[];
  finalProduction: string | null;
  seconds: number;
}

/** The mock source and the pipeline (API and workers) in this process, on free loopback ports. */
export class SimulatedSystem {
  /** The next simulated day to run: the system can be run on in several calls. */
  private nextDay = 0;
  private readonly canaryStartDay = new Map<string, number>();
  private readonly canaryEndDay = new Map<string, number>();

  private constructor(
    readonly settings: Settings,
    readonly mock: NestFastifyApplication,
    readonly pipeline: NestFastifyApplication,
    readonly mockUrl: string,
    readonly apiUrl: string,
  ) {}

  static async start(base: Settings, logger: LoggerService): Promise<SimulatedSystem> {
    const mock = (await createMockApiApp(base, logger)) as NestFastifyApplication;
    await mock.listen(0, '127.0.0.1');
    const mockUrl = `http://127.0.0.1:${(mock.getHttpServer().address() as { port: number }).port}`;
    const settings: Settings = { ...base, MOCK_API_URL: mockUrl };
    let pipeline: NestFastifyApplication;
    try {
      pipeline = (await createPipelineApp(settings, combineRoles('api', 'worker'), logger)) as NestFastifyApplication;
      await pipeline.listen(0, '127.0.0.1');
    } catch (err) {
      await mock.close();
      throw err;
    }
    const apiUrl = `http://127.0.0.1:${(pipeline.getHttpServer().address() as { port: number }).port}`;
    return new SimulatedSystem(settings, mock, pipeline, mockUrl, apiUrl);
  }

  /** Waits until the queues have no work left but delayed canary reviews. */
  idle(timeoutMs = 300_000): Promise<void> {
    return waitUntilIdle(this.pipeline.get(JobQueue).all(), timeoutMs);
  }

  async close(): Promise<void> {
    const apps: INestApplication[] = [this.pipeline, this.mock];
    for (const a of apps) await a.close();
  }

  private get db() {
    return this.pipeline.get<Connection>(getConnectionToken()).db!;
  }

  private async mockCall(method: 'GET' | 'POST', path: string): Promise<Record<string, unknown>> {
    const res = await fetch(`${this.mockUrl}${path}`, { method, headers: { authorization: `Bearer ${this.settings.ADMIN_TOKEN}` } });
    if (!res.ok) throw new Error(`mock ${method} ${path} answered ${res.status}: ${await res.text()}`);
    return (await res.json()) as Record<string, unknown>;
  }

  async run(o: SimulationOptions): Promise<SimulationResult> {
    const t0 = performance.now();
    const chain = this.pipeline.get(PipelineChain);
    const jobs = this.pipeline.get(JobQueue);
    const registry = this.pipeline.get(ModelRegistry);
    const runs = this.pipeline.get(TrainingRunsRepository);
    const queues = jobs.all();
    const rows: DayRow[] = [];
    const trainings: TrainingSummary[] = [];
    const canaryReviews: CanarySummary[] = [];
    const allFailures: FailedJob[] = [];
    const canaryStartDay = this.canaryStartDay;
    let knownFailed = new Set((await failedJobs(queues)).map((f) => `${f.queue}:${f.id}`));

    for (let step = 0; step < o.steps; step++) {
      const day = this.nextDay++;
      const model: string[] = [];
      if (day > 0) {
        o.onStep?.(day, 'advance');
        await this.mockCall('POST', '/mock/advance?days=1');
      }
      const date = String((await this.mockCall('GET', '/mock/state')).date);
      const dayStart = new Date();

      o.onStep?.(day, 'ingest and recommend');
      await chain.startIngestion(date, 'simulate');
      await waitUntilIdle(queues, o.stepTimeoutMs);

      const canary = await registry.canary();
      if (canary && day - (canaryStartDay.get(canary._id) ?? day) >= this.settings.CANARY_DAYS) {
        o.onStep?.(day, `canary review ${canary._id}`);
        const review = await this.reviewCanary(jobs, canary);
        const after = await registry.get(canary._id);
        const decision = after?.status === 'production' ? 'promoted' : after?.status === 'rejected' ? 'rolled back' : after?.status === 'canary' ? 'waiting' : String(after?.status);
        canaryReviews.push({ day, version: canary._id, decision, reason: review, review: canaryReviewsOf(after?.canary).at(-1) ?? null });
        model.push(`canary ${decision}`);
        await waitUntilIdle(queues, o.stepTimeoutMs);
      }

      if (o.retrainEvery > 0 && day > 0 && day % o.retrainEvery === 0) {
        o.onStep?.(day, 'retrain');
        const { jobId } = await chain.startTraining(date, 'simulate');
        await jobs.waitForJob(JobName.TrainingRun, jobId, o.stepTimeoutMs, 250);
        const [run] = await runs.byJob(jobId);
        const job = await jobs.queue(QueueName.Training).getJob(jobId);
        const outcome = job?.returnvalue as TrainingOutcome | undefined;
        if (run) {
          trainings.push(summariseRun(day, run));
          if (outcome?.decision === 'canary' && outcome.version) canaryStartDay.set(outcome.version, day);
          model.push(`trained: ${run.decision}${run.version ? ` ${run.version}` : ''}`);
        } else {
          model.push('training did not record a run');
        }
        await waitUntilIdle(queues, o.stepTimeoutMs);
      }

      for (const v of canaryStartDay.keys()) {
        if (this.canaryEndDay.has(v)) continue;
        const doc = await registry.get(v);
        if (doc && doc.status !== 'canary') this.canaryEndDay.set(v, day);
      }

      const failedNow = await failedJobs(queues);
      const fresh = failedNow.filter((f) => !knownFailed.has(`${f.queue}:${f.id}`));
      knownFailed = new Set(failedNow.map((f) => `${f.queue}:${f.id}`));
      allFailures.push(...fresh);
      const ingested = await this.ingestionFigures(dayStart);
      const production = await registry.production();
      const rec = await this.recommendationFigures(dayStart);
      const row: DayRow = {
        day,
        date,
        records: ingested.records,
        events: ingested.events,
        usersRecomputed: rec.users,
        coverage: rec.coverage,
        production: production?._id ?? null,
        ndcg: production?.metrics?.ndcg ?? null,
        model: model.join('; '),
        failures: fresh,
      };
      rows.push(row);
      o.onDay?.(row);
    }
    const canaries = await this.canarySummaries(registry, rows.at(-1)?.day ?? 0);
    return { rows, trainings, canaryReviews, canaries, failures: allFailures, finalProduction: (await registry.production())?._id ?? null, seconds: (performance.now() - t0) / 1000 };
  }

  /** Every canary started in this simulation, with its last review and how it ended. */
  private async canarySummaries(registry: ModelRegistry, lastDay: number): Promise<CanaryRunSummary[]> {
    const out: CanaryRunSummary[] = [];
    for (const [version, startDay] of this.canaryStartDay) {
      const doc = await registry.get(version);
      const reviews = canaryReviewsOf(doc?.canary);
      const endDay = this.canaryEndDay.get(version) ?? null;
      out.push({ version, startDay, endDay, days: (endDay ?? lastDay) - startDay, reviews: reviews.length, outcome: canaryEnd(doc), last: reviews.at(-1) ?? null });
    }
    return out;
  }

  /** Runs the canary's next delayed review job now (its day has come in simulated time). */
  private async reviewCanary(jobs: JobQueue, canary: ModelVersionDoc): Promise<string> {
    const job = await jobs.queue(QueueName.Training).getJob(canary.canary?.review_job_id ?? `canary-review-${canary._id}`);
    if (!job) throw new Error(`canary ${canary._id} has no review job`);
    if ((await job.getState()) === 'delayed') await job.promote();
    await jobs.waitForJob(JobName.CanaryReview, String(job.id), 120_000, 200);
    const after = await jobs.queue(QueueName.Training).getJob(String(job.id));
    return String((after?.returnvalue as { reason?: string } | undefined)?.reason ?? after?.failedReason ?? '');
  }

  /** Records fetched and listen events added by the ingestion runs started since `since`. */
  private async ingestionFigures(since: Date): Promise<{ records: number | null; events: number }> {
    const docs = await this.db.collection('ingestion_runs').find({ started_at: { $gte: since } }).toArray();
    if (docs.length === 0) return { records: null, events: 0 };
    return {
      records: docs.reduce((n, d) => n + (num(d.records_fetched) ?? 0), 0),
      events: docs.reduce((n, d) => n + (num((d.endpoints as Record<string, Record<string, unknown>> | undefined)?.listen_history?.events_inserted) ?? 0), 0),
    };
  }

  /** Users computed by the recommendation runs started since `since`, and the last run's coverage. */
  private async recommendationFigures(since: Date): Promise<{ users: number | null; coverage: number | null }> {
    const docs = await this.db.collection('recommendation_runs').find({ started_at: { $gte: since } }).sort({ started_at: 1 }).toArray();
    if (docs.length === 0) return { users: null, coverage: null };
    const users = docs.reduce((n, d) => n + (num(d.users_computed) ?? 0), 0);
    const last = docs[docs.length - 1];
    return { users, coverage: num(last.coverage_ratio) };
  }
}

/** How a canary ended: decided by its review, replaced by a newer candidate, or still running. */
function canaryEnd(doc: ModelVersionDoc | null): string {
  if (!doc) return 'unknown';
  if (doc.status === 'canary') return 'in canary';
  const decided = [...doc.history].reverse().find((h) => h.by === 'canary-review' && h.decision !== 'canary_waiting');
  if (decided) return decided.decision === 'rolled_back' ? 'rolled back' : 'promoted';
  if (doc.history.some((h) => h.decision === 'superseded')) return 'superseded';
  return doc.status;
}

function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

function summariseRun(day: number, run: TrainingRunDoc): TrainingSummary {
  return {
    day,
    runId: run._id,
    decision: run.decision ?? run.status,
    version: run.version,
    reason: run.reason ?? '',
    candidateNdcg: run.metrics?.candidate.ndcg ?? null,
    productionNdcg: run.metrics?.production?.ndcg ?? null,
    popularityNdcg: run.metrics?.popularity.ndcg ?? null,
  };
}
