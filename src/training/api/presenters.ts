import { z } from 'zod';
import { enumParam, intParam, optionalJsonBody } from '../../common/request-validation.js';
import { MODEL_STATUSES, type ModelVersionDoc, type TrainingRunDoc } from '../registry/registry.schemas.js';

/** limit and offset of a list. */
export const limitParam = intParam(1, 100, 20);
export const offsetParam = intParam(0, 1_000_000, 0);
export const statusParam = enumParam(MODEL_STATUSES);

const reason = z
  .string({ error: 'must be a non-empty string of at most 500 characters, in a JSON body {"reason": "..."}' })
  .trim()
  .min(1, { error: 'must be a non-empty string of at most 500 characters, in a JSON body {"reason": "..."}' })
  .max(500, { error: 'must be a non-empty string of at most 500 characters, in a JSON body {"reason": "..."}' });

/** Body of POST /models/rollback: a reason is required. */
export const rollbackBody = optionalJsonBody({ reason }, '{"reason": "..."}');
/** Body of POST /models/:version/promote: a reason may be given. */
export const promoteBody = optionalJsonBody({ reason: reason.optional() }, '{"reason": "..."}');

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
