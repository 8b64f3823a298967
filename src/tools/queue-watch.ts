import type { Queue } from 'bullmq';
import { JobName } from '../queues/job-catalogue.js';

const BUSY_STATES = ['waiting', 'active', 'prioritized', 'waiting-children'] as const;

export interface FailedJob {
  queue: string;
  name: string;
  id: string;
  reason: string;
}

/**
 * Waits until no queue has work left: nothing waiting or running, and no delayed job other than
 * canary reviews (those wait for simulated days, and a retry backoff is delayed too).
 */
export async function waitUntilIdle(queues: readonly Queue[], timeoutMs: number, pollMs = 200): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let quietPolls = 0;
  while (Date.now() < deadline) {
    let busy = 0;
    for (const q of queues) {
      const counts = await q.getJobCounts(...BUSY_STATES);
      busy += BUSY_STATES.reduce((n, s) => n + (counts[s] ?? 0), 0);
      const delayed = await q.getJobs(['delayed']);
      busy += delayed.filter((j) => j.name !== JobName.CanaryReview).length;
    }
    // Two quiet polls in a row: a finishing job has enqueued its follow-ups before it completes.
    quietPolls = busy === 0 ? quietPolls + 1 : 0;
    if (quietPolls >= 2) return;
    await new Promise((r) => setTimeout(r, pollMs));
  }
  throw new Error(`queues still busy after ${Math.round(timeoutMs / 1000)} s`);
}

/** Ids of failed jobs per queue, to tell the new failures of a step from the old ones. */
export async function failedJobs(queues: readonly Queue[]): Promise<FailedJob[]> {
  const out: FailedJob[] = [];
  for (const q of queues) {
    for (const j of await q.getFailed(0, 999)) out.push({ queue: q.name, name: j.name, id: String(j.id), reason: j.failedReason ?? '' });
  }
  return out;
}
