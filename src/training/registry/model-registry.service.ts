import { Injectable, Logger } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Model } from 'mongoose';
import type { RunRecord } from '../../monitoring/run-record-reads.js';
import type { TrainedModel } from '../model/model.js';
import { ArtifactStore } from './artifact-store.js';
import { TRAINING_MODEL_NAMES, type ModelStatus, type ModelVersionDoc, type StatusChange } from './registry.schemas.js';

/** Loaded models a process keeps. */
export const MODEL_CACHE_SIZE = 4;

/** A version as the retention job sees it. */
export interface RetentionVersion {
  _id: string;
  status: string;
  artifact: unknown;
  previous_production_version: string | null;
  updated_at: Date;
}

export class RegistryConflictError extends Error {
  override name = 'RegistryConflictError';
}

export class VersionNotFoundError extends Error {
  override name = 'VersionNotFoundError';
}

export interface StatusUpdate {
  status: ModelStatus;
  decision: string;
  reason: string;
  by: string;
  /** Other fields set with the status. */
  set?: Partial<ModelVersionDoc>;
}

/**
 * The model_versions collection and the artifacts behind it. Versions are immutable once stored,
 * so a loaded model is cached by version for the life of the process; the production and canary
 * versions are read from MongoDB each time they are asked for, so every process follows a change.
 */
@Injectable()
export class ModelRegistry {
  private readonly logger = new Logger('ModelRegistry');
  private readonly cache = new Map<string, Promise<TrainedModel>>();
  /** Replaceable clock for tests. */
  now: () => Date = () => new Date();

  constructor(
    @InjectModel(TRAINING_MODEL_NAMES.ModelVersion) private readonly versions: Model<ModelVersionDoc>,
    private readonly artifacts: ArtifactStore,
  ) {}

  async create(doc: ModelVersionDoc): Promise<void> {
    await this.versions.create(doc);
  }

  async get(version: string): Promise<ModelVersionDoc | null> {
    return this.versions.findById(version).lean<ModelVersionDoc>().exec();
  }

  async require(version: string): Promise<ModelVersionDoc> {
    const v = await this.get(version);
    if (!v) throw new VersionNotFoundError(`model version ${version} does not exist`);
    return v;
  }

  /** Newest first. */
  async list(opts: { status?: ModelStatus; limit: number; skip?: number }): Promise<ModelVersionDoc[]> {
    const filter = opts.status ? { status: opts.status } : {};
    return this.versions
      .find(filter)
      .sort({ created_at: -1, _id: -1 })
      .skip(opts.skip ?? 0)
      .limit(opts.limit)
      .lean<ModelVersionDoc[]>()
      .exec();
  }

  async count(status?: ModelStatus): Promise<number> {
    return this.versions.countDocuments(status ? { status } : {}).exec();
  }

  /** The production version's record as monitoring reads it (no order: any production version). */
  async productionRecord(): Promise<RunRecord | null> {
    return ((await this.versions.collection.findOne({ status: 'production' })) as RunRecord | null) ?? null;
  }

  /** The newest `limit` versions without their artifact record (the dashboard's timeline). */
  async newestRecords(limit: number): Promise<RunRecord[]> {
    return (await this.versions.collection
      .find({}, { projection: { artifact: 0 } })
      .sort({ created_at: -1 })
      .limit(limit)
      .toArray()) as unknown as RunRecord[];
  }

  /** Every version's status, artifact record, rollback target and last change: what the retention job decides on. */
  retentionView(): Promise<RetentionVersion[]> {
    return this.versions.collection
      .find({}, { projection: { status: 1, artifact: 1, previous_production_version: 1, updated_at: 1 } })
      .toArray() as unknown as Promise<RetentionVersion[]>;
  }

  /** Deletes a version's stored factors and records that it has none: it can no longer be served or promoted. */
  async pruneArtifact(version: string, at: Date): Promise<void> {
    await this.artifacts.removeAll(version);
    await this.versions.collection.updateOne({ _id: version } as never, { $set: { artifact: null, artifact_pruned_at: at } });
  }

  /** The production version; if a promotion left two for a moment, the one promoted last. */
  async production(): Promise<ModelVersionDoc | null> {
    const docs = await this.versions.find({ status: 'production' }).sort({ promoted_at: -1 }).limit(1).lean<ModelVersionDoc[]>().exec();
    return docs[0] ?? null;
  }

  async canary(): Promise<ModelVersionDoc | null> {
    const docs = await this.versions.find({ status: 'canary' }).sort({ canary_at: -1 }).limit(1).lean<ModelVersionDoc[]>().exec();
    return docs[0] ?? null;
  }

  /**
   * Moves a version to a new status only if it is still in one of `from` (a concurrent change
   * makes this a conflict rather than a silent overwrite). Records the change in its history.
   */
  async transition(version: string, from: readonly ModelStatus[], u: StatusUpdate): Promise<ModelVersionDoc> {
    const at = this.now();
    const change: StatusChange = { at, status: u.status, decision: u.decision, reason: u.reason, by: u.by };
    const res = await this.versions
      .updateOne(
        { _id: version, status: { $in: [...from] } },
        { $set: { ...u.set, status: u.status, decision: u.decision, reason: u.reason, updated_at: at }, $push: { history: change } },
      )
      .exec();
    if (res.matchedCount === 0) {
      const current = await this.get(version);
      if (!current) throw new VersionNotFoundError(`model version ${version} does not exist`);
      throw new RegistryConflictError(`model version ${version} is ${current.status}; expected ${from.join(' or ')}`);
    }
    return this.require(version);
  }

  /** Retires every version in `status` but `keep` (e.g. the production version a promotion replaced). */
  async retireOthers(status: ModelStatus, keep: string, decision: string, reason: string, by: string): Promise<string[]> {
    const others = await this.versions
      .find({ status, _id: { $ne: keep } }, { _id: 1 })
      .lean<Array<{ _id: string }>>()
      .exec();
    const retired: string[] = [];
    for (const o of others) {
      try {
        await this.transition(o._id, [status], { status: 'retired', decision, reason, by, set: { retired_at: this.now() } });
        retired.push(o._id);
      } catch (err) {
        if (!(err instanceof RegistryConflictError)) throw err;
      }
    }
    return retired;
  }

  /**
   * The trained model of a version, loaded once per process (checksum checked on load) and kept
   * among the MODEL_CACHE_SIZE used last: production, canary, the previous production, a pinned one.
   */
  loadModel(version: ModelVersionDoc): Promise<TrainedModel> {
    const artifact = version.artifact;
    if (!artifact)
      return Promise.reject(new RegistryConflictError(`model version ${version._id} has no artifact (status ${version.status})`));
    let p = this.cache.get(version._id);
    if (p) {
      // Re-inserted: Map order is the recency order.
      this.cache.delete(version._id);
      this.cache.set(version._id, p);
      return p;
    }
    const t0 = performance.now();
    p = this.artifacts.load(version._id, artifact).then((m) => {
      this.logger.log(`model ${version._id} loaded`, {
        version: version._id,
        bytes: artifact.bytes,
        ms: Math.round(performance.now() - t0),
      });
      return m;
    });
    this.cache.set(version._id, p);
    p.catch(() => this.cache.delete(version._id));
    while (this.cache.size > MODEL_CACHE_SIZE) this.cache.delete(this.cache.keys().next().value!);
    return p;
  }

  evict(version: string): void {
    this.cache.delete(version);
  }

  cachedVersions(): string[] {
    return [...this.cache.keys()];
  }
}
