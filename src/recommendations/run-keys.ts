import { bucketOf } from './experiments.js';

/**
 * The short key of a run, part of its playlist ids: `YYYYMMDD` for the day's scheduled run (job id
 * `recommendations-<runDate>`), `YYYYMMDD-<hash of the job id>` for any other run of that day.
 */
export function runKeyOf(runDate: string, runId: string): string {
  const day = runDate.replace(/-/g, '');
  if (runId === `recommendations-${runDate}`) return day;
  const hash = Math.floor(bucketOf(0, runId) * 36 ** 6)
    .toString(36)
    .padStart(6, '0');
  return `${day}-${hash}`;
}

/** Job ids of a run's flow (BullMQ ids may not contain ":"). */
export function finalizeJobId(runId: string): string {
  return `${runId}-finalize`;
}

export function batchJobId(runId: string, batch: number): string {
  return `${runId}-b${batch}`;
}
