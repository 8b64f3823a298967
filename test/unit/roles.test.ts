import { describe, expect, it } from 'vitest';
import { combineRoles, ROLE_PRESETS, roleParts } from '../../src/roles.js';

describe('role presets', () => {
  it('APP_ROLE starts its preset: all of it for all, one part for each other role', () => {
    expect(roleParts('all')).toEqual({ api: true, workers: true, scheduler: true, mockApi: true });
    expect(roleParts('api')).toEqual({ api: true, workers: false, scheduler: false, mockApi: false });
    expect(roleParts('worker')).toEqual({ api: false, workers: true, scheduler: false, mockApi: false });
    expect(roleParts('scheduler')).toEqual({ api: false, workers: false, scheduler: true, mockApi: false });
    expect(roleParts('mock-api')).toEqual({ api: false, workers: false, scheduler: false, mockApi: true });
  });

  it('combines presets into one process, and a combination is a copy', () => {
    expect(combineRoles('api', 'worker')).toEqual({ api: true, workers: true, scheduler: false, mockApi: false });
    expect(combineRoles()).toEqual(ROLE_PRESETS.none);
    const parts = combineRoles('worker');
    parts.api = true;
    expect(ROLE_PRESETS.worker.api).toBe(false);
  });
});
