import { afterAll, beforeAll } from 'vitest';
import type { Settings } from '../../../src/config/settings.js';
import { closeSuite, openDb, startPipeline, type RunningApp } from '../../support/pipeline-app.js';

/**
 * An `api` process of the pipeline for one suite, started before its tests and closed after them,
 * with its queues obliterated and its database and Redis keys dropped. `suite.app` once started.
 */
export function apiSuite(settings: Settings): { readonly app: RunningApp } {
  let app: RunningApp | undefined;
  let store: Awaited<ReturnType<typeof openDb>> | undefined;
  beforeAll(async () => {
    app = await startPipeline(settings, 'api');
    store = await openDb(settings, { redisKeys: true });
  });
  afterAll(async () => {
    if (app && store) await closeSuite(app, store);
  });
  return {
    get app(): RunningApp {
      if (!app) throw new Error('the suite has not started its api process yet');
      return app;
    },
  };
}
