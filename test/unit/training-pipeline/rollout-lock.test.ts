import { Logger } from '@nestjs/common';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AppConfig } from '../../../src/config/app-config.js';
import { PipelineMetrics } from '../../../src/monitoring/pipeline-metrics.js';
import type { PipelineChain } from '../../../src/pipeline/pipeline-chain.service.js';
import type { RedisLock } from '../../../src/redis/redis-lock.js';
import { RolloutService } from '../../../src/training/pipeline/rollout.service.js';
import type { TrainingDataRepository } from '../../../src/training/pipeline/training-data.repository.js';
import type { ModelRegistry } from '../../../src/training/registry/model-registry.service.js';

beforeAll(() => Logger.overrideLogger(false));

/** A registry in memory whose every call yields, so two promotions interleave as they do over MongoDB. */
function registry() {
  const versions = new Map<string, { _id: string; status: string; artifact: boolean; previous_production_version: string | null }>([
    ['v1', { _id: 'v1', status: 'production', artifact: true, previous_production_version: null }],
    ['v2', { _id: 'v2', status: 'candidate', artifact: true, previous_production_version: null }],
    ['v3', { _id: 'v3', status: 'candidate', artifact: true, previous_production_version: null }],
  ]);
  const tick = () => new Promise((r) => setTimeout(r, 5));
  const reg = {
    now: () => new Date('2026-12-01T00:00:00Z'),
    require: async (v: string) => (await tick(), { ...versions.get(v)! }),
    loadModel: async () => void (await tick()),
    production: async () => (await tick(), [...versions.values()].find((v) => v.status === 'production') ?? null),
    transition: async (v: string, _from: string[], change: { status: string }) => {
      await tick();
      versions.get(v)!.status = change.status;
    },
    retireOthers: async (status: string, keep: string) => {
      await tick();
      const retired = [...versions.values()].filter((v) => v.status === status && v._id !== keep);
      for (const v of retired) v.status = 'retired';
      return retired.map((v) => v._id);
    },
  };
  return { reg: reg as unknown as ModelRegistry, versions };
}

/** RedisLock's contract in one process: one holder at a time, the others queue. */
function memoryLock(): RedisLock {
  let tail: Promise<unknown> = Promise.resolve();
  return {
    withLock: <T>(_name: string, fn: () => Promise<T>) => {
      const run = tail.then(fn, fn);
      tail = run.catch(() => undefined);
      return run;
    },
  } as unknown as RedisLock;
}

describe('model changes one at a time', () => {
  it('two promotions at once leave exactly one model in production, the later one', async () => {
    const { reg, versions } = registry();
    const chain = { afterModelChanged: async () => ({ jobId: 'rec', created: true }) } as unknown as PipelineChain;
    const rollout = new RolloutService(
      { TZ_CRON: 'UTC' } as AppConfig,
      reg,
      {} as TrainingDataRepository,
      chain,
      new PipelineMetrics(),
      memoryLock(),
    );
    await Promise.all([rollout.promote('v2', 'by hand', 'alice'), rollout.promote('v3', 'by hand', 'bob')]);
    const production = [...versions.values()].filter((v) => v.status === 'production').map((v) => v._id);
    expect(production).toEqual(['v3']);
    expect(versions.get('v2')!.status).toBe('retired');
    expect(versions.get('v1')!.status).toBe('retired');
  });
});
