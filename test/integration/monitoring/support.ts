import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import mongoose from 'mongoose';
import { createPipelineApp } from '../../../src/bootstrap.js';
import type { AppRole, Settings } from '../../../src/config/settings.js';
import { createLogger } from '../../../src/logging/logger.js';
import { roleParts } from '../../../src/roles.js';

export interface RunningApp {
  app: NestFastifyApplication;
  base: string;
  close(): Promise<void>;
}

/** The pipeline application of a role, listening on a free loopback port. */
export async function startPipeline(settings: Settings, role: AppRole = 'api'): Promise<RunningApp> {
  const app = (await createPipelineApp(settings, roleParts(role), createLogger(settings.LOG_LEVEL))) as NestFastifyApplication;
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address() as { port: number };
  return { app, base: `http://127.0.0.1:${address.port}`, close: () => app.close() };
}

/** A direct driver connection to a suite's database (to seed run records and drop it afterwards). */
export async function openDb(settings: Settings) {
  const conn = await mongoose.createConnection(settings.MONGODB_URI, { serverSelectionTimeoutMS: 5000 }).asPromise();
  const db = conn.db!;
  return {
    db,
    async dropAndClose() {
      await db.dropDatabase().catch(() => undefined);
      await conn.close();
    },
  };
}

/** The value of one sample in a Prometheus text exposition, or undefined. */
export function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][\w:]*)(\{(.*)\})?\s+(\S+)/.exec(line);
    if (!m || m[1] !== name) continue;
    const got: Record<string, string> = {};
    for (const lm of (m[3] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) got[lm[1]!] = lm[2]!;
    if (Object.entries(labels).every(([k, v]) => got[k] === v)) return Number(m[4]);
  }
  return undefined;
}

export const authHeaders = {
  bearer: (token: string) => ({ authorization: `Bearer ${token}` }),
  basic: (token: string) => ({ authorization: `Basic ${Buffer.from(`admin:${token}`).toString('base64')}` }),
};
