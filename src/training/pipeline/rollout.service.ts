import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '../../config/app-config.js';
import { PipelineMetrics } from '../../monitoring/pipeline-metrics.js';
import { PipelineChain, runDateOf } from '../../pipeline/pipeline-chain.service.js';
import type { Trigger } from '../../queues/job-catalogue.js';
import { LockBusyError, RedisLock } from '../../redis/redis-lock.js';
import { ModelRegistry, RegistryConflictError } from '../registry/model-registry.service.js';
import { canaryReviewsOf, type CanaryRecord, type CanaryReviewRecord, type ModelVersionDoc } from '../registry/registry.schemas.js';
import { canaryLooks, decideCanary, hitRates, type CanaryOutcome, type CanaryTest } from './canary.js';
import { DAY_MS } from './preprocess.js';
import { TrainingDataRepository } from './training-data.repository.js';

export interface RolloutResult {
  version: string;
  /** waiting: a canary review whose test is inconclusive; the next review is scheduled a day later. */
  decision: 'canary' | 'promoted' | 'rolled_back' | 'skipped' | 'waiting';
  reason: string;
  /** The recommendation run that follows the change. */
  recommendationJobId: string | null;
}

/**
 * Every change of what is served: a candidate into canary (or straight to production), canary
 * review, manual promotion and rollback. Each change is recorded on the versions and followed by a
 * recommendation run.
 */
@Injectable()
export class RolloutService {
  private readonly logger = new Logger('Rollout');

  constructor(
    private readonly config: AppConfig,
    private readonly registry: ModelRegistry,
    private readonly data: TrainingDataRepository,
    private readonly chain: PipelineChain,
    private readonly metrics: PipelineMetrics,
    private readonly lock: RedisLock,
  ) {}

  /**
   * Model changes one at a time across every process (API promotions and rollbacks, workers'
   * releases and canary reviews): two promotions at once would each retire the other's version and
   * leave no model in production.
   */
  private exclusive<T>(what: string, change: () => Promise<T>): Promise<T> {
    return this.lock.withLock('model-rollout', change).catch((err: unknown) => {
      if (err instanceof LockBusyError)
        throw new RegistryConflictError(`another model change is in progress (${what} not started): try again in a moment`);
      throw err;
    });
  }

  private today(): string {
    return runDateOf(this.registry.now(), this.config.TZ_CRON);
  }

  /** The canary test of the settings (docs/training.md, "Canary review"). */
  canaryTest(): CanaryTest {
    const c = this.config;
    return {
      confidence: c.CANARY_CONFIDENCE,
      margin: c.CANARY_NON_INFERIORITY_MARGIN,
      minUsers: c.CANARY_MIN_USERS,
      maxLooks: canaryLooks(c.CANARY_DAYS, c.CANARY_MAX_DAYS),
      inconclusive: c.CANARY_INCONCLUSIVE,
    };
  }

  /** A candidate that passed the gate (its artifact stored): canary for CANARY_DAYS, or production now. */
  release(version: string, gateReason: string, dataAnchor: number | null): Promise<RolloutResult> {
    return this.exclusive(`release of ${version}`, () => this.releaseNow(version, gateReason, dataAnchor));
  }

  private async releaseNow(version: string, gateReason: string, dataAnchor: number | null): Promise<RolloutResult> {
    const days = this.config.CANARY_DAYS;
    const percent = this.config.CANARY_PERCENT;
    if (days === 0 || percent === 0) {
      return this.promoteNow(
        version,
        `gate ${gateReason}; promoted at once (CANARY_DAYS=${days}, CANARY_PERCENT=${percent})`,
        'training',
        'pipeline',
      );
    }
    // A newer candidate replaces a canary still under review: it was trained on fresher data.
    await this.registry.retireOthers('canary', version, 'superseded', `superseded by ${version} before its review`, 'training');
    const now = this.registry.now();
    const reviewAt = new Date(now.getTime() + days * DAY_MS);
    const reviewJob = this.chain.reviewJobId(version, 1);
    await this.registry.transition(version, ['candidate'], {
      status: 'canary',
      decision: 'canary',
      reason: `gate ${gateReason}; canary for ${percent}% of users, first review after ${days} days`,
      by: 'training',
      set: {
        canary_at: now,
        canary: {
          percent,
          started_at: now,
          review_at: reviewAt,
          data_anchor: dataAnchor === null ? null : new Date(dataAnchor),
          review_job_id: reviewJob,
          reviews: [],
        },
      },
    });
    await this.chain.scheduleCanaryReview(version, days * DAY_MS, 1);
    const rec = await this.chain.afterModelChanged(this.today(), `canary ${version} started`);
    this.logger.log(`model ${version} in canary for ${percent}% of users, first review at ${reviewAt.toISOString()}`, { version });
    return {
      version,
      decision: 'canary',
      reason: `canary for ${percent}% of users, first review after ${days} days`,
      recommendationJobId: rec.jobId,
    };
  }

  /** Puts a version with an artifact in production; the one it replaces is retired. */
  promote(version: string, reason: string, by: string, trigger: Trigger = 'promotion'): Promise<RolloutResult> {
    return this.exclusive(`promotion of ${version}`, () => this.promoteNow(version, reason, by, trigger));
  }

  private async promoteNow(version: string, reason: string, by: string, trigger: Trigger = 'promotion'): Promise<RolloutResult> {
    const target = await this.registry.require(version);
    if (target.status === 'production') throw new RegistryConflictError(`model version ${version} is already in production`);
    if (!target.artifact)
      throw new RegistryConflictError(
        `model version ${version} has no stored model (status ${target.status}): only a version that passed the gate can be promoted`,
      );
    // The artifact must load before anything is served from it.
    await this.registry.loadModel(target);
    const current = await this.registry.production();
    const previous = current && current._id !== version ? current._id : target.previous_production_version;
    await this.registry.transition(version, ['candidate', 'canary', 'retired'], {
      status: 'production',
      decision: 'promoted',
      reason,
      by,
      set: { promoted_at: this.registry.now(), previous_production_version: previous ?? null, retired_at: null },
    });
    const replaced = await this.registry.retireOthers('production', version, 'replaced', `replaced by ${version}`, by);
    this.setProductionGauge(version, replaced);
    const rec = await this.chain.afterModelChanged(this.today(), `model ${version} promoted`, trigger);
    this.logger.log(`model ${version} in production${replaced.length ? `, replacing ${replaced.join(', ')}` : ''}`, {
      version,
      reason,
      by,
    });
    return { version, decision: 'promoted', reason, recommendationJobId: rec.jobId };
  }

  /** Puts the previous production version back at once; the current one is retired as rolled back. */
  rollback(reason: string, by: string): Promise<RolloutResult & { replaced: string }> {
    return this.exclusive('rollback', () => this.rollbackNow(reason, by));
  }

  private async rollbackNow(reason: string, by: string): Promise<RolloutResult & { replaced: string }> {
    const current = await this.registry.production();
    if (!current) throw new RegistryConflictError('no model is in production: nothing to roll back');
    const previousId = current.previous_production_version;
    if (!previousId) throw new RegistryConflictError(`model ${current._id} has no previous production version to go back to`);
    const previous = await this.registry.require(previousId);
    if (!previous.artifact) throw new RegistryConflictError(`previous production version ${previousId} has no stored model`);
    await this.registry.loadModel(previous);
    const now = this.registry.now();
    await this.registry.transition(previousId, ['retired', 'canary', 'candidate'], {
      status: 'production',
      decision: 'restored',
      reason: `rollback from ${current._id}: ${reason}`,
      by,
      set: { promoted_at: now, retired_at: null },
    });
    await this.registry.transition(current._id, ['production'], {
      status: 'retired',
      decision: 'rolled_back',
      reason,
      by,
      set: { retired_at: now },
    });
    this.setProductionGauge(previousId, [current._id]);
    const rec = await this.chain.afterModelChanged(this.today(), `rollback from ${current._id} to ${previousId}`, 'rollback');
    this.logger.warn(`model ${current._id} rolled back to ${previousId}`, { reason, by });
    return { version: previousId, replaced: current._id, decision: 'rolled_back', reason, recommendationJobId: rec.jobId };
  }

  /**
   * CanaryReview: the next-day hit rates of canary and production users, tested (canary.ts). The
   * canary is promoted, rolled back, or kept another day with its next review scheduled; every
   * review is kept on the version's canary record and in its history.
   */
  reviewCanary(version: string): Promise<RolloutResult & { outcome?: CanaryOutcome }> {
    return this.exclusive(`review of canary ${version}`, () => this.reviewCanaryNow(version));
  }

  private async reviewCanaryNow(version: string): Promise<RolloutResult & { outcome?: CanaryOutcome }> {
    const v = await this.registry.get(version);
    if (!v || v.status !== 'canary' || !v.canary) {
      const reason = `model ${version} is ${v ? v.status : 'unknown'}, no longer in canary: nothing to review`;
      this.logger.log(reason, { version });
      return { version, decision: 'skipped', reason, recommendationJobId: null };
    }
    const prior = canaryReviewsOf(v.canary);
    const look = prior.length + 1;
    const outcome = await this.measureCanary(v, look);
    const now = this.registry.now();
    const record = reviewRecord(outcome, now, this.config.CANARY_DAYS);
    const canary: CanaryRecord = { ...v.canary, outcome: record, reviews: [...prior, record] };
    if (outcome.decision === 'wait') {
      canary.review_at = new Date(now.getTime() + DAY_MS);
      canary.review_job_id = this.chain.reviewJobId(version, look + 1);
      await this.registry.transition(version, ['canary'], {
        status: 'canary',
        decision: 'canary_waiting',
        reason: `canary ${outcome.reason}`,
        by: 'canary-review',
        set: { canary },
      });
      await this.chain.scheduleCanaryReview(version, DAY_MS, look + 1);
      this.logger.log(`canary ${version} kept another day: ${outcome.reason}`, { version, look });
      return { version, decision: 'waiting', reason: outcome.reason, recommendationJobId: null, outcome };
    }
    if (outcome.decision === 'promote') {
      await this.registry.transition(version, ['canary'], {
        status: 'canary',
        decision: 'canary_passed',
        reason: outcome.reason,
        by: 'canary-review',
        set: { canary },
      });
      const r = await this.promoteNow(version, `canary ${outcome.reason}`, 'canary-review', 'promotion');
      return { ...r, outcome };
    }
    await this.registry.transition(version, ['canary'], {
      status: 'rejected',
      decision: 'rolled_back',
      reason: `canary ${outcome.reason}`,
      by: 'canary-review',
      set: { canary, rejected_at: now },
    });
    const rec = await this.chain.afterModelChanged(this.today(), `canary ${version} rolled back`, 'rollback');
    this.logger.warn(`canary ${version} ${outcome.reason}`, { version, look });
    return { version, decision: 'rolled_back', reason: outcome.reason, recommendationJobId: rec.jobId, outcome };
  }

  async measureCanary(v: ModelVersionDoc, look: number): Promise<CanaryOutcome> {
    const canary = v.canary!;
    const playlists = await this.data.playlistsSince(new Date(canary.started_at));
    const users = new Set(playlists.map((p) => p.userId));
    // Playlists hold only unheard tracks, so listens from the canary's data anchor on are enough.
    const from = canary.data_anchor ? new Date(canary.data_anchor).getTime() - DAY_MS : 0;
    const listened = await this.data.listenedSince(from, users);
    return decideCanary(hitRates(playlists, v._id, listened), this.canaryTest(), look);
  }

  private setProductionGauge(version: string, replaced: readonly string[]): void {
    for (const r of replaced) this.metrics.modelProductionVersion.set({ version: r }, 0);
    this.metrics.modelProductionVersion.set({ version }, 1);
  }
}

/** What a review stores: the test, the figures, the decision. Looks are a day apart after the first at CANARY_DAYS. */
function reviewRecord(o: CanaryOutcome, at: Date, canaryDays: number): CanaryReviewRecord {
  const r = (v: number) => Number(v.toFixed(6));
  return {
    reviewed_at: at,
    look: o.look,
    max_looks: o.maxLooks,
    days: canaryDays + o.look - 1,
    test: o.test,
    confidence: o.confidence,
    look_confidence: r(o.lookConfidence),
    margin: o.margin,
    min_users: o.minUsers,
    canary: { ...o.canary, rate: r(o.canary.rate) },
    production: { ...o.production, rate: r(o.production.rate) },
    estimate: o.interval ? r(o.interval.estimate) : null,
    lower: o.interval ? r(o.interval.lower) : null,
    upper: o.interval ? r(o.interval.upper) : null,
    verdict: o.verdict,
    decision: o.decision,
    reason: o.reason,
  };
}
