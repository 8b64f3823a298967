import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Collection, Document } from 'mongodb';
import type { Model } from 'mongoose';
import { runRecordReads, type RunRecordReads } from '../../monitoring/run-record-reads.js';
import { TRAINING_MODEL_NAMES, type TrainingRunDoc } from './registry.schemas.js';

/** The training_runs collection: one record per run, written as the run goes. */
@Injectable()
export class TrainingRunsRepository {
  /** Monitoring's and the dashboard's reads of these records. */
  readonly records: RunRecordReads;

  constructor(@InjectModel(TRAINING_MODEL_NAMES.TrainingRun) private readonly runs: Model<TrainingRunDoc>) {
    this.records = runRecordReads(runs.collection as unknown as Collection<Document>);
  }

  async start(doc: TrainingRunDoc): Promise<void> {
    await this.runs.create(doc);
  }

  async update(runId: string, set: Partial<TrainingRunDoc>): Promise<void> {
    await this.runs.updateOne({ _id: runId }, { $set: set }).exec();
  }

  async get(runId: string): Promise<TrainingRunDoc | null> {
    return this.runs.findById(runId).lean<TrainingRunDoc>().exec();
  }

  /** Newest first. */
  async list(limit: number, skip = 0): Promise<TrainingRunDoc[]> {
    return this.runs.find({}).sort({ started_at: -1, _id: -1 }).skip(skip).limit(limit).lean<TrainingRunDoc[]>().exec();
  }

  async count(): Promise<number> {
    return this.runs.countDocuments({}).exec();
  }

  /** The run a BullMQ job created (a retried attempt finds its earlier record). */
  async byJob(jobId: string): Promise<TrainingRunDoc[]> {
    return this.runs.find({ job_id: jobId }).sort({ started_at: -1 }).lean<TrainingRunDoc[]>().exec();
  }
}
