import { Injectable } from '@nestjs/common';
import { IngestionRunsRepository } from '../ingestion/ingestion-runs.repository.js';
import { RecommendationRunsRepository } from '../recommendations/recommendation-runs.repository.js';
import { ModelRegistry } from '../training/registry/model-registry.service.js';
import { TrainingRunsRepository } from '../training/registry/training-runs.repository.js';
import type { RunRecord, RunRecordReads } from './run-record-reads.js';

export { dateField, numberField, runEndpoints, SOURCE_ENDPOINTS, SUCCESS_STATUSES, type RunRecord } from './run-record-reads.js';

/** The stages that keep run records. */
export const RUN_STAGES = ['ingestion', 'recommendations', 'training'] as const;
export type RunStage = (typeof RUN_STAGES)[number];

/**
 * Read access to every stage's run records, by the fields every stage records (`status`,
 * `started_at`, `finished_at`); anything else is read when present. Each read goes through the
 * repository of the module that owns the collection. A missing collection reads as empty.
 */
@Injectable()
export class RunRecordsRepository {
  private readonly stages: Record<RunStage, RunRecordReads>;

  constructor(
    ingestion: IngestionRunsRepository,
    recommendations: RecommendationRunsRepository,
    training: TrainingRunsRepository,
    private readonly models: ModelRegistry,
  ) {
    this.stages = { ingestion: ingestion.records, recommendations: recommendations.records, training: training.records };
  }

  /** The reads of one stage's run records. */
  of(stage: RunStage): RunRecordReads {
    return this.stages[stage];
  }

  /** The successful run of a stage that finished last, or null. */
  lastSuccess(stage: RunStage): Promise<RunRecord | null> {
    return this.stages[stage].lastSuccess();
  }

  /** The most recent runs of a stage, newest first. */
  recent(stage: RunStage, limit: number): Promise<RunRecord[]> {
    return this.stages[stage].recent(limit);
  }

  /** The model version in production, or null while there is none. */
  productionModel(): Promise<RunRecord | null> {
    return this.models.productionRecord();
  }

  /** The newest `limit` model versions, without their artifact record. */
  modelVersions(limit: number): Promise<RunRecord[]> {
    return this.models.newestRecords(limit);
  }
}
