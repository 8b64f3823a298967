import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import type { AppConfig } from '../../../src/config/app-config.js';
import { LockBusyError, RedisLock } from '../../../src/redis/redis-lock.js';
import { testSettings } from '../../support/settings.js';

// Issue 11 (low): two concurrent promotions could retire each other; model changes now hold this lock.
describe('the Redis lock shared by processes', () => {
  const settings = testSettings('redis_lock');
  const a = new Redis(settings.REDIS_URL);
  const b = new Redis(settings.REDIS_URL);
  // Two processes: each its own connection, the same prefix.
  const lockA = new RedisLock(a, settings as AppConfig);
  const lockB = new RedisLock(b, settings as AppConfig);
  afterAll(async () => {
    const keys = await a.keys(`${settings.REDIS_PREFIX}:*`);
    if (keys.length) await a.del(...keys);
    a.disconnect();
    b.disconnect();
  });

  it('lets one holder in at a time, the other waiting its turn', async () => {
    const events: string[] = [];
    const section = (who: string) => async () => {
      events.push(`${who} in`);
      await new Promise((r) => setTimeout(r, 100));
      events.push(`${who} out`);
      return who;
    };
    const results = await Promise.all([
      lockA.withLock('promote', section('a')),
      lockB.withLock('promote', section('b')),
      lockA.withLock('promote', section('c')),
    ]);
    expect(results).toEqual(['a', 'b', 'c']);
    for (let i = 0; i < events.length; i += 2) expect(events[i + 1]).toBe(events[i]!.replace(' in', ' out'));
    expect(await a.exists(lockA.key('promote'))).toBe(0);
  });

  it('gives up after its wait with LockBusyError, and releases on error', async () => {
    const held = lockA.withLock('busy', () => new Promise((r) => setTimeout(r, 400)));
    await new Promise((r) => setTimeout(r, 20));
    await expect(lockB.withLock('busy', async () => 'never', { waitMs: 100 })).rejects.toBeInstanceOf(LockBusyError);
    await held;
    await expect(lockB.withLock('busy', async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await a.exists(lockA.key('busy'))).toBe(0);
  });

  it('does not release a lock that expired and was taken by another holder', async () => {
    const first = lockA.withLock('ttl', () => new Promise((r) => setTimeout(r, 300)), { ttlMs: 100 });
    await new Promise((r) => setTimeout(r, 150));
    let insideB = false;
    const second = lockB.withLock('ttl', async () => {
      insideB = true;
      await new Promise((r) => setTimeout(r, 300));
    });
    await first;
    // A's release after its TTL must leave B's lock in place.
    expect(insideB).toBe(true);
    expect(await a.exists(lockA.key('ttl'))).toBe(1);
    await second;
  });
});
