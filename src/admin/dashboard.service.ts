import { Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { dateField, numberField, RunRecordsRepository, type RunRecord, type RunStage } from '../monitoring/run-records.repository.js';
import { QUEUE_STATES } from '../monitoring/scrape-collector.service.js';
import { withTimeout } from '../monitoring/timeout.js';
import { JobQueue } from '../queues/job-queue.service.js';

export interface RunRow {
  id: string;
  status: string;
  trigger: string | null;
  started_at: string | null;
  finished_at: string | null;
  duration_s: number | null;
  /** Decision, version, and the reason or the first line of the error, when the run records them. */
  detail: string | null;
}

export interface StagePanel {
  runs: RunRow[];
  /** Set when the collection could not be read. */
  error?: string;
}

export interface DashboardSummary {
  generated_at: string;
  production_model: { version: string; promoted_at: string | null; metrics: Record<string, number> } | null;
  production_model_error?: string;
  stages: Record<RunStage, StagePanel>;
  queues: Record<string, Record<string, number>>;
  queues_error?: string;
  links: Array<{ href: string; label: string }>;
}

export const STAGES: RunStage[] = ['ingestion', 'recommendations', 'training'];
export const RUNS_SHOWN = 5;

/** A run record as one dashboard row, whatever optional fields its stage records. */
export function runRow(doc: RunRecord): RunRow {
  const started = dateField(doc, 'started_at');
  const finished = dateField(doc, 'finished_at');
  const text = (v: unknown): string | null =>
    typeof v === 'string' && v
      ? v
      : v && typeof v === 'object' && typeof (v as { message?: unknown }).message === 'string'
        ? (v as { message: string }).message
        : null;
  const reason = text(doc.reason) ?? text(doc.error)?.split('\n', 1)[0] ?? null;
  const detail = [text(doc.decision), text(doc.version) ? `version ${text(doc.version)}` : null, reason]
    .filter((x) => x !== null)
    .join(' · ');
  return {
    id: String(doc.run_id ?? doc._id),
    status: String(doc.status ?? 'unknown'),
    trigger: typeof doc.trigger === 'string' ? doc.trigger : null,
    started_at: started?.toISOString() ?? null,
    finished_at: finished?.toISOString() ?? null,
    duration_s: numberField(doc, 'duration_s') ?? (started && finished ? (finished.getTime() - started.getTime()) / 1000 : null),
    detail: detail || null,
  };
}

function modelMetrics(doc: RunRecord): Record<string, number> {
  const m = doc.metrics;
  if (!m || typeof m !== 'object') return {};
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(m as Record<string, unknown>)) if (typeof v === 'number' && Number.isFinite(v)) out[k] = v;
  return out;
}

/** What the /admin page shows: last runs of each stage, the production model, queue counts. */
@Injectable()
export class DashboardService {
  constructor(
    private readonly runs: RunRecordsRepository,
    private readonly jobs: JobQueue,
    private readonly config: AppConfig,
  ) {}

  async summary(): Promise<DashboardSummary> {
    const bounded = <T>(p: Promise<T>, what: string) =>
      withTimeout(p, this.config.HEALTH_CHECK_TIMEOUT_MS, `${what} not read within ${this.config.HEALTH_CHECK_TIMEOUT_MS} ms`);
    const [stages, model, queues] = await Promise.all([
      Promise.all(
        STAGES.map((stage) =>
          bounded(this.runs.recent(stage, RUNS_SHOWN), stage).then(
            (docs): StagePanel => ({ runs: docs.map(runRow) }),
            (err: Error): StagePanel => ({ runs: [], error: err.message }),
          ),
        ),
      ),
      bounded(this.runs.productionModel(), 'model versions').then(
        (doc) => ({ doc }),
        (err: Error) => ({ doc: null, error: err.message }),
      ),
      bounded(Promise.all(this.jobs.all().map(async (q) => [q.name, await q.getJobCounts(...QUEUE_STATES)] as const)), 'queue counts').then(
        (entries) => ({ counts: Object.fromEntries(entries) as Record<string, Record<string, number>> }),
        (err: Error) => ({ counts: {}, error: err.message }),
      ),
    ]);
    const summary: DashboardSummary = {
      generated_at: new Date().toISOString(),
      production_model: model.doc
        ? {
            version: String(model.doc.version ?? model.doc._id),
            promoted_at: dateField(model.doc, 'promoted_at')?.toISOString() ?? null,
            metrics: modelMetrics(model.doc),
          }
        : null,
      stages: Object.fromEntries(STAGES.map((s, i) => [s, stages[i]!])) as Record<RunStage, StagePanel>,
      queues: queues.counts,
      links: [
        { href: '/admin/queues', label: 'Bull Board (queues and jobs)' },
        { href: '/metrics', label: 'Prometheus metrics' },
        { href: '/health', label: 'Health and data freshness' },
        { href: '/health/ready', label: 'Readiness' },
        { href: '/docs', label: 'API documentation' },
      ],
    };
    if ('error' in model && model.error) summary.production_model_error = model.error;
    if ('error' in queues && queues.error) summary.queues_error = queues.error;
    return summary;
  }
}
