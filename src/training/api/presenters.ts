import { BadRequestException } from '@nestjs/common';
import { MODEL_STATUSES, type ModelStatus, type ModelVersionDoc, type TrainingRunDoc } from '../registry/registry.schemas.js';

/** limit (1..100, default 20) and offset (>= 0, default 0) of a list; a bad one answers 400 naming it. */
export function parsePaging(limit: string | undefined, offset: string | undefined): { limit: number; offset: number } {
  const int = (name: string, raw: string | undefined, def: number, min: number, max: number) => {
    if (raw === undefined || raw === '') return def;
    const v = Number(raw);
    if (!/^\d+$/.test(raw) || !Number.isSafeInteger(v) || v < min || v > max) {
      throw new BadRequestException({ statusCode: 400, error: 'Bad Request', message: `${name} must be an integer from ${min} to ${max}, got "${raw}"`, parameter: name });
    }
    return v;
  };
  return { limit: int('limit', limit, 20, 1, 100), offset: int('offset', offset, 0, 0, 1_000_000) };
}

export function parseStatus(raw: string | undefined): ModelStatus | undefined {
  if (raw === undefined || raw === '') return undefined;
  if (!(MODEL_STATUSES as readonly string[]).includes(raw)) {
    throw new BadRequestException({ statusCode: 400, error: 'Bad Request', message: `status must be one of ${MODEL_STATUSES.join(', ')}, got "${raw}"`, parameter: 'status' });
  }
  return raw as ModelStatus;
}

/** A body's `reason`: a non-empty string of at most 500 characters (required or optional). */
export function parseReason(body: unknown, required: boolean): string | undefined {
  const reason = body && typeof body === 'object' ? (body as { reason?: unknown }).reason : undefined;
  if (reason === undefined && !required) return undefined;
  if (typeof reason !== 'string' || reason.trim() === '' || reason.length > 500) {
    throw new BadRequestException({ statusCode: 400, error: 'Bad Request', message: 'reason must be a non-empty string of at most 500 characters, in a JSON body {"reason": "..."}', parameter: 'reason' });
  }
  return reason.trim();
}

/** A version without its change history (GET /models/:version returns it whole). */
export function presentVersionSummary(v: ModelVersionDoc) {
  return {
    version: v._id,
    status: v.status,
    decision: v.decision,
    reason: v.reason,
    run_id: v.run_id,
    window: v.window,
    sizes: v.sizes,
    family: v.family ?? 'als',
    settings: v.settings,
    metrics: v.metrics,
    baselines: v.baselines,
    artifact: v.artifact,
    canary: v.canary,
    previous_production_version: v.previous_production_version,
    created_at: v.created_at,
    updated_at: v.updated_at,
    canary_at: v.canary_at,
    promoted_at: v.promoted_at,
    retired_at: v.retired_at,
    rejected_at: v.rejected_at,
  };
}

export function presentVersion(v: ModelVersionDoc) {
  return { ...presentVersionSummary(v), history: v.history ?? [] };
}

export function presentRun(r: TrainingRunDoc) {
  const { _id, ...rest } = r;
  return { run_id: _id, ...rest };
}
