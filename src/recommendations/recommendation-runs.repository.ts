import { Injectable } from '@nestjs/common';
import { InjectModel } from '@nestjs/mongoose';
import type { Collection, Document } from 'mongodb';
import type { Model } from 'mongoose';
import { insertIgnoringDuplicates } from '../database/duplicate-keys.js';
import { runRecordReads, type RunRecordReads } from '../monitoring/run-record-reads.js';
import { RECOMMENDATION_MODEL_NAMES, type RecommendationRunDoc, type RunStatus } from './recommendation.schemas.js';

/** The run records in `recommendation_runs`: created by the plan, closed by the finalize job. */
@Injectable()
export class RecommendationRunsRepository {
  private readonly runs: Collection<RecommendationRunDoc>;
  /** Monitoring's and the dashboard's reads of these records. */
  readonly records: RunRecordReads;

  constructor(@InjectModel(RECOMMENDATION_MODEL_NAMES.Run) runs: Model<RecommendationRunDoc>) {
    this.runs = runs.collection as unknown as Collection<RecommendationRunDoc>;
    this.records = runRecordReads(runs.collection as unknown as Collection<Document>);
  }

  /** Creates the record; a retried plan keeps the record its first attempt made. */
  async create(doc: RecommendationRunDoc): Promise<RecommendationRunDoc> {
    await insertIgnoringDuplicates(this.runs, [doc]);
    return (await this.get(doc._id)) ?? doc;
  }

  get(runId: string): Promise<RecommendationRunDoc | null> {
    return this.runs.findOne({ _id: runId });
  }

  async update(runId: string, set: Partial<RecommendationRunDoc>): Promise<void> {
    await this.runs.updateOne({ _id: runId }, { $set: set });
  }

  /** Newest first. */
  list(limit: number, status?: RunStatus): Promise<RecommendationRunDoc[]> {
    return this.runs
      .find(status ? { status } : {})
      .sort({ started_at: -1 })
      .limit(limit)
      .toArray();
  }

  /** Keys of the runs started at or after `since`, newest first: where a user's playlists can be. */
  async runKeysSince(since: Date): Promise<string[]> {
    const docs = await this.runs.find({ started_at: { $gte: since } }, { projection: { run_key: 1, started_at: 1 } }).toArray();
    return docs.sort((a, b) => b.started_at.getTime() - a.started_at.getTime() || (a._id < b._id ? 1 : -1)).map((d) => d.run_key);
  }
}
