import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { ENDPOINTS } from '../ingestion/endpoints.js';
import { IngestionRunsRepository } from '../ingestion/ingestion-runs.repository.js';
import { JobName, type JobPayloads } from '../queues/job-catalogue.js';
import { OnJob } from '../queues/on-job.js';
import { ModelRegistry } from '../training/registry/model-registry.service.js';

const DAY_MS = 24 * 3600 * 1000;
/** Run statuses whose checkpoint log may still be resumed from: never pruned. */
const LIVE_RUN_STATUSES = ['running', 'retrying'];
/** Model statuses whose stored factors may be served or promoted again: never pruned. */
const KEPT_MODEL_STATUSES = ['production', 'canary', 'candidate'];

export interface RetentionResult {
  raw_folders: number;
  rejected_records: number;
  checkpoints: number;
  checkpoint_runs: string[];
  model_artifacts: string[];
}

/**
 * The retention job (RETENTION_CRON, maintenance queue): what grows with every run and nothing
 * reads back after a while. Raw zone folders by run date, rejected records, checkpoint logs of
 * failed ingestion runs, and the factor chunks of retired or rejected model versions (their records
 * stay, with `artifact: null`: they can no longer be promoted). Each kind has its own number of days
 * (0 keeps it for ever). A scheduled job rather than TTL indexes, which FerretDB does not have.
 */
@Injectable()
export class DataRetentionService {
  private readonly logger = new Logger('DataRetention');
  /** Replaceable clock (tests). */
  now: () => Date = () => new Date();

  constructor(
    private readonly config: AppConfig,
    private readonly ingestionRuns: IngestionRunsRepository,
    private readonly registry: ModelRegistry,
  ) {}

  @OnJob(JobName.DataRetention)
  async onRetention(payload: JobPayloads[JobName.DataRetention]): Promise<RetentionResult> {
    const c = this.config;
    const now = this.now().getTime();
    const cutoff = (days: number) => (days > 0 ? new Date(now - days * DAY_MS) : null);
    const rawCutoff = cutoff(c.RAW_RETENTION_DAYS);
    const rejectedCutoff = cutoff(c.REJECTED_RETENTION_DAYS);
    const checkpointCutoff = cutoff(c.CHECKPOINT_RETENTION_DAYS);
    const modelCutoff = cutoff(c.MODEL_ARTIFACT_RETENTION_DAYS);
    const checkpoints = checkpointCutoff ? await this.pruneCheckpoints(checkpointCutoff) : { documents: 0, runs: [] };
    const result: RetentionResult = {
      raw_folders: rawCutoff ? await this.pruneRaw(rawCutoff) : 0,
      rejected_records: rejectedCutoff ? await this.pruneRejected(rejectedCutoff) : 0,
      checkpoints: checkpoints.documents,
      checkpoint_runs: checkpoints.runs,
      model_artifacts: modelCutoff ? await this.pruneArtifacts(modelCutoff) : [],
    };
    this.logger.log('retention applied', { ...result, runDate: payload.runDate, trigger: payload.trigger });
    return result;
  }

  /** RAW_EXPORT_DIR/<endpoint>/run_date=YYYY-MM-DD folders of days before the cutoff's day. */
  async pruneRaw(cutoff: Date): Promise<number> {
    const day = cutoff.toISOString().slice(0, 10);
    let removed = 0;
    for (const endpoint of ENDPOINTS) {
      const dir = join(this.config.RAW_EXPORT_DIR, endpoint);
      const entries = await readdir(dir, { withFileTypes: true }).catch((err: NodeJS.ErrnoException) => {
        if (err.code === 'ENOENT') return [];
        throw err;
      });
      for (const e of entries) {
        const m = /^run_date=(\d{4}-\d{2}-\d{2})$/.exec(e.name);
        if (!e.isDirectory() || !m || m[1]! >= day) continue;
        await rm(join(dir, e.name), { recursive: true, force: true });
        removed++;
      }
    }
    return removed;
  }

  async pruneRejected(cutoff: Date): Promise<number> {
    return this.ingestionRuns.deleteRejectedBefore(cutoff);
  }

  /** Checkpoint logs older than the cutoff of runs that failed (or have no record); a live run's are kept. */
  async pruneCheckpoints(cutoff: Date): Promise<{ documents: number; runs: string[] }> {
    const runIds = await this.ingestionRuns.checkpointRunsBefore(cutoff);
    const stale: string[] = [];
    for (const id of runIds) {
      const status = await this.ingestionRuns.statusOf(id);
      if (status === null || !LIVE_RUN_STATUSES.includes(status)) stale.push(id);
    }
    if (stale.length === 0) return { documents: 0, runs: [] };
    const documents = await this.ingestionRuns.deleteCheckpointsOf(stale);
    return { documents, runs: stale.sort() };
  }

  /** Factor chunks of retired or rejected versions last changed before the cutoff, but never production's rollback target. */
  async pruneArtifacts(cutoff: Date): Promise<string[]> {
    const all = await this.registry.retentionView();
    const keep = new Set(
      all
        .filter((v) => KEPT_MODEL_STATUSES.includes(v.status))
        .flatMap((v) => [v._id, v.status === 'production' ? v.previous_production_version : null]),
    );
    const pruned: string[] = [];
    for (const v of all) {
      if (keep.has(v._id) || !v.artifact || !(v.updated_at < cutoff)) continue;
      await this.registry.pruneArtifact(v._id, this.now());
      pruned.push(v._id);
    }
    return pruned.sort();
  }
}
