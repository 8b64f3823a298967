import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COLLECTIONS } from '../../../src/catalog/catalog.schemas.js';
import { syntheticCatalogue } from '../../../src/tools/synthetic-catalogue.js';
import { freePort, startApp, waitForHttp, type AppProcess } from '../../support/processes.js';
import { testSettings } from '../../support/settings.js';
import { envOf, openDb, runCli } from './support.js';

// `npm run recommend` as a process: it runs the job itself when no worker is online, and waits for a worker's run otherwise.
describe('npm run recommend', () => {
  const settings = testSettings('rec_cli');
  let store: Awaited<ReturnType<typeof openDb>>;
  let worker: AppProcess | undefined;

  beforeAll(async () => {
    store = await openDb(settings);
    const data = syntheticCatalogue({ users: 80, tracks: 150, listensPerUser: 6, seed: 31 });
    await store.db.collection(COLLECTIONS.tracks).insertMany(data.tracks as never[]);
    await store.db.collection(COLLECTIONS.users).insertMany(data.users as never[]);
    await store.db.collection(COLLECTIONS.listenHistory).insertMany(data.histories as never[]);
  });
  afterAll(async () => {
    worker?.proc.kill('SIGKILL');
    await worker?.exited; // dead before its database is dropped
    await store.dropAndClose();
  });

  it('runs the job in its own process when no worker is online, prints the summary and exits 0', async () => {
    const r = await runCli('recommend', ['--date', '2026-11-26'], envOf(settings));
    expect(r.output).toContain('no worker online: running it in this process');
    expect(r.output).toMatch(/status\s+succeeded/);
    expect(r.output).toMatch(/computed \/ skipped \/ failed\s+80 \/ 0 \/ 0/);
    expect(r.code).toBe(0);
  });

  it("waits for a running worker's run, which recomputes nobody when nothing changed", async () => {
    const metricsPort = await freePort();
    worker = startApp({ ...envOf(settings), APP_ROLE: 'worker', METRICS_PORT: String(metricsPort) });
    await waitForHttp(`http://127.0.0.1:${metricsPort}/health/live`);
    const r = await runCli('recommend', ['--date', '2026-11-27'], envOf(settings));
    expect(r.output).toContain('1 worker(s) online');
    expect(r.output).toMatch(/recomputed\s+0 \(nobody needed it\)/);
    expect(r.code).toBe(0);
    const forced = await runCli('recommend', ['--date', '2026-11-27', '--force'], envOf(settings));
    expect(forced.output).toMatch(/recomputed\s+80 \(forced 80\)/);
    expect(forced.code).toBe(0);
    worker.proc.kill('SIGTERM');
    expect(await worker.exited).toBe(0);
  });

  it('exits non-zero on a bad argument or when the run cannot be made', async () => {
    const bad = await runCli('recommend', ['--date', 'tomorrow'], envOf(settings));
    expect(bad.code).toBe(2);
    expect(bad.output).toContain('--date expects YYYY-MM-DD, got "tomorrow"');
    const badConfig = await runCli('recommend', [], envOf(settings, { EXPERIMENTS: '[{"name":"x"}]' }));
    expect(badConfig.code).toBe(1);
    expect(badConfig.output).toMatch(/EXPERIMENTS\[0\]\.variants/);
  });
});
