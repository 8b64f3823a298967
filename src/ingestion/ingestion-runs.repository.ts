import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Collection, Document } from 'mongodb';
import type { Model } from 'mongoose';
import { insertIgnoringDuplicates } from '../database/duplicate-keys.js';
import { runRecordReads, type RunRecordReads } from '../monitoring/run-record-reads.js';
import { ENDPOINTS, type Endpoint } from './endpoints.js';
import { INGESTION_MODEL_NAMES, type CheckpointDoc, type EndpointRun, type IngestionRunDoc, type RunStatus } from './ingestion.schemas.js';
import type { RejectedRecordDoc } from './page-plan.js';

export function emptyEndpointRun(): EndpointRun {
  return {
    status: 'pending',
    total: null,
    pages: 0,
    passes: 0,
    fetched: 0,
    inserted: 0,
    updated: 0,
    unchanged: 0,
    rejected: 0,
    retries: 0,
    quarantined: 0,
    events_inserted: 0,
    duration_s: 0,
    started_at: null,
    finished_at: null,
    error: null,
  };
}

/** ingestion_runs (one record per run), its checkpoint log, and rejected_records. */
@Injectable()
export class IngestionRunsRepository {
  /** Monitoring's and the dashboard's reads of the run records. */
  readonly records: RunRecordReads;

  constructor(
    @InjectModel(INGESTION_MODEL_NAMES.Run) private readonly runs: Model<IngestionRunDoc>,
    @InjectModel(INGESTION_MODEL_NAMES.Rejected) private readonly rejected: Model<RejectedRecordDoc>,
    @InjectModel(INGESTION_MODEL_NAMES.Checkpoint) private readonly checkpoints: Model<CheckpointDoc>,
  ) {
    this.records = runRecordReads(runs.collection as unknown as Collection<Document>);
  }

  async get(runId: string): Promise<IngestionRunDoc | null> {
    return this.runs.findById(runId).lean<IngestionRunDoc>().exec();
  }

  /** Newest first. */
  async list(limit: number, status?: RunStatus): Promise<IngestionRunDoc[]> {
    return this.runs
      .find(status ? { status } : {})
      .sort({ started_at: -1 })
      .limit(limit)
      .lean<IngestionRunDoc[]>()
      .exec();
  }

  /** The last `limit` successful runs that finished before `before`, newest first. */
  async previousSuccessful(limit: number, before: Date, excludeId: string): Promise<IngestionRunDoc[]> {
    return this.runs
      .find({ status: { $in: ['succeeded', 'succeeded_with_rejections'] }, finished_at: { $lt: before }, _id: { $ne: excludeId } })
      .sort({ finished_at: -1 })
      .limit(limit)
      .lean<IngestionRunDoc[]>()
      .exec();
  }

  /** Starts an attempt: creates the record on the first one, marks it running again on the next. */
  async beginAttempt(
    run: Pick<IngestionRunDoc, '_id' | 'run_date' | 'trigger' | 'attempts' | 'max_attempts'>,
    now: Date,
  ): Promise<IngestionRunDoc> {
    const existing = await this.get(run._id);
    if (existing) {
      await this.update(run._id, {
        status: 'running',
        attempts: run.attempts,
        max_attempts: run.max_attempts,
        error: null,
        finished_at: null,
      });
      return { ...existing, status: 'running', attempts: run.attempts, max_attempts: run.max_attempts, error: null, finished_at: null };
    }
    const doc: IngestionRunDoc = {
      ...run,
      status: 'running',
      started_at: now,
      finished_at: null,
      duration_s: null,
      error: null,
      endpoints: Object.fromEntries(ENDPOINTS.map((e) => [e, emptyEndpointRun()])) as Record<Endpoint, EndpointRun>,
      records_fetched: 0,
      anomaly: null,
    };
    await this.runs.collection.insertOne(doc as never);
    return doc;
  }

  async update(runId: string, set: Record<string, unknown>): Promise<void> {
    await this.runs.collection.updateOne({ _id: runId } as never, { $set: set });
  }

  async setEndpoint(runId: string, endpoint: Endpoint, state: EndpointRun): Promise<void> {
    await this.update(runId, { [`endpoints.${endpoint}`]: state });
  }

  async appendCheckpoint(entry: CheckpointDoc): Promise<void> {
    await this.checkpoints.collection.insertOne(entry as never);
  }

  async checkpointsOf(runId: string, endpoint: Endpoint): Promise<CheckpointDoc[]> {
    return this.checkpoints.find({ run_id: runId, endpoint }).lean<CheckpointDoc[]>().exec();
  }

  /** A finished run needs no checkpoints. */
  async dropCheckpoints(runId: string): Promise<void> {
    await this.checkpoints.deleteMany({ run_id: runId }).exec();
  }

  /** Inserts rejected records; ids already there (a page re-processed after a crash) are skipped. */
  async insertRejected(docs: readonly RejectedRecordDoc[]): Promise<void> {
    if (docs.length === 0) return;
    await insertIgnoringDuplicates(this.rejected.collection, docs);
  }

  async rejectedOf(runId: string, endpoint?: Endpoint, limit = 1000): Promise<RejectedRecordDoc[]> {
    return this.rejected
      .find(endpoint ? { run_id: runId, endpoint } : { run_id: runId })
      .limit(limit)
      .lean<RejectedRecordDoc[]>()
      .exec();
  }

  // The retention job's deletes (src/pipeline/data-retention.service.ts decides what goes).

  /** Deletes the rejected records stored before `cutoff`; returns how many. */
  async deleteRejectedBefore(cutoff: Date): Promise<number> {
    return (await this.rejected.collection.deleteMany({ created_at: { $lt: cutoff } })).deletedCount;
  }

  /** Ids of the runs with checkpoints stored before `cutoff`. */
  async checkpointRunsBefore(cutoff: Date): Promise<string[]> {
    return (await this.checkpoints.collection.distinct('run_id', { created_at: { $lt: cutoff } })) as string[];
  }

  /** A run's status, or null when it has no record. */
  async statusOf(runId: string): Promise<string | null> {
    const run = await this.runs.collection.findOne({ _id: runId } as never, { projection: { status: 1 } });
    return (run?.status as string | undefined) ?? null;
  }

  /** Deletes the checkpoint logs of these runs; returns how many documents. */
  async deleteCheckpointsOf(runIds: readonly string[]): Promise<number> {
    return (await this.checkpoints.collection.deleteMany({ run_id: { $in: [...runIds] } })).deletedCount;
  }
}
