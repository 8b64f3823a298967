/**
 * The model search's settings, read from the same declarations (src/config/settings.ts) and the
 * same environment and .env as the service, so `npm run evaluate` with no flags searches exactly
 * as the weekly retraining does.
 */
import { processEnvWithDotenv } from '../../config/load-config.js';
import { SETTINGS, type Settings } from '../../config/settings.js';
import type { ModelFamily } from './model.js';
import type { RelativeAlsSettings } from './selection.js';

export interface SearchSettings {
  als: RelativeAlsSettings;
  trials: number;
  budgetSeconds: number;
  families: ModelFamily[];
  easeMaxItems: number;
}

const KEYS = [
  'ALS_FACTORS',
  'ALS_REGULARIZATION',
  'ALS_ALPHA',
  'ALS_CONFIDENCE',
  'ALS_ITERATIONS',
  'ALS_CG_STEPS',
  'ALS_SEED',
  'TUNING_TRIALS',
  'MODEL_SEARCH_SECONDS',
  'MODEL_FAMILIES',
  'EASE_MAX_ITEMS',
] as const;
type Key = (typeof KEYS)[number];

export function searchSettingsFrom(c: Pick<Settings, Key>): SearchSettings {
  return {
    als: {
      factors: c.ALS_FACTORS,
      regularization: c.ALS_REGULARIZATION,
      alpha: c.ALS_ALPHA,
      confidence: c.ALS_CONFIDENCE,
      iterations: c.ALS_ITERATIONS,
      cgSteps: c.ALS_CG_STEPS,
      seed: c.ALS_SEED,
    },
    trials: c.TUNING_TRIALS,
    budgetSeconds: c.MODEL_SEARCH_SECONDS,
    families: [...c.MODEL_FAMILIES],
    easeMaxItems: c.EASE_MAX_ITEMS,
  };
}

/** The search settings of the environment (and .env), each validated; throws naming the variable. */
export function searchSettingsFromEnv(env: Record<string, string | undefined> = processEnvWithDotenv()): SearchSettings {
  const out: Record<string, unknown> = {};
  for (const key of KEYS) {
    const spec = SETTINGS[key];
    const parsed = spec.schema.safeParse(env[key] ?? spec.default);
    if (!parsed.success)
      throw new Error(`${key}: ${parsed.error.issues.map((i) => i.message).join('; ')} (got ${JSON.stringify(env[key])})`);
    out[key] = parsed.data;
  }
  return searchSettingsFrom(out as Pick<Settings, Key>);
}
