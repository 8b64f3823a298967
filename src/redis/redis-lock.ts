import { randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { Redis } from 'ioredis';
import { AppConfig } from '../config/app-config.js';
import { REDIS } from './redis-token.js';

/** Deletes the lock only if it still holds our token (it may have expired and been taken). */
const RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";

export class LockBusyError extends Error {}

/**
 * A lock across every process sharing REDIS_URL and REDIS_PREFIX (API and workers alike), for
 * short critical sections such as a model promotion: SET NX PX with a random token, released only by
 * its holder; the TTL frees it if the holder dies.
 */
@Injectable()
export class RedisLock {
  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    private readonly config: AppConfig,
  ) {}

  key(name: string): string {
    return `${this.config.REDIS_PREFIX}:lock:${name}`;
  }

  /** Runs `fn` holding the lock; waits up to `waitMs` for it, then throws LockBusyError. */
  async withLock<T>(name: string, fn: () => Promise<T>, opts: { ttlMs?: number; waitMs?: number } = {}): Promise<T> {
    const ttlMs = opts.ttlMs ?? 120_000;
    const deadline = Date.now() + (opts.waitMs ?? 30_000);
    const token = randomBytes(12).toString('hex');
    for (let pause = 25; ; pause = Math.min(pause * 2, 500)) {
      if ((await this.redis.set(this.key(name), token, 'PX', ttlMs, 'NX')) === 'OK') break;
      if (Date.now() >= deadline) throw new LockBusyError(`${name} is held by another process; try again in a moment`);
      await new Promise((r) => setTimeout(r, pause));
    }
    try {
      return await fn();
    } finally {
      await this.redis.eval(RELEASE, 1, this.key(name), token).catch(() => undefined);
    }
  }
}
