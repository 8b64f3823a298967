import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Redis } from 'ioredis';
import mongoose from 'mongoose';
import { createPipelineApp } from '../../src/bootstrap.js';
import type { AppRole, Settings } from '../../src/config/settings.js';
import { createLogger } from '../../src/logging/logger.js';
import { JobQueue } from '../../src/queues/job-queue.service.js';
import { roleParts } from '../../src/roles.js';

export interface RunningApp {
  app: NestFastifyApplication;
  base: string;
  close(): Promise<void>;
}

/** The pipeline application of a role, in this process, listening on a free loopback port. */
export async function startPipeline(settings: Settings, role: AppRole = 'api'): Promise<RunningApp> {
  const app = (await createPipelineApp(settings, roleParts(role), createLogger(settings.LOG_LEVEL))) as NestFastifyApplication;
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address() as { port: number };
  return { app, base: `http://127.0.0.1:${address.port}`, close: () => app.close() };
}

/**
 * A direct driver connection to a suite's database (to seed records and drop it afterwards);
 * with `redisKeys`, the cleanup also deletes the suite's Redis keys (opt-in: some suites stop their Redis first).
 */
export async function openDb(settings: Settings, opts: { redisKeys?: boolean } = {}) {
  const conn = await mongoose.createConnection(settings.MONGODB_URI, { serverSelectionTimeoutMS: 5000 }).asPromise();
  const db = conn.db!;
  return {
    db,
    async dropAndClose() {
      await db.dropDatabase().catch(() => undefined);
      await conn.close();
      if (!opts.redisKeys) return;
      const redis = new Redis(settings.REDIS_URL);
      const keys = await redis.keys(`${settings.REDIS_PREFIX}*`);
      if (keys.length) await redis.del(...keys);
      await redis.quit();
    },
  };
}

/** A suite's end: its app's queues obliterated (no job left to write after the drop), the app closed, its data dropped. */
export async function closeSuite(app: RunningApp, store: { dropAndClose(): Promise<void> }): Promise<void> {
  await Promise.all(
    app.app
      .get(JobQueue)
      .all()
      .map((q) => q.obliterate({ force: true })),
  );
  await app.close();
  await store.dropAndClose();
}
