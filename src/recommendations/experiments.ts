import { z } from 'zod';

/** The recommenders a variant can be mapped to. */
export const RECOMMENDER_NAMES = ['hybrid', 'popularity', 'genre', 'model'] as const;
export type RecommenderName = (typeof RECOMMENDER_NAMES)[number];

const name = z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, { message: 'expected 1 to 64 letters, digits, "_", "." or "-"' });

const variantSchema = z
  .object({
    name,
    weight: z.number({ error: 'expected a number' }).finite().min(0, { message: 'expected a weight >= 0' }),
    recommender: z.enum(RECOMMENDER_NAMES, { error: `expected one of ${RECOMMENDER_NAMES.join(', ')}` }),
    modelVersion: z.string().min(1).optional(),
  })
  .strict()
  .refine((v) => v.modelVersion === undefined || v.recommender === 'model', {
    message: 'modelVersion is only allowed with recommender "model"',
    path: ['modelVersion'],
  });

const experimentSchema = z
  .object({
    name,
    /** Share of all users (percent) in this experiment; by default the experiments split what is left evenly. */
    traffic: z.number().finite().min(0).max(100).optional(),
    variants: z.array(variantSchema).min(1, { message: 'expected at least one variant' }),
  })
  .strict()
  .superRefine((e, ctx) => {
    const seen = new Set<string>();
    e.variants.forEach((v, i) => {
      if (seen.has(v.name)) ctx.addIssue({ code: 'custom', message: `duplicate variant name "${v.name}"`, path: ['variants', i, 'name'] });
      seen.add(v.name);
    });
    if (e.variants.reduce((s, v) => s + v.weight, 0) <= 0)
      ctx.addIssue({ code: 'custom', message: 'the weights of the variants must add up to more than 0', path: ['variants'] });
  });

const experimentsSchema = z.array(experimentSchema).superRefine((list, ctx) => {
  const seen = new Set<string>();
  list.forEach((e, i) => {
    if (seen.has(e.name)) ctx.addIssue({ code: 'custom', message: `duplicate experiment name "${e.name}"`, path: [i, 'name'] });
    seen.add(e.name);
  });
  const explicit = list.reduce((s, e) => s + (e.traffic ?? 0), 0);
  if (explicit > 100)
    ctx.addIssue({ code: 'custom', message: `the traffic of the experiments adds up to ${explicit}%, more than 100%`, path: [] });
});

export type VariantConfig = z.output<typeof variantSchema>;
export interface Experiment {
  name: string;
  variants: VariantConfig[];
  /** The experiment's slice of the user space, [from, to) in percent. */
  from: number;
  to: number;
}

export class ExperimentsConfigError extends Error {
  override name = 'ExperimentsConfigError';
}

/**
 * Parses and validates the EXPERIMENTS setting; throws naming the first problem's path, e.g.
 * `EXPERIMENTS[0].variants[1].weight: expected a weight >= 0`. Experiments take consecutive slices
 * of the user space, so a user is in at most one of them.
 */
export function parseExperiments(raw: string): Experiment[] {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (err) {
    throw new ExperimentsConfigError(`EXPERIMENTS is not valid JSON: ${(err as Error).message}`);
  }
  const parsed = experimentsSchema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (i) => `EXPERIMENTS${i.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('')}: ${i.message}`,
    );
    throw new ExperimentsConfigError(`EXPERIMENTS is invalid:\n  ${problems.join('\n  ')}`);
  }
  const list = parsed.data;
  const explicit = list.reduce((s, e) => s + (e.traffic ?? 0), 0);
  const implicit = list.filter((e) => e.traffic === undefined).length;
  const share = implicit > 0 ? (100 - explicit) / implicit : 0;
  let from = 0;
  return list.map((e) => {
    const to = from + (e.traffic ?? share);
    const out = { name: e.name, variants: e.variants, from, to };
    from = to;
    return out;
  });
}

/**
 * A stable number in [0, 1) for a user and a salt (FNV-1a, then a murmur3 finaliser so that
 * consecutive ids spread evenly). The same user and salt always give the same bucket.
 */
export function bucketOf(userId: number, salt: string): number {
  let h = 0x811c9dc5;
  const s = `${salt}\u0000${userId}`;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) / 4294967296;
}

/** The option whose cumulative weight covers `u` in [0, 1); options with weight 0 are never picked. */
export function pickWeighted<T extends { weight: number }>(options: readonly T[], u: number): T {
  const total = options.reduce((s, o) => s + o.weight, 0);
  let acc = 0;
  for (const o of options) {
    acc += o.weight / total;
    if (u < acc && o.weight > 0) return o;
  }
  return [...options].reverse().find((o) => o.weight > 0) ?? options[options.length - 1]!;
}

/** What a user is served: a recommender (and model version), labelled with its variant. */
export interface Arm {
  /** The experiment that assigned it (`canary` for the canary split), null for the default. */
  experiment: string | null;
  /** `<experiment>:<variant>` for experiments; `default`, `production` or `canary` otherwise. */
  variant: string;
  recommender: RecommenderName;
  /** For the model recommender: the version asked for (undefined = the production model). */
  modelVersion?: string;
}

/** The model versions the default policy can use. */
export interface ModelSlots {
  production?: string;
  canary?: string;
  /** Share of users (percent) served the canary. */
  canaryPercent: number;
}

export const DEFAULT_ARM: Arm = { experiment: null, variant: 'default', recommender: 'hybrid' };

/**
 * The arm of a user: an experiment's variant when the user falls in an experiment's slice, else
 * the canary for `canaryPercent`% of users (hashed with the canary's version, so each canary gets a
 * fresh sample), else the production model, else the hybrid recommender.
 */
export function assignArm(userId: number, experiments: readonly Experiment[], models: ModelSlots): Arm {
  if (experiments.length > 0) {
    const slot = bucketOf(userId, 'experiments') * 100;
    const e = experiments.find((x) => slot >= x.from && slot < x.to);
    if (e) {
      const v = pickWeighted(e.variants, bucketOf(userId, `experiment:${e.name}`));
      return {
        experiment: e.name,
        variant: `${e.name}:${v.name}`,
        recommender: v.recommender,
        ...(v.modelVersion ? { modelVersion: v.modelVersion } : {}),
      };
    }
  }
  if (models.canary && models.canaryPercent > 0 && bucketOf(userId, `canary:${models.canary}`) * 100 < models.canaryPercent) {
    return { experiment: 'canary', variant: 'canary', recommender: 'model', modelVersion: models.canary };
  }
  if (models.production) return { experiment: null, variant: 'production', recommender: 'model', modelVersion: models.production };
  return DEFAULT_ARM;
}
