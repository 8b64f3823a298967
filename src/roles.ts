import type { AppRole } from './config/settings.js';

/** What a process runs, derived from APP_ROLE. */
export interface RoleParts {
  /** The HTTP API on HTTP_PORT. */
  api: boolean;
  /** Queue processors. */
  workers: boolean;
  /** Cron handlers that enqueue jobs. */
  scheduler: boolean;
  /** The mock source API on MOCK_PORT. */
  mockApi: boolean;
}

export function roleParts(role: AppRole): RoleParts {
  const all = role === 'all';
  return { api: all || role === 'api', workers: all || role === 'worker', scheduler: all || role === 'scheduler', mockApi: all || role === 'mock-api' };
}

/** Whether the process runs any part of the pipeline (everything but a bare mock API). */
export function runsPipeline(p: RoleParts): boolean {
  return p.api || p.workers || p.scheduler;
}
