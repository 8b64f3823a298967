import { spawn } from 'node:child_process';
import { Redis } from 'ioredis';
import mongoose from 'mongoose';
import type { Settings } from '../../../src/config/settings.js';

export interface CliResult {
  code: number | null;
  output: string;
}

/** Runs a compiled CLI (dist/cli/<name>.js) to its end with the given environment (on top of the current one). */
export function runCli(name: string, args: string[], env: Record<string, string>, timeoutMs = 120_000): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [`dist/cli/${name}.js`, ...args], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    proc.stdout.on('data', (d: Buffer) => (output += d.toString()));
    proc.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`${name} did not finish within ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    proc.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

/** The environment that points a process at a suite's database and Redis prefix. */
export function envOf(s: Settings, extra: Record<string, string> = {}): Record<string, string> {
  return {
    MONGODB_URI: s.MONGODB_URI,
    REDIS_URL: s.REDIS_URL,
    REDIS_PREFIX: s.REDIS_PREFIX,
    ADMIN_TOKEN: s.ADMIN_TOKEN,
    LOG_LEVEL: 'warn',
    RAW_EXPORT: 'false',
    ...extra,
  };
}

export async function openDb(s: Settings) {
  const conn = await mongoose.createConnection(s.MONGODB_URI, { serverSelectionTimeoutMS: 5000 }).asPromise();
  return {
    db: conn.db!,
    async dropAndClose() {
      await conn.db!.dropDatabase().catch(() => undefined);
      await conn.close();
      const redis = new Redis(s.REDIS_URL);
      const keys = await redis.keys(`${s.REDIS_PREFIX}:*`);
      if (keys.length > 0) await redis.del(...keys);
      await redis.quit();
    },
  };
}
