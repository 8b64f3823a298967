import { z } from 'zod';
import { JobName } from './job-catalogue.js';

export const TRIGGERS = ['cron', 'api', 'cli', 'pipeline', 'simulate', 'rollback', 'promotion'] as const;

/** YYYY-MM-DD naming a real day: the REST bodies' `run_date` and every job's `runDate` (it names files and job ids). */
export const runDateSchema = z
  .string({ error: 'expected a date YYYY-MM-DD' })
  .regex(/^\d{4}-\d{2}-\d{2}$/, { message: 'expected a date YYYY-MM-DD', abort: true })
  .refine(
    (v) => {
      const d = new Date(`${v}T00:00:00Z`);
      return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === v;
    },
    { message: 'expected a real calendar date' },
  );

/** `run_date` in a REST body that starts a run: optional, checked as a job's runDate is. */
export const runDateField = z
  .unknown()
  .optional()
  .transform((v, ctx) => {
    if (v === undefined) return undefined;
    const parsed = runDateSchema.safeParse(v);
    if (parsed.success) return parsed.data;
    ctx.addIssue({ code: 'custom', message: `must be a date YYYY-MM-DD: ${parsed.error.issues[0]!.message}`, input: v });
    return z.NEVER;
  })
  .meta({ type: 'string', format: 'date', description: 'YYYY-MM-DD (default: today in TZ_CRON)' });

/** Ids that end up in file paths and other job ids: no separators, no "..". */
const safeId = z
  .string()
  .regex(/^[A-Za-z0-9_.:-]{1,200}$/, { message: 'expected letters, digits, "_", ".", ":" or "-" (at most 200)', abort: true })
  .refine((v) => !v.includes('..'), { message: 'must not contain ".."' });

const trigger = z.enum(TRIGGERS);

/**
 * What every job's payload must be, whoever added it (the chain, a CLI, Bull Board's "add job"):
 * checked by the dispatcher before any handler runs, and by JobQueue before a job is added. Extra
 * fields are let through (handlers ignore what they do not read).
 */
export const JOB_PAYLOAD_SCHEMAS: Record<JobName, z.ZodType> = {
  [JobName.IngestionRun]: z.looseObject({ runDate: runDateSchema, trigger }),
  [JobName.RecommendationRun]: z.looseObject({
    runDate: runDateSchema,
    trigger,
    force: z.boolean().optional(),
    reason: z.string().max(1000).optional(),
  }),
  [JobName.RecommendationBatch]: z.looseObject({
    runId: safeId,
    batch: z.number().int().min(0),
    userIds: z.array(z.number().int().min(0)),
  }),
  [JobName.RecommendationFinalize]: z.looseObject({ runId: safeId }),
  [JobName.TrainingRun]: z.looseObject({ runDate: runDateSchema, trigger }),
  [JobName.CanaryReview]: z.looseObject({ version: safeId, trigger }),
  [JobName.PlaylistCleanup]: z.looseObject({ runDate: runDateSchema, trigger }),
  [JobName.DataRetention]: z.looseObject({ runDate: runDateSchema, trigger }),
};

/** The ids the scheduler and the chain own, one per period: `<prefix>-<runDate>`, with who may own them. */
const PERIOD_IDS: Partial<Record<JobName, { prefix: string; triggers: readonly string[]; force?: false }>> = {
  [JobName.IngestionRun]: { prefix: 'ingestion', triggers: ['cron'] },
  [JobName.RecommendationRun]: { prefix: 'recommendations', triggers: ['cron', 'pipeline'], force: false },
  [JobName.TrainingRun]: { prefix: 'training', triggers: ['cron'] },
  [JobName.PlaylistCleanup]: { prefix: 'cleanup', triggers: ['cron'] },
  [JobName.DataRetention]: { prefix: 'retention', triggers: ['cron'] },
};

/**
 * Why a job must not run, or an empty list: its payload against its schema; for a run job, its id
 * (it names the raw zone's folders); and a period id (`ingestion-2026-12-01`) only with the payload
 * the scheduler would have given it, so a job added by hand cannot take the day's id with another.
 */
export function jobProblems(name: string, id: string | undefined, data: unknown): string[] {
  const schema = JOB_PAYLOAD_SCHEMAS[name as JobName];
  if (!schema) return [`unknown job name ${JSON.stringify(name)}`];
  const parsed = schema.safeParse(data);
  if (!parsed.success) return parsed.error.issues.map((i) => `${i.path.join('.') || 'payload'}: ${i.message}`);
  const problems: string[] = [];
  if (id !== undefined && name === JobName.IngestionRun && !safeId.safeParse(id).success)
    problems.push(`job id ${JSON.stringify(id.slice(0, 100))}: expected letters, digits, "_", ".", ":" or "-", without ".."`);
  const payload = data as { runDate?: string; trigger?: string; force?: boolean };
  for (const [job, period] of Object.entries(PERIOD_IDS)) {
    const m = id === undefined ? null : new RegExp(`^${period.prefix}-(\\d{4}-\\d{2}-\\d{2})$`).exec(id);
    if (!m) continue;
    if (job !== name) problems.push(`job id ${id} is reserved for the ${job} job of ${m[1]}`);
    else if (payload.runDate !== m[1] || !period.triggers.includes(payload.trigger ?? '') || (period.force === false && payload.force)) {
      problems.push(
        `job id ${id} is reserved for the scheduled run of ${m[1]} (runDate ${m[1]}, trigger ${period.triggers.join(' or ')}${period.force === false ? ', not forced' : ''})`,
      );
    }
  }
  return problems;
}
