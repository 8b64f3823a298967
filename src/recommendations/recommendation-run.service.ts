import { Injectable, Logger } from '@nestjs/common';
import type { Job } from 'bullmq';
import { AppConfig } from '../config/app-config.js';
import { PipelineMetrics } from '../monitoring/pipeline-metrics.js';
import { JobName, type JobPayloads } from '../queues/job-catalogue.js';
import { JobQueue } from '../queues/job-queue.service.js';
import { OnJob } from '../queues/on-job.js';
import { BatchHook } from './batch-hook.js';
import type { PlaylistEngine } from './playlist-engine.js';
import { coldStartTemplate, recommendationsView, type DetailsOf, type TrackDetails } from './playlist-views.js';
import { playlistIdOf, PlaylistRepository } from './playlist.repository.js';
import { RecommendationCache } from './recommendation-cache.js';
import { RecommendationRunsRepository } from './recommendation-runs.repository.js';
import type { ColdStartDoc, PlanReason, PlaylistDoc, RecommendationRunDoc } from './recommendation.schemas.js';
import { RunContexts } from './run-contexts.js';
import { batchJobId, finalizeJobId, runKeyOf } from './run-keys.js';

const DAY_MS = 24 * 3600 * 1000;
/** Users computed between two yields to the event loop (lock renewals, HTTP in the `all` role). */
const YIELD_EVERY = 200;

export interface PlanSummary {
  runId: string;
  runKey: string;
  usersTotal: number;
  selected: number;
  skipped: number;
  batches: number;
  reasons: Partial<Record<PlanReason, number>>;
}

/** What a batch job returns; the finalize job adds them up. */
export interface BatchResult {
  computed: number;
  skipped: number;
  failed: number;
  variants: Record<string, number>;
  error?: string;
}

export interface RunSummary {
  runId: string;
  status: RecommendationRunDoc['status'];
  computed: number;
  skipped: number;
  failed: number;
  durationSeconds: number;
  coverage: number | null;
}

const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

function isFinalAttempt(job: Job): boolean {
  return job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
}

/**
 * The daily recommendation run as three jobs: the plan picks the users to recompute and fans them
 * out as a BullMQ flow (batches of RECOMMENDATION_BATCH_SIZE under a finalize parent); each batch
 * computes, stores and caches its users' playlists; the finalize job closes the run record.
 */
@Injectable()
export class RecommendationRunService {
  private readonly logger = new Logger('RecommendationRun');
  private readonly runMeta = new Map<string, Promise<RecommendationRunDoc>>();
  /** Replaceable clock (tests). */
  now: () => Date = () => new Date();

  constructor(
    private readonly config: AppConfig,
    private readonly contexts: RunContexts,
    private readonly playlists: PlaylistRepository,
    private readonly runs: RecommendationRunsRepository,
    private readonly cache: RecommendationCache,
    private readonly jobs: JobQueue,
    private readonly metrics: PipelineMetrics,
    private readonly hook: BatchHook,
  ) {}

  @OnJob(JobName.RecommendationRun)
  async onRun(payload: JobPayloads[JobName.RecommendationRun], job: Job): Promise<PlanSummary> {
    const runId = String(job.id);
    try {
      return await this.plan(runId, payload);
    } catch (err) {
      if (isFinalAttempt(job)) await this.markFailed(runId, payload, err as Error);
      throw err;
    }
  }

  @OnJob(JobName.RecommendationBatch)
  async onBatch(payload: JobPayloads[JobName.RecommendationBatch], job: Job): Promise<BatchResult> {
    const attempt = job.attemptsMade + 1;
    try {
      await this.hook.beforeBatch({ runId: payload.runId, batch: payload.batch, attempt });
      return await this.computeBatch(payload);
    } catch (err) {
      // On its last attempt a batch reports its users as failed instead of failing: the flow's parent then still runs and closes the run.
      if (!isFinalAttempt(job)) throw err;
      this.logger.error(`batch ${payload.batch} failed for good: ${(err as Error).message}`, {
        runId: payload.runId,
        batch: payload.batch,
        attempt,
        users: payload.userIds.length,
      });
      this.metrics.recommendationUsers.inc({ outcome: 'failed', variant: 'unknown' }, payload.userIds.length);
      return { computed: 0, skipped: 0, failed: payload.userIds.length, variants: {}, error: (err as Error).message };
    }
  }

  @OnJob(JobName.RecommendationFinalize)
  async onFinalize(payload: JobPayloads[JobName.RecommendationFinalize], job: Job): Promise<RunSummary> {
    const values = Object.values(await job.getChildrenValues<BatchResult>());
    return this.finalize(payload.runId, values);
  }

  /** Picks the users to recompute, stores the cold-start lists, records the run and enqueues its flow. */
  async plan(runId: string, payload: JobPayloads[JobName.RecommendationRun]): Promise<PlanSummary> {
    const startedAt = this.now();
    const runKey = runKeyOf(payload.runDate, runId);
    const engine = await this.contexts.get(runId);
    const now = this.now();
    const states = await this.playlists.statesSince(new Date(now.getTime() - this.config.PLAYLIST_RETENTION_DAYS * DAY_MS));
    const staleBefore = now.getTime() - this.config.RECOMMENDATION_MAX_AGE * 1000;
    const dayAgo = now.getTime() - DAY_MS;

    const selected: number[] = [];
    const reasons: Partial<Record<PlanReason, number>> = {};
    let active = 0;
    let skipped = 0;
    let priorFresh = 0;
    let priorOldest: number | null = null;
    const userIds = [...engine.users.keys()].sort((a, b) => a - b);
    for (const userId of userIds) {
      if (!engine.users.get(userId)!.active) {
        skipped++;
        continue;
      }
      active++;
      const arm = engine.resolveArm(userId);
      const state = states.get(userId);
      let reason: PlanReason | null = null;
      if (payload.force) reason = 'forced';
      else if (!state) reason = 'new';
      else if (state.computedAt.getTime() < staleBefore) reason = 'stale';
      else if (state.signature !== engine.signatureOf(userId)) reason = 'new_listens';
      else if (state.armKey !== arm.key) reason = 'model_changed';
      if (reason) {
        selected.push(userId);
        reasons[reason] = (reasons[reason] ?? 0) + 1;
        continue;
      }
      skipped++;
      this.metrics.recommendationUsers.inc({ outcome: 'skipped', variant: arm.arm.variant });
      const at = state!.computedAt.getTime();
      if (at >= dayAgo) priorFresh++;
      priorOldest = priorOldest === null ? at : Math.min(priorOldest, at);
    }

    await this.storeColdStart(engine, runKey, now);
    await this.cache.setTracks(
      [...engine.index.tracks.values()].map((t) => ({ track_id: t.id, name: t.name, artist: t.artist, genres: t.genres })),
    );

    const size = this.config.RECOMMENDATION_BATCH_SIZE;
    const batches: number[][] = [];
    for (let i = 0; i < selected.length; i += size) batches.push(selected.slice(i, i + size));
    const record = await this.runs.create({
      _id: runId,
      run_key: runKey,
      run_date: payload.runDate,
      trigger: payload.trigger,
      reason: payload.reason ?? null,
      force: payload.force ?? false,
      status: 'running',
      started_at: startedAt,
      planned_at: this.now(),
      finished_at: null,
      duration_s: null,
      users_total: userIds.length,
      users_active: active,
      users_selected: selected.length,
      users_computed: 0,
      users_skipped: skipped,
      users_failed: 0,
      reasons,
      variants: {},
      batches: batches.length,
      batch_size: size,
      model_version: engine.models.production?.version ?? null,
      canary_version: engine.models.canary?.version ?? null,
      coverage_ratio: null,
      oldest_playlist_at: null,
      prior_fresh_users: priorFresh,
      prior_oldest_at: priorOldest === null ? null : new Date(priorOldest),
      error: null,
    });
    this.rememberRun(runId, Promise.resolve(record));
    await this.jobs.enqueueFlow(
      { name: JobName.RecommendationFinalize, payload: { runId }, jobId: finalizeJobId(runId) },
      JobName.RecommendationBatch,
      batches.map((userIds, batch) => ({ payload: { runId, batch, userIds }, jobId: batchJobId(runId, batch) })),
    );
    const summary: PlanSummary = {
      runId,
      runKey,
      usersTotal: userIds.length,
      selected: selected.length,
      skipped,
      batches: batches.length,
      reasons,
    };
    this.logger.log('recommendation run planned', { ...summary, trigger: payload.trigger, force: payload.force ?? false });
    return summary;
  }

  /** Computes, stores and caches the playlists of one batch; idempotent (same ids, duplicates skipped). */
  async computeBatch(payload: JobPayloads[JobName.RecommendationBatch]): Promise<BatchResult> {
    const { runId, batch, userIds } = payload;
    const t0 = performance.now();
    const [engine, run] = await Promise.all([this.contexts.get(runId), this.runRecord(runId)]);
    const details = detailsOf(engine);
    const now = this.now();
    const docs: PlaylistDoc[] = [];
    const cached: Array<{ userId: number; json: string }> = [];
    const state = { user_ids: [] as number[], signatures: [] as string[], arm_keys: [] as string[] };
    const result: BatchResult = { computed: 0, skipped: 0, failed: 0, variants: {} };
    // Model lists of the whole batch first, on the scoring threads; a failure there leaves each user to compute().
    await engine
      .prepare(userIds)
      .catch((err: unknown) =>
        this.logger.warn(`batch ${batch}: model lists not computed ahead: ${(err as Error).message}`, { runId, batch }),
      );
    for (let i = 0; i < userIds.length; i++) {
      if (i > 0 && i % YIELD_EVERY === 0) await yieldToLoop();
      const userId = userIds[i]!;
      let computed;
      try {
        computed = await engine.compute(userId);
      } catch (err) {
        result.failed++;
        this.logger.warn(`playlist of user ${userId} failed: ${(err as Error).message}`, { runId, batch, userId });
        continue;
      }
      if (!computed) {
        result.skipped++;
        continue;
      }
      const id = playlistIdOf(userId, run.run_key);
      const doc: PlaylistDoc = {
        _id: id,
        playlist_id: id,
        user_id: userId,
        track_ids: computed.tracks.map((t) => t.trackId),
        scores: computed.tracks.map((t) => t.score),
        playlist_name: `Daily mix ${run.run_date}`,
        is_generated: true,
        model_version: computed.modelVersion,
        recommender: computed.recommender,
        sources: computed.sources,
        variant: computed.arm.variant,
        experiment: computed.arm.experiment,
        run_id: runId,
        run_key: run.run_key,
        run_date: run.run_date,
        created_at: now,
        updated_at: now,
      };
      docs.push(doc);
      cached.push({ userId, json: JSON.stringify(recommendationsView(doc, details)) });
      state.user_ids.push(userId);
      state.signatures.push(computed.signature);
      state.arm_keys.push(computed.armKey);
      result.computed++;
      result.variants[doc.variant] = (result.variants[doc.variant] ?? 0) + 1;
    }
    const t1 = performance.now();
    await Promise.all([this.playlists.insertPlaylists(docs), this.cache.setUsers(cached)]);
    await this.cache.announceRecomputed(state.user_ids);
    // Last: the next plan counts these users as up to date only once their playlists are stored.
    await this.playlists.insertUserStates({
      _id: `${runId}-b${batch}`,
      run_id: runId,
      run_key: run.run_key,
      batch,
      computed_at: now,
      ...state,
    });
    for (const [variant, n] of Object.entries(result.variants)) this.metrics.recommendationUsers.inc({ outcome: 'computed', variant }, n);
    if (result.skipped > 0) this.metrics.recommendationUsers.inc({ outcome: 'skipped', variant: 'none' }, result.skipped);
    if (result.failed > 0) this.metrics.recommendationUsers.inc({ outcome: 'failed', variant: 'unknown' }, result.failed);
    this.logger.log('recommendation batch stored', {
      runId,
      batch,
      ...result,
      variants: undefined,
      computeMs: Math.round(t1 - t0),
      storeMs: Math.round(performance.now() - t1),
    });
    return result;
  }

  /** Closes the run record with the batches' totals, coverage and freshness; moves the run metrics. */
  async finalize(runId: string, results: readonly BatchResult[]): Promise<RunSummary> {
    const run = await this.runs.get(runId);
    if (!run) throw new Error(`recommendation run ${runId} has no record`);
    const now = this.now();
    const total: BatchResult = { computed: 0, skipped: 0, failed: 0, variants: {} };
    for (const r of results) {
      total.computed += r.computed;
      total.skipped += r.skipped;
      total.failed += r.failed;
      for (const [v, n] of Object.entries(r.variants)) total.variants[v] = (total.variants[v] ?? 0) + n;
    }
    const status = total.failed === 0 ? 'succeeded' : total.computed > 0 ? 'completed' : 'failed';
    const durationSeconds = (now.getTime() - run.started_at.getTime()) / 1000;
    const coverage = run.users_active > 0 ? Math.min(1, (total.computed + run.prior_fresh_users) / run.users_active) : null;
    const oldestCandidates = [
      run.prior_oldest_at?.getTime(),
      total.computed > 0 ? (run.planned_at ?? run.started_at).getTime() : undefined,
    ].filter((x): x is number => x !== undefined);
    const oldest = oldestCandidates.length > 0 ? new Date(Math.min(...oldestCandidates)) : null;
    await this.runs.update(runId, {
      status,
      finished_at: now,
      duration_s: durationSeconds,
      users_computed: total.computed,
      users_skipped: run.users_skipped + total.skipped,
      users_failed: total.failed,
      variants: total.variants,
      coverage_ratio: coverage,
      oldest_playlist_at: oldest,
      error: status === 'failed' ? (results.find((r) => r.error)?.error ?? 'every batch failed') : null,
    });
    this.metrics.recommendationRunDuration.observe(durationSeconds);
    if (coverage !== null) this.metrics.recommendationCoverage.set(coverage);
    if (oldest) this.metrics.recommendationFreshness.set(Math.max(0, (now.getTime() - oldest.getTime()) / 1000));
    if (status !== 'failed') this.metrics.recommendationLastSuccess.set(now.getTime() / 1000);
    this.contexts.drop(runId);
    this.runMeta.delete(runId);
    const summary: RunSummary = {
      runId,
      status,
      computed: total.computed,
      skipped: run.users_skipped + total.skipped,
      failed: total.failed,
      durationSeconds,
      coverage,
    };
    this.logger.log('recommendation run finished', { ...summary });
    return summary;
  }

  private async storeColdStart(engine: PlaylistEngine, runKey: string, now: Date): Promise<void> {
    const details = detailsOf(engine);
    const docs: ColdStartDoc[] = [null, ...engine.index.genres].map((genre) => {
      const list = engine.coldStart(genre);
      return {
        _id: `${runKey}:${genre ?? '*'}`,
        run_key: runKey,
        genre: genre ?? '*',
        track_ids: list.map((c) => c.trackId),
        scores: list.map((c) => c.score),
        created_at: now,
      };
    });
    await this.playlists.insertColdStart(docs);
    await this.cache.setColdStart(docs.map((d) => ({ genre: d.genre === '*' ? null : d.genre, json: coldStartTemplate(d, details) })));
  }

  private runRecord(runId: string): Promise<RecommendationRunDoc> {
    let p = this.runMeta.get(runId);
    if (!p) {
      p = this.runs.get(runId).then((r) => {
        if (!r) throw new Error(`recommendation run ${runId} has no record`);
        return r;
      });
      this.rememberRun(runId, p);
      p.catch(() => this.runMeta.delete(runId));
    }
    return p;
  }

  /** A few runs at most: a run whose finalize ran in another process is forgotten as newer ones come. */
  private rememberRun(runId: string, record: Promise<RecommendationRunDoc>): void {
    this.runMeta.set(runId, record);
    while (this.runMeta.size > 4) this.runMeta.delete(this.runMeta.keys().next().value!);
  }

  private async markFailed(runId: string, payload: JobPayloads[JobName.RecommendationRun], err: Error): Promise<void> {
    const now = this.now();
    try {
      const existing = await this.runs.get(runId);
      if (existing) await this.runs.update(runId, { status: 'failed', finished_at: now, error: err.message });
      else
        await this.runs.create({
          ...emptyRun(runId, payload, now),
          status: 'failed',
          finished_at: now,
          error: err.message,
        });
    } catch (writeErr) {
      this.logger.error(`run ${runId} failed and its record could not be written: ${(writeErr as Error).message}`, { runId });
    }
    this.logger.error(`recommendation run failed: ${err.message}`, { runId });
  }
}

function detailsOf(engine: PlaylistEngine): DetailsOf {
  return (id: number): TrackDetails | undefined => {
    const t = engine.index.tracks.get(id);
    return t ? { track_id: t.id, name: t.name, artist: t.artist, genres: t.genres } : undefined;
  };
}

function emptyRun(runId: string, payload: JobPayloads[JobName.RecommendationRun], now: Date): RecommendationRunDoc {
  return {
    _id: runId,
    run_key: runKeyOf(payload.runDate, runId),
    run_date: payload.runDate,
    trigger: payload.trigger,
    reason: payload.reason ?? null,
    force: payload.force ?? false,
    status: 'running',
    started_at: now,
    planned_at: null,
    finished_at: null,
    duration_s: null,
    users_total: 0,
    users_active: 0,
    users_selected: 0,
    users_computed: 0,
    users_skipped: 0,
    users_failed: 0,
    reasons: {},
    variants: {},
    batches: 0,
    batch_size: 0,
    model_version: null,
    canary_version: null,
    coverage_ratio: null,
    oldest_playlist_at: null,
    prior_fresh_users: 0,
    prior_oldest_at: null,
    error: null,
  };
}
