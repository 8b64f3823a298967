/**
 * The model families the registry, the gate and serving know: ALS (latent factors), and the
 * item-to-item families EASE and RP3beta. A ModelSpec is what a search chooses and a run record
 * shows; a TrainedModel is what an artifact holds.
 */
import {
  buildInteractions,
  trainAlsMatrix,
  type AlsModel,
  type AlsSettings,
  type InteractionMatrix,
  type Listen,
  type TrainOptions,
} from './als.js';
import { isItemModel, trainEase, trainRp3beta, type EaseSettings, type ItemModel, type Rp3betaSettings } from './item-model.js';

export type ModelFamily = 'als' | 'ease' | 'rp3beta';
export const MODEL_FAMILIES: readonly ModelFamily[] = ['als', 'ease', 'rp3beta'];

export type ModelSpec =
  { family: 'als'; settings: AlsSettings } | { family: 'ease'; settings: EaseSettings } | { family: 'rp3beta'; settings: Rp3betaSettings };

export type TrainedModel = AlsModel | ItemModel;

export function familyOf(model: TrainedModel): ModelFamily {
  return isItemModel(model) ? model.family : 'als';
}

export function specOf(model: TrainedModel): ModelSpec {
  if (isItemModel(model))
    return model.family === 'ease'
      ? { family: 'ease', settings: model.settings as EaseSettings }
      : { family: 'rp3beta', settings: model.settings as Rp3betaSettings };
  return { family: 'als', settings: model.settings };
}

export async function trainSpec(
  spec: ModelSpec,
  data: readonly Listen[] | InteractionMatrix,
  options: TrainOptions = {},
): Promise<TrainedModel> {
  const m = Array.isArray(data) ? buildInteractions(data as readonly Listen[]) : (data as InteractionMatrix);
  switch (spec.family) {
    case 'als':
      return trainAlsMatrix(m, spec.settings, options);
    case 'ease':
      return trainEase(m, spec.settings);
    case 'rp3beta':
      return trainRp3beta(m, spec.settings);
  }
}

/** One line for logs and reports: the family and its settings. */
export function describeSpec(spec: ModelSpec): string {
  const s = spec.settings as unknown as Record<string, unknown>;
  return `${spec.family} ${Object.entries(s)
    .map(([k, v]) => `${k}=${typeof v === 'number' ? Number(v.toPrecision(4)) : String(v)}`)
    .join(' ')}`;
}

/** The training data's median count per (user, track): the unit in which every family reads counts. */
export function medianCount(m: InteractionMatrix): number {
  const d = m.counts.data;
  const n = m.counts.indptr[m.counts.rows];
  if (n === 0) return 1;
  const sorted = Float64Array.from(d.subarray(0, n)).sort();
  const mid = sorted.length >> 1;
  const v = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return v > 0 ? v : 1;
}
