/** The servers the tests use: TEST_MONGODB_URL (no database name) and TEST_REDIS_URL, or the local defaults. */
export function testServers(): { mongodb: string; redis: string } {
  return {
    mongodb: (process.env.TEST_MONGODB_URL ?? 'mongodb://127.0.0.1:27017').replace(/\/+$/, ''),
    redis: process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379',
  };
}

/**
 * Whether a test database name (`t_...`) or Redis key (`t-...`) comes from the run with this tag:
 * test ids end in `_<run tag><4 hex digits>` (see testId in settings.ts).
 */
export function madeByRun(name: string, run: string): boolean {
  return /^t[_-]/.test(name) && new RegExp(`_${run}[0-9a-f]{4}(?![0-9a-z])`).test(name);
}
