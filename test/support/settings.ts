import { randomBytes } from 'node:crypto';
import { loadConfig } from '../../src/config/load-config.js';
import type { Settings } from '../../src/config/settings.js';

export const TEST_ADMIN_TOKEN = 'test-admin-token-0123456789';

/**
 * Settings for one test suite: its own database and Redis prefix, so suites never see each
 * other's data, on the same servers that `npm run services:up` started.
 */
export function testSettings(suite: string, overrides: Record<string, string> = {}): Settings {
  const id = `${suite.replace(/[^a-z0-9]/gi, '_').toLowerCase()}_${randomBytes(3).toString('hex')}`;
  const mongoBase = (process.env.TEST_MONGODB_URL ?? 'mongodb://127.0.0.1:27017').replace(/\/+$/, '');
  return loadConfig({
    MONGODB_URI: `${mongoBase}/t_${id}`,
    REDIS_URL: process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379',
    REDIS_PREFIX: `t-${id}`,
    ADMIN_TOKEN: TEST_ADMIN_TOKEN,
    LOG_LEVEL: 'warn',
    RAW_EXPORT_DIR: `.data/test-raw/${id}`,
    ...overrides,
  });
}
