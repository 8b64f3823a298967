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

/**
 * The parts of the usual processes by name: what APP_ROLE starts (`all`, `api`, `worker`,
 * `scheduler`, `mockApi`) and `none`, the bare pipeline context the commands enqueue from.
 */
export const ROLE_PRESETS = {
  none: { api: false, workers: false, scheduler: false, mockApi: false },
  all: { api: true, workers: true, scheduler: true, mockApi: true },
  api: { api: true, workers: false, scheduler: false, mockApi: false },
  worker: { api: false, workers: true, scheduler: false, mockApi: false },
  scheduler: { api: false, workers: false, scheduler: true, mockApi: false },
  mockApi: { api: false, workers: false, scheduler: false, mockApi: true },
} as const satisfies Record<string, Readonly<RoleParts>>;

export type RolePreset = keyof typeof ROLE_PRESETS;

/** Several presets in one process: `combineRoles('api', 'worker')` serves the API and runs the workers. */
export function combineRoles(...presets: RolePreset[]): RoleParts {
  const parts: RoleParts = { ...ROLE_PRESETS.none };
  for (const name of presets) for (const key of Object.keys(parts) as (keyof RoleParts)[]) parts[key] ||= ROLE_PRESETS[name][key];
  return parts;
}

const PRESET_OF_ROLE: Record<AppRole, RolePreset> = {
  all: 'all',
  api: 'api',
  worker: 'worker',
  scheduler: 'scheduler',
  'mock-api': 'mockApi',
};

/** The parts APP_ROLE starts: its preset. */
export function roleParts(role: AppRole): RoleParts {
  return { ...ROLE_PRESETS[PRESET_OF_ROLE[role]] };
}

/** Whether the process runs any part of the pipeline (everything but a bare mock API). */
export function runsPipeline(p: RoleParts): boolean {
  return p.api || p.workers || p.scheduler;
}
