import { randomBytes } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import type { Job } from 'bullmq';
import { AppConfig } from '../config/app-config.js';
import { PipelineMetrics } from '../monitoring/pipeline-metrics.js';
import { JobName, type JobPayloads, type Trigger } from '../queues/job-catalogue.js';
import { OnJob } from '../queues/on-job.js';
import { serializeModel } from './model/artifact.js';
import { trainSpec, type ModelFamily, type ModelSpec } from './model/model.js';
import type { RelativeAlsSettings } from './model/selection.js';
import type { RankingMetrics } from './evaluation/metrics.js';
import { trainAndEvaluate, type CandidateEvaluation } from './pipeline/candidate.js';
import { computeDrift, DRIFT_FEATURES, type DriftReport } from './pipeline/drift.js';
import { decideGate, type GateDecision } from './pipeline/gate.js';
import { DAY_MS, excludeSeen, perUserFallback, preprocess, windowOf, type PreparedData } from './pipeline/preprocess.js';
import { RolloutService, type RolloutResult } from './pipeline/rollout.service.js';
import { TrainingDataRepository } from './pipeline/training-data.repository.js';
import { ArtifactStore } from './registry/artifact-store.js';
import { ModelRegistry, RegistryConflictError } from './registry/model-registry.service.js';
import type { MetricsRecord, ModelVersionDoc, TrainingDecision, TrainingRunDoc, WindowRecord } from './registry/registry.schemas.js';
import { TrainingRunsRepository } from './registry/training-runs.repository.js';

/** Drift compares the training window with this many last days. */
export const DRIFT_RECENT_DAYS = 7;

export interface TrainingOutcome {
  runId: string;
  decision: TrainingDecision;
  reason: string;
  version: string | null;
  /** The recommendation run that follows a new canary or production model. */
  recommendationJobId: string | null;
}

function stamp(d: Date): string {
  return d
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
}

function metricsRecord(m: RankingMetrics): MetricsRecord {
  const r = (v: number) => Number(v.toFixed(6));
  return { precision: r(m.precision), recall: r(m.recall), ndcg: r(m.ndcg), map: r(m.map), coverage: r(m.coverage), users: m.users };
}

function windowRecord(w: PreparedData['window']): WindowRecord {
  return {
    start: new Date(w.start),
    end: new Date(w.end),
    validation_start: new Date(w.validationStart),
    evaluation_start: new Date(w.evaluationStart),
  };
}

/**
 * The retraining job: collect the window, preprocess, tune and train a candidate, evaluate it with
 * production and popularity on the same held-out days, gate, refit on the whole window, and release
 * it to canary. Every step is recorded on the run; the versions go to the registry.
 */
@Injectable()
export class TrainingService {
  private readonly logger = new Logger('Training');

  constructor(
    private readonly config: AppConfig,
    private readonly data: TrainingDataRepository,
    private readonly runs: TrainingRunsRepository,
    private readonly registry: ModelRegistry,
    private readonly artifacts: ArtifactStore,
    private readonly rollout: RolloutService,
    private readonly metrics: PipelineMetrics,
  ) {}

  @OnJob(JobName.TrainingRun)
  async onTrainingRun(payload: JobPayloads[JobName.TrainingRun], job: Job): Promise<TrainingOutcome> {
    return this.train({ runDate: payload.runDate, trigger: payload.trigger, jobId: job.id ?? null });
  }

  @OnJob(JobName.CanaryReview)
  async onCanaryReview(payload: JobPayloads[JobName.CanaryReview]): Promise<RolloutResult> {
    return this.rollout.reviewCanary(payload.version);
  }

  /** The ALS_* settings (relative to the data): the search's first ALS configuration, or the model itself with TUNING_TRIALS=0. */
  baseSettings(): RelativeAlsSettings {
    const c = this.config;
    return {
      factors: c.ALS_FACTORS,
      regularization: c.ALS_REGULARIZATION,
      alpha: c.ALS_ALPHA,
      confidence: c.ALS_CONFIDENCE,
      iterations: c.ALS_ITERATIONS,
      cgSteps: c.ALS_CG_STEPS,
      seed: c.ALS_SEED,
    };
  }

  families(): ModelFamily[] {
    return this.config.MODEL_FAMILIES;
  }

  private threads(): number | undefined {
    return this.config.ALS_THREADS > 0 ? this.config.ALS_THREADS : undefined;
  }

  async train(opts: { runDate: string; trigger: Trigger; jobId: string | null }): Promise<TrainingOutcome> {
    const started = this.registry.now();
    const runId = `training-${stamp(started)}-${randomBytes(2).toString('hex')}`;
    const durations: Record<string, number> = {};
    const timed = async <T>(name: string, fn: () => Promise<T> | T): Promise<T> => {
      // Training in the calling thread blocks the event loop: let the job's lock renewal run between steps.
      await new Promise((r) => setImmediate(r));
      const t0 = performance.now();
      try {
        return await fn();
      } finally {
        durations[name] = Number(((performance.now() - t0) / 1000).toFixed(3));
      }
    };
    const log = { runId, jobId: opts.jobId };
    if (opts.jobId) await this.closeAbandonedAttempts(opts.jobId, runId);
    await this.runs.start({
      _id: runId,
      trigger: opts.trigger,
      job_id: opts.jobId,
      run_date: opts.runDate,
      status: 'running',
      decision: null,
      reason: null,
      version: null,
      production_version: null,
      window: null,
      sizes: null,
      split: null,
      settings: null,
      tuning: null,
      metrics: null,
      gate: null,
      drift: null,
      durations,
      started_at: started,
      finished_at: null,
      error: null,
    });
    this.logger.log('training run started', { ...log, trigger: opts.trigger });
    const created: { version: string | null } = { version: null };
    try {
      const outcome = await this.runSteps(runId, durations, timed, created);
      durations.total = Number(((this.registry.now().getTime() - started.getTime()) / 1000).toFixed(3));
      await this.runs.update(runId, {
        status: 'succeeded',
        decision: outcome.decision,
        reason: outcome.reason,
        version: outcome.version,
        durations,
        finished_at: this.registry.now(),
      });
      this.metrics.trainingRuns.inc({ decision: outcome.decision });
      this.logger.log(`training run ${outcome.decision}: ${outcome.reason}`, { ...log, version: outcome.version });
      return outcome;
    } catch (err) {
      const message = (err as Error).message;
      durations.total = Number(((this.registry.now().getTime() - started.getTime()) / 1000).toFixed(3));
      await this.runs.update(runId, {
        status: 'failed',
        decision: 'failed',
        reason: message,
        error: (err as Error).stack ?? message,
        durations,
        finished_at: this.registry.now(),
      });
      this.metrics.trainingRuns.inc({ decision: 'failed' });
      this.logger.error(`training run failed: ${message}`, { ...log, version: created.version });
      if (created.version) await this.abandon(created.version, runId, message);
      throw err;
    }
  }

  private async runSteps(
    runId: string,
    durations: Record<string, number>,
    timed: <T>(name: string, fn: () => Promise<T> | T) => Promise<T>,
    created: { version: string | null },
  ): Promise<TrainingOutcome> {
    const c = this.config;
    const skip = async (reason: string, set: Partial<TrainingRunDoc> = {}): Promise<TrainingOutcome> => {
      await this.runs.update(runId, { ...set, durations });
      return { runId, decision: 'skipped', reason, version: null, recommendationJobId: null };
    };

    const [newest, production] = await timed('find_window', () => Promise.all([this.data.newestListen(), this.registry.production()]));
    const fullWindow = windowOf(newest, c.TRAINING_WINDOW_DAYS, c.VALIDATION_DAYS);
    if (!fullWindow) return skip('no listen events yet: nothing to train on');
    const productionModel = production ? await timed('load_production', () => this.registry.loadModel(production)) : null;
    // Production is scored only on listens newer than its own training data, and so are the others.
    const window = excludeSeen(fullWindow, productionModel?.trainedThrough ?? null);
    const [events, catalogue] = await timed('collect', () =>
      Promise.all([this.data.listens(window.start, window.end), this.data.catalogue()]),
    );
    const byDays = await timed('preprocess', () =>
      preprocess(events, window, {
        windowDays: c.TRAINING_WINDOW_DAYS,
        validationDays: c.VALIDATION_DAYS,
        minUserListens: c.TRAINING_MIN_USER_LISTENS,
        minTrackListens: c.TRAINING_MIN_TRACK_LISTENS,
      }),
    );
    // Only a first model may fall back: with production in place the split stays by days, unseen by it.
    const prepared = production ? byDays : perUserFallback(byDays);
    if (prepared.split !== 'time')
      this.logger.log('no user has listens both before and inside the validation days (a first load): held-out split per user', { runId });
    const base = { window: windowRecord(window), sizes: { ...prepared.sizes }, split: prepared.split };

    const recentFrom = window.end - DRIFT_RECENT_DAYS * DAY_MS;
    const drift = await timed('drift', () =>
      computeDrift(
        {
          window: events,
          recent: events.filter((e) => e.at >= recentFrom),
          trackGenre: catalogue.trackGenre,
          userCreatedAt: catalogue.userCreatedAt,
          trackCreatedAt: catalogue.trackCreatedAt,
        },
        c.DRIFT_PSI_THRESHOLD,
      ),
    );
    this.recordDrift(runId, drift);
    await this.runs.update(runId, { ...base, drift: { ...drift } });

    if (prepared.train.length === 0 || prepared.validation.length === 0) {
      const seen =
        window.evaluationStart > window.validationStart
          ? ` (held-out split starts after ${new Date(window.evaluationStart - 1).toISOString()}, the newest listen production ${production?._id} was trained on)`
          : '';
      return skip(
        `the window ${new Date(window.start).toISOString()}..${new Date(window.end).toISOString()} has ${prepared.sizes.trainPairs} training and ${prepared.sizes.validationPairs} held-out pairs after the minimum counts${seen}: both must be non-empty`,
      );
    }

    const catalogueIds = [...new Set([...catalogue.trackIds, ...prepared.all.map((l) => l.trackId)])].sort((a, b) => a - b);
    const evaluation = await timed('train_and_evaluate', () =>
      trainAndEvaluate(prepared.train, prepared.validation, {
        als: this.baseSettings(),
        trials: c.TUNING_TRIALS,
        budgetSeconds: c.MODEL_SEARCH_SECONDS,
        families: this.families(),
        easeMaxItems: c.EASE_MAX_ITEMS,
        threads: this.threads(),
        catalogue: catalogueIds,
        production: productionModel,
        fallback: { trackGenre: catalogue.trackGenre, favoriteGenres: catalogue.favoriteGenres },
        onProgress: (m) => this.logger.log(m, { runId }),
      }),
    );
    Object.assign(durations, {
      tune: round3(evaluation.seconds.tune),
      train: round3(evaluation.seconds.train),
      evaluate: round3(evaluation.seconds.evaluate),
    });
    const metrics = {
      candidate: metricsRecord(evaluation.metrics.candidate),
      production: evaluation.metrics.production ? metricsRecord(evaluation.metrics.production) : null,
      popularity: metricsRecord(evaluation.metrics.popularity),
    };
    const gate = decideGate(
      metrics.candidate,
      metrics.production,
      metrics.popularity,
      {
        ndcgTolerance: c.GATE_NDCG_TOLERANCE,
        minLiftOverPopularity: c.MIN_LIFT_OVER_POPULARITY,
        coverageTolerance: c.GATE_COVERAGE_TOLERANCE,
      },
      evaluation.productionKind === 'hybrid' ? 'production (hybrid fallback, no model yet)' : 'production',
    );

    const now = this.registry.now();
    const version = `v${stamp(now).replace('T', '-').replace('Z', '')}-${randomBytes(2).toString('hex')}`;
    const doc: ModelVersionDoc = {
      _id: version,
      version,
      status: 'candidate',
      run_id: runId,
      window: base.window,
      sizes: base.sizes,
      family: evaluation.spec.family,
      settings: { ...evaluation.spec.settings },
      metrics: metrics.candidate,
      baselines: {
        production_version: production?._id ?? null,
        production: metrics.production,
        popularity: metrics.popularity,
        production_kind: evaluation.productionKind,
      },
      decision: 'candidate',
      reason: gate.reason,
      artifact: null,
      canary: null,
      previous_production_version: production?._id ?? null,
      created_at: now,
      updated_at: now,
      canary_at: null,
      promoted_at: null,
      retired_at: null,
      rejected_at: null,
      history: [{ at: now, status: 'candidate', decision: 'candidate', reason: 'trained', by: 'training' }],
    };
    await this.registry.create(doc);
    created.version = version;
    this.recordMetrics(version, metrics);
    await this.runs.update(runId, {
      version,
      production_version: production?._id ?? null,
      settings: { family: evaluation.spec.family, ...evaluation.spec.settings },
      tuning: tuningRecord(evaluation),
      metrics,
      gate: { passed: gate.passed, reason: gate.reason, checks: gate.checks },
      durations,
    });

    if (!gate.passed) {
      await this.registry.transition(version, ['candidate'], {
        status: 'rejected',
        decision: 'rejected',
        reason: gate.reason,
        by: 'gate',
        set: { rejected_at: this.registry.now() },
      });
      return { runId, decision: 'rejected', reason: gate.reason, version, recommendationJobId: null };
    }
    return this.refitAndRelease(runId, version, prepared, evaluation.spec, gate, timed);
  }

  private async refitAndRelease(
    runId: string,
    version: string,
    prepared: PreparedData,
    spec: ModelSpec,
    gate: GateDecision,
    timed: <T>(name: string, fn: () => Promise<T> | T) => Promise<T>,
  ): Promise<TrainingOutcome> {
    const model = await timed('refit', () => trainSpec(spec, prepared.all, { threads: this.threads() }));
    const artifact = await timed('store', async () => this.artifacts.save(version, serializeModel(model)));
    await this.registry.transition(version, ['candidate'], {
      status: 'candidate',
      decision: 'refit',
      reason: `refit on the whole window (${prepared.sizes.pairs} pairs)`,
      by: 'training',
      set: { artifact },
    });
    const released = await this.rollout.release(version, gate.reason, prepared.window.end);
    const decision: TrainingDecision = released.decision === 'promoted' ? 'promoted' : 'canary';
    return { runId, decision, reason: released.reason, version, recommendationJobId: released.recommendationJobId };
  }

  /**
   * An earlier attempt of this job whose worker died (killed, or its lock lost) left its record
   * running and maybe a candidate without factors: the record is closed as failed and the candidate
   * rejected, so neither reads as live nor can be promoted half-made.
   */
  private async closeAbandonedAttempts(jobId: string, runId: string): Promise<void> {
    for (const old of await this.runs.byJob(jobId)) {
      if (old.status !== 'running') continue;
      const reason = `the worker running this attempt stopped; taken over by ${runId}`;
      await this.runs.update(old._id, { status: 'failed', decision: 'failed', reason, error: reason, finished_at: this.registry.now() });
      const candidates = await this.registry.list({ status: 'candidate', limit: 1000 });
      for (const v of candidates.filter((c) => c.run_id === old._id)) await this.abandon(v._id, old._id, reason);
      this.logger.warn(`training run ${old._id} was left running by a worker that stopped: closed as failed`, { runId, jobId });
    }
  }

  /** A version left as candidate by a failed run is rejected, so that nothing can promote it half-made. */
  private async abandon(version: string, runId: string, message: string): Promise<void> {
    try {
      await this.registry.transition(version, ['candidate'], {
        status: 'rejected',
        decision: 'failed',
        reason: `training run ${runId} failed: ${message}`,
        by: 'training',
        set: { rejected_at: this.registry.now() },
      });
    } catch (err) {
      if (!(err instanceof RegistryConflictError))
        this.logger.error(`could not mark ${version} rejected: ${(err as Error).message}`, { runId });
    }
  }

  private recordDrift(runId: string, drift: DriftReport): void {
    for (const f of DRIFT_FEATURES) this.metrics.modelDrift.set({ feature: f }, drift.psi[f]);
    if (drift.drifted.length > 0) {
      this.logger.warn(`drift above PSI ${drift.threshold}: ${drift.drifted.map((f) => `${f}=${drift.psi[f]}`).join(', ')}`, {
        runId,
        drifted: drift.drifted,
      });
    }
  }

  private recordMetrics(version: string, metrics: { candidate: MetricsRecord; popularity: MetricsRecord }): void {
    for (const [label, m] of [
      [version, metrics.candidate],
      ['popularity', metrics.popularity],
    ] as const) {
      for (const key of ['ndcg', 'precision', 'recall', 'map', 'coverage'] as const)
        this.metrics.modelMetric.set({ version: label, metric: `${key}_at_10` }, m[key]);
    }
  }
}

function round3(v: number): number {
  return Number(v.toFixed(3));
}

/** The search as the run record shows it: every trial, the budget, and families left out with why. */
function tuningRecord(e: CandidateEvaluation): Record<string, unknown> | null {
  if (!e.search) return null;
  const s = e.search;
  return {
    validation: s.validation,
    scale: s.scale,
    budget_seconds: s.budgetSeconds,
    seconds: round3(s.seconds),
    chosen: { family: s.best.family, settings: s.best.settings },
    skipped: s.skipped,
    trials: s.trials.map((t) => ({
      trial: t.trial,
      family: t.family,
      settings: t.settings,
      ...(t.config !== undefined ? { config: t.config, rung: t.rung } : {}),
      ndcg: Number(t.metrics.ndcg.toFixed(6)),
      seconds: round3(t.seconds),
    })),
  };
}
