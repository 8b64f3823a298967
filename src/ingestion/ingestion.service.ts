import { randomBytes } from 'node:crypto';
import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import type { Job } from 'bullmq';
import { CatalogRepository } from '../catalog/catalog.repository.js';
import { AppConfig } from '../config/app-config.js';
import { assessRun, type RunFigures } from '../monitoring/anomaly.js';
import { PipelineMetrics } from '../monitoring/pipeline-metrics.js';
import { PipelineChain } from '../pipeline/pipeline-chain.service.js';
import { JobName, QueueName, type JobPayloads, type Trigger } from '../queues/job-catalogue.js';
import { JobQueue } from '../queues/job-queue.service.js';
import { OnJob } from '../queues/on-job.js';
import { itemsDigest } from './contract.js';
import { EndpointWalk, walkStateFromLog, type WalkCounts } from './endpoint-walk.js';
import { ENDPOINTS, type Endpoint } from './endpoints.js';
import { IngestionRunsRepository } from './ingestion-runs.repository.js';
import type { EndpointRun, IngestionRunDoc, RunAnomaly, RunStatus } from './ingestion.schemas.js';
import { planPage, type IndexEntry, type PagePlan, type StoreIndex } from './page-plan.js';
import { RawExporter } from './raw-export.js';
import { RetryBudget } from './retry-policy.js';
import { SourceClient } from './source-client.js';

export interface RunContext {
  /** The BullMQ job id. */
  runId: string;
  runDate: string;
  trigger: Trigger;
  /** Attempt number, for the record (BullMQ's attemptsStarted). */
  attempt: number;
  maxAttempts: number;
  /** No attempt follows this one if it fails. */
  finalAttempt: boolean;
  progress?: (progress: Record<string, unknown>) => Promise<void>;
}

export interface RunSummary {
  runId: string;
  runDate: string;
  trigger: Trigger;
  status: RunStatus;
  durationSeconds: number | null;
  endpoints: Record<Endpoint, EndpointRun>;
  anomaly: RunAnomaly | null;
  /** Why the recommendation run was not enqueued after this run (null: it was). */
  chainHeld: string | null;
}

/** Live progress is written to the run record at most this often. */
const PROGRESS_EVERY_MS = 2000;

/**
 * One ingestion run: tracks, then users, then listen history, each read page by page from the
 * source and stored as it arrives (see EndpointWalk), resumable from its checkpoint log; then the
 * run record, the anomaly scores and the metrics; then the pipeline moves on to recommendations.
 */
@Injectable()
export class IngestionService implements OnApplicationBootstrap {
  private readonly logger = new Logger('Ingestion');

  constructor(
    private readonly config: AppConfig,
    private readonly source: SourceClient,
    private readonly catalog: CatalogRepository,
    private readonly runs: IngestionRunsRepository,
    private readonly raw: RawExporter,
    private readonly metrics: PipelineMetrics,
    private readonly chain: PipelineChain,
    private readonly jobs: JobQueue,
  ) {}

  /** One run at a time across every worker: runs write the same records and share one source. */
  async onApplicationBootstrap(): Promise<void> {
    try {
      await this.jobs.queue(QueueName.Ingestion).setGlobalConcurrency(1);
    } catch (err) {
      this.logger.error(`could not limit the ingestion queue to one run at a time: ${(err as Error).message}`);
    }
  }

  @OnJob(JobName.IngestionRun)
  async runJob(payload: JobPayloads[JobName.IngestionRun], job: Job): Promise<RunSummary> {
    const maxAttempts = job.opts.attempts ?? 1;
    return this.execute({
      runId: String(job.id),
      runDate: payload.runDate,
      trigger: payload.trigger,
      attempt: Math.max(job.attemptsStarted ?? 0, job.attemptsMade + 1),
      maxAttempts,
      finalAttempt: job.attemptsMade + 1 >= maxAttempts,
      progress: (p) => job.updateProgress(p),
    });
  }

  async execute(ctx: RunContext): Promise<RunSummary> {
    const { runId } = ctx;
    const run = await this.runs.beginAttempt(
      { _id: runId, run_date: ctx.runDate, trigger: ctx.trigger, attempts: ctx.attempt, max_attempts: ctx.maxAttempts },
      new Date(),
    );
    const endpoints = { ...run.endpoints };
    const resumed = ENDPOINTS.filter((e) => endpoints[e].pages > 0 || endpoints[e].status === 'done');
    this.logger.log(
      `ingestion run ${runId} started (attempt ${ctx.attempt} of ${ctx.maxAttempts})${resumed.length > 0 ? `, resuming from its checkpoint` : ''}`,
      { runId, jobId: runId, runDate: ctx.runDate, trigger: ctx.trigger, attempt: ctx.attempt },
    );
    const budget = new RetryBudget(this.config.INGESTION_RETRY_BUDGET);
    try {
      for (const e of ENDPOINTS) {
        if (endpoints[e].status === 'done') continue;
        endpoints[e] = await this.ingestEndpoint(ctx, e, endpoints[e], budget);
      }
      const summary = await this.finish(run, endpoints);
      await this.runs.dropCheckpoints(runId);
      if (summary.chainHeld === null) await this.chain.afterIngestionSucceeded(ctx.runDate, runId);
      else this.logger.warn(`ingestion run ${runId}: recommendation run not enqueued: ${summary.chainHeld}`, { runId, jobId: runId });
      return summary;
    } catch (err) {
      const message = (err as Error).message;
      const now = new Date();
      const status: RunStatus = ctx.finalAttempt ? 'failed' : 'retrying';
      await this.runs
        .update(runId, {
          status,
          error: message,
          finished_at: ctx.finalAttempt ? now : null,
          duration_s: ctx.finalAttempt ? seconds(now.getTime() - run.started_at.getTime()) : null,
        })
        .catch((e: unknown) => this.logger.error(`could not record the failure of run ${runId}: ${(e as Error).message}`, { runId }));
      if (ctx.finalAttempt) this.metrics.ingestionRuns.inc({ status: 'failed' });
      this.logger.error(
        `ingestion run ${runId} attempt ${ctx.attempt} failed${ctx.finalAttempt ? '' : '; it will be retried from its checkpoint'}: ${message}`,
        { runId, jobId: runId, attempt: ctx.attempt },
      );
      throw err;
    }
  }

  private async ingestEndpoint(ctx: RunContext, endpoint: Endpoint, previous: EndpointRun, budget: RetryBudget): Promise<EndpointRun> {
    const { runId } = ctx;
    const started = Date.now();
    const index = await this.loadIndex(endpoint);
    // What the store held when the run reached the endpoint (a resumed attempt keeps the first count).
    const base: EndpointRun = {
      ...previous,
      status: 'running',
      started_at: previous.started_at ?? new Date(),
      error: null,
      stored: previous.stored ?? index.size,
    };
    await this.runs.setEndpoint(runId, endpoint, base);
    const state = walkStateFromLog(await this.runs.checkpointsOf(runId, endpoint));
    const token = randomBytes(4).toString('hex');
    const passSeen = new Map<number, Map<number, { page: number; hash: string }>>();
    let seq = 0;
    let flushed = Date.now();
    let flushing: Promise<void> = Promise.resolve();
    const live = (counts: WalkCounts, status: EndpointRun['status'], extra: Partial<EndpointRun> = {}): EndpointRun => ({
      ...base,
      ...fromCounts(counts),
      status,
      duration_s: seconds(previous.duration_s * 1000 + Date.now() - started),
      ...extra,
    });
    const walk: EndpointWalk = new EndpointWalk(
      {
        fetchPage: (page) => this.source.fetchPage(endpoint, page, this.config.INGESTION_PAGE_SIZE, budget),
        exportRaw: (page, pass, body) => this.raw.writePage(endpoint, ctx.runDate, runId, page, pass, body),
        plan: (items, page, pass) => {
          if (!passSeen.has(pass)) passSeen.set(pass, new Map());
          const plan = planPage(items, { endpoint, runId, page, pass, now: new Date(), index, passSeen: passSeen.get(pass) });
          for (const [id, entry] of plan.index) index.set(id, entry);
          return plan;
        },
        restore: (previous) => {
          for (const { id, entry } of previous) {
            if (entry) index.set(id, entry);
            else index.delete(id);
          }
        },
        write: (plan) => this.store(endpoint, plan),
        appendCheckpoint: (entry) =>
          this.runs.appendCheckpoint({
            _id: `${runId}:${endpoint}:${ctx.attempt}:${token}:${seq}`,
            run_id: runId,
            endpoint,
            attempt: ctx.attempt,
            seq: seq++,
            created_at: new Date(),
            ...entry,
          }),
        onPage: (counts) => {
          for (const result of ['inserted', 'updated', 'unchanged', 'rejected', 'quarantined'] as const) {
            if (counts[result] > 0) this.metrics.ingestionRecords.inc({ endpoint, result }, counts[result]);
          }
          if (Date.now() - flushed < PROGRESS_EVERY_MS) return;
          flushed = Date.now();
          const snapshot = live(walk.counts, 'running');
          flushing = flushing
            .then(() => this.runs.setEndpoint(runId, endpoint, snapshot))
            .then(() => ctx.progress?.({ endpoint, pages: snapshot.pages, fetched: snapshot.fetched }))
            .catch((err: unknown) => this.logger.warn(`progress not recorded: ${(err as Error).message}`, { runId }));
        },
        warn: (message, fields) => this.logger.warn(`${endpoint}: ${message}`, { runId, jobId: runId, endpoint, ...fields }),
      },
      this.config.INGESTION_CONCURRENCY,
      state,
    );
    try {
      const result = await walk.run();
      await flushing;
      const done = live(result.counts, 'done', {
        total: result.total,
        passes: result.passes,
        settled: result.settled,
        finished_at: new Date(),
      });
      await this.runs.setEndpoint(runId, endpoint, done);
      this.metrics.ingestionRunDuration.observe({ endpoint }, done.duration_s);
      this.logger.log(
        `${endpoint}: ${done.fetched} fetched in ${done.pages} pages: ${done.inserted} inserted, ${done.updated} updated, ${done.unchanged} unchanged, ${done.rejected} rejected${endpoint === 'listen_history' ? `, ${done.events_inserted} listen events, ${done.quarantined} quarantined` : ''} (${done.duration_s} s)`,
        { runId, jobId: runId, endpoint, ...fromCounts(result.counts) },
      );
      return done;
    } catch (err) {
      await flushing;
      await this.runs.setEndpoint(runId, endpoint, live(walk.counts, 'failed', { error: (err as Error).message })).catch(() => undefined);
      throw err;
    }
  }

  /** The store's state of an endpoint's records, read with one streaming scan. */
  private async loadIndex(endpoint: Endpoint): Promise<StoreIndex> {
    const index: StoreIndex = new Map();
    for await (const d of this.catalog.streamState(endpoint)) {
      if (d.content_hash === undefined) continue;
      const entry: IndexEntry = { hash: d.content_hash, firstSeenAt: d.first_seen_at?.getTime(), popularity: d.popularity_score };
      if (endpoint === 'listen_history')
        entry.history = { generation: d.generation ?? 0, itemsLength: d.items?.length ?? 0, itemsDigest: itemsDigest(d.items ?? []) };
      index.set(d._id, entry);
    }
    return index;
  }

  /** Rejected records and listen events first: the record, written last, marks the page's work as done. */
  private async store(endpoint: Endpoint, plan: PagePlan): Promise<void> {
    await Promise.all([this.runs.insertRejected(plan.rejects), this.catalog.insertEvents(plan.events)]);
    await this.catalog.writeRecords(endpoint, plan.inserts, plan.updates);
  }

  private async finish(run: IngestionRunDoc, endpoints: Record<Endpoint, EndpointRun>): Promise<RunSummary> {
    const finishedAt = new Date();
    const figures = figuresOf(endpoints);
    const previous = await this.runs.previousSuccessful(this.config.ANOMALY_WINDOW, finishedAt, run._id);
    const assessment = assessRun(
      figures,
      previous.map((r) => figuresOf(r.endpoints)),
      this.config.ANOMALY_THRESHOLD,
    );
    const rejected = ENDPOINTS.reduce((n, e) => n + endpoints[e].rejected, 0);
    const quarantined = ENDPOINTS.reduce((n, e) => n + (endpoints[e].quarantined ?? 0), 0);
    const fetched = ENDPOINTS.reduce((n, e) => n + endpoints[e].fetched, 0);
    const historiesQuarantined = endpoints.listen_history.quarantined ?? 0;
    if (historiesQuarantined > 0) {
      // A source that loses or rewrites listens is anomalous whatever the volumes say.
      assessment.anomalous = true;
      assessment.reasons.push(
        `listen_history: ${historiesQuarantined} histories quarantined (not an append of the stored ones, or an id repeated with other content: the source lost or rewrote listens); GET /ingestion/runs/${run._id}/rejected lists them`,
      );
    }
    for (const e of ENDPOINTS.filter((x) => x !== 'listen_history' && (endpoints[x].quarantined ?? 0) > 0)) {
      assessment.anomalous = true;
      assessment.reasons.push(
        `${e}: ${endpoints[e].quarantined} records quarantined (an id repeated with other content); GET /ingestion/runs/${run._id}/rejected lists them`,
      );
    }
    // Pages that never settled (a page inside `pages` empty on every pass, or a total that kept moving): records may be missing.
    const unsettled = ENDPOINTS.filter((e) => endpoints[e].settled === false).map(
      (e) =>
        `${e}: the pages did not settle in ${endpoints[e].passes} passes (a page inside the announced ones came back empty, or the total of ${endpoints[e].total} kept moving): records may be missing`,
    );
    if (unsettled.length > 0) {
      assessment.anomalous = true;
      assessment.reasons.push(...unsettled);
    }
    // A source that reports far fewer records than the store holds lost data (or a page walk was cut):
    // the store keeps them (the mirror never deletes), and nothing downstream is recomputed from it.
    const shrunk = ENDPOINTS.filter((e) => {
      const { stored, total } = endpoints[e];
      return stored !== undefined && stored > 0 && total !== null && total < stored * (1 - this.config.SOURCE_SHRINK_TOLERANCE);
    }).map((e) => `${e} reports ${endpoints[e].total} records where ${endpoints[e].stored} are stored`);
    if (shrunk.length > 0) {
      assessment.anomalous = true;
      assessment.reasons.push(`the source shrank by more than ${this.config.SOURCE_SHRINK_TOLERANCE * 100}%: ${shrunk.join('; ')}`);
    }
    const status: RunStatus = rejected + quarantined > 0 ? 'succeeded_with_rejections' : 'succeeded';
    // Recommendations are not recomputed from a run that brought nothing, or whose source disagrees
    // with the store: the playlists of the last good state stay served (RECOMMENDATION_CRON still runs).
    const chainHeld =
      fetched === 0
        ? 'the source sent no records'
        : historiesQuarantined > 0
          ? `${historiesQuarantined} listen histories quarantined: the source lost or rewrote listens`
          : quarantined > 0
            ? `${quarantined} records quarantined: the source repeated ids with other content`
            : unsettled.length > 0
              ? unsettled.join('; ')
              : shrunk.length > 0
                ? `the source shrank: ${shrunk.join('; ')}`
                : null;
    const durationSeconds = seconds(finishedAt.getTime() - run.started_at.getTime());
    await this.runs.update(run._id, {
      status,
      finished_at: finishedAt,
      duration_s: durationSeconds,
      error: null,
      endpoints,
      records_fetched: fetched,
      anomaly: assessment,
      chain_held: chainHeld,
    });
    this.metrics.ingestionRuns.inc({ status });
    const heldBy =
      fetched === 0 ? 'empty' : quarantined > 0 ? 'quarantined' : unsettled.length > 0 ? 'unsettled' : shrunk.length > 0 ? 'shrunk' : null;
    if (heldBy) this.metrics.ingestionChainHeld.inc({ reason: heldBy });
    for (const e of ENDPOINTS) {
      const s = endpoints[e];
      this.metrics.ingestionLastSuccess.set({ endpoint: e }, finishedAt.getTime() / 1000);
      this.metrics.ingestionLastRunRecords.set({ endpoint: e }, s.fetched);
      this.metrics.ingestionRejectedRatio.set({ endpoint: e }, s.fetched > 0 ? s.rejected / s.fetched : 0);
      const score = assessment.scores[e];
      if (score.volume !== null) this.metrics.ingestionVolumeAnomaly.set({ endpoint: e }, score.volume);
      if (score.duration !== null) this.metrics.ingestionDurationAnomaly.set({ endpoint: e }, score.duration);
    }
    const fields = { runId: run._id, jobId: run._id, status, durationSeconds };
    if (assessment.anomalous)
      this.logger.warn(`ingestion run ${run._id} is anomalous: ${assessment.reasons.join('; ')}`, {
        ...fields,
        reasons: assessment.reasons,
      });
    this.logger.log(`ingestion run ${run._id} ${status.replaceAll('_', ' ')} in ${durationSeconds} s`, fields);
    return {
      runId: run._id,
      runDate: run.run_date,
      trigger: run.trigger,
      status,
      durationSeconds,
      endpoints,
      anomaly: assessment,
      chainHeld,
    };
  }
}

function fromCounts(
  c: WalkCounts,
): Pick<
  EndpointRun,
  'pages' | 'fetched' | 'inserted' | 'updated' | 'unchanged' | 'rejected' | 'retries' | 'quarantined' | 'events_inserted'
> {
  return {
    pages: c.pages,
    fetched: c.fetched,
    inserted: c.inserted,
    updated: c.updated,
    unchanged: c.unchanged,
    rejected: c.rejected,
    retries: c.retries,
    quarantined: c.quarantined ?? 0,
    events_inserted: c.events,
  };
}

function figuresOf(endpoints: Partial<Record<Endpoint, EndpointRun>> | undefined): Record<Endpoint, RunFigures> {
  const out = {} as Record<Endpoint, RunFigures>;
  for (const e of ENDPOINTS) {
    const s = endpoints?.[e];
    if (s) out[e] = { records: s.fetched, durationSeconds: s.duration_s };
  }
  return out;
}

function seconds(ms: number): number {
  return Math.round(ms) / 1000;
}
