import { rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import type { INestApplication } from '@nestjs/common';
import { getConnectionToken } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMockApiApp, createPipelineApp } from '../../../src/bootstrap.js';
import type { Settings } from '../../../src/config/settings.js';
import { createLogger } from '../../../src/logging/logger.js';
import { clearRedisPrefix, dropDatabase } from '../../integration/ingestion/support.js';
import { freePort, startApp, waitForHttp, type AppProcess } from '../../support/processes.js';
import { TEST_ADMIN_TOKEN, testSettings } from '../../support/settings.js';
import { ROLE_PRESETS } from '../../../src/roles.js';

async function getJson(url: string): Promise<any> {
  return (await fetch(url)).json();
}

/** Polls `check` every 100 ms until it returns a value, or fails after `timeoutMs`. */
async function until<T>(what: string, check: () => Promise<T | undefined | null | false>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const v = await check();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

// A real worker process is killed (SIGKILL) in the middle of a run; a new one takes the run over
// from its checkpoint once the dead worker's lock expires, and the run ends with the counts of a
// run that was never interrupted.
describe('a worker killed in the middle of an ingestion run', () => {
  let settings: Settings;
  let mock: INestApplication;
  let api: INestApplication;
  let apiBase: string;
  let db: Connection['db'];
  const workers: AppProcess[] = [];
  let workerEnv: Record<string, string>;

  beforeAll(async () => {
    settings = testSettings('ing_crash', { INGESTION_CONCURRENCY: '1' });
    // Slow answers make the run last a few seconds, so it can be killed half-way.
    mock = await createMockApiApp(
      testSettings('ing_crash_mock', {
        MOCK_MODE: 'living',
        MOCK_SEED: '3',
        MOCK_USERS: '400',
        MOCK_TRACKS: '300',
        MOCK_INITIAL_LISTENS: '5',
        MOCK_FAULT_LATENCY_MS: '300',
      }),
      createLogger('warn'),
    );
    await mock.listen(0, '127.0.0.1');
    const mockUrl = `http://127.0.0.1:${(mock.getHttpServer().address() as AddressInfo).port}`;
    settings = { ...settings, MOCK_API_URL: mockUrl };
    api = await createPipelineApp(settings, ROLE_PRESETS.api, createLogger('warn'));
    await api.listen(0, '127.0.0.1');
    apiBase = `http://127.0.0.1:${(api.getHttpServer().address() as AddressInfo).port}`;
    db = api.get<Connection>(getConnectionToken()).db;
    workerEnv = {
      APP_ROLE: 'worker',
      MONGODB_URI: settings.MONGODB_URI,
      REDIS_URL: settings.REDIS_URL,
      REDIS_PREFIX: settings.REDIS_PREFIX,
      ADMIN_TOKEN: TEST_ADMIN_TOKEN,
      MOCK_API_URL: mockUrl,
      RAW_EXPORT_DIR: settings.RAW_EXPORT_DIR,
      INGESTION_CONCURRENCY: '1',
      // A dead worker's run is taken over within about twice this.
      INGESTION_LOCK_DURATION_MS: '2000',
      LOG_LEVEL: 'log',
    };
  });
  afterAll(async () => {
    for (const w of workers) w.proc.kill('SIGKILL');
    await Promise.all(workers.map((w) => w.exited));
    await api?.close();
    await mock?.close();
    if (settings) {
      await dropDatabase(settings);
      await clearRedisPrefix(settings);
      await rm(settings.RAW_EXPORT_DIR, { recursive: true, force: true });
    }
  });

  async function startWorker(): Promise<AppProcess> {
    const port = await freePort();
    const w = startApp({ ...workerEnv, METRICS_PORT: String(port) });
    workers.push(w);
    await waitForHttp(`http://127.0.0.1:${port}/health/live`, 60_000);
    return w;
  }

  const runDoc = (id: string) => db!.collection('ingestion_runs').findOne({ _id: id as never });

  it('resumes from its checkpoint after a restart and ends with the same counts', async () => {
    const first = await startWorker();
    const res = await fetch(`${apiBase}/ingestion/runs`, { method: 'POST', headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` } });
    expect(res.status).toBe(202);
    const { run_id: runId } = (await res.json()) as { run_id: string };

    // Kill it once the tracks are stored and the users are under way.
    await until(
      'the users endpoint to be under way',
      () => db!.collection('ingestion_checkpoints').findOne({ run_id: runId, endpoint: 'users', page: { $ne: null } }),
      60_000,
    );
    first.proc.kill('SIGKILL');
    expect(await first.exited).toBe('SIGKILL');
    const killed = await runDoc(runId);
    expect(killed!.status).toBe('running');
    expect(killed!.endpoints.tracks.status).toBe('done');
    expect(killed!.endpoints.listen_history.status).toBe('pending');
    const requestsBefore = (await getJson(`${settings.MOCK_API_URL}/mock/state`)).fault_counts.requests;

    const second = await startWorker();
    const done = await until(
      'the run to finish',
      async () => {
        const r = await runDoc(runId);
        return r && ['succeeded', 'succeeded_with_rejections', 'failed'].includes(r.status) ? r : undefined;
      },
      90_000,
    );
    expect(second.output()).toContain('resuming from its checkpoint');

    const state = await getJson(`${settings.MOCK_API_URL}/mock/state`);
    expect(done.status).toBe('succeeded');
    expect(done.attempts).toBe(2);
    expect(done.endpoints.tracks).toMatchObject({ fetched: state.sizes.tracks, inserted: state.sizes.tracks, updated: 0, unchanged: 0 });
    expect(done.endpoints.users).toMatchObject({ fetched: state.sizes.users, inserted: state.sizes.users, updated: 0, unchanged: 0 });
    expect(done.endpoints.listen_history).toMatchObject({
      inserted: state.sizes.listen_history,
      events_inserted: state.sizes.listens,
      updated: 0,
      unchanged: 0,
    });
    expect(await db!.collection('tracks').countDocuments({})).toBe(state.sizes.tracks);
    expect(await db!.collection('users').countDocuments({})).toBe(state.sizes.users);
    expect(await db!.collection('listen_history').countDocuments({})).toBe(state.sizes.listen_history);
    expect(await db!.collection('listen_events').countDocuments({})).toBe(state.sizes.listens);
    expect(await db!.collection('ingestion_checkpoints').countDocuments({ run_id: runId })).toBe(0);
    // The second worker read only what the first had not stored, plus at most the page being read
    // and the last page finished (its completion rides on the next log entry; re-applied, it counts the same).
    const pages = [state.sizes.tracks, state.sizes.users, state.sizes.listen_history].reduce((n, t) => n + Math.ceil(t / 100), 0);
    expect(state.fault_counts.requests).toBeLessThanOrEqual(pages + 2);
    expect(state.fault_counts.requests - requestsBefore).toBeLessThan(pages);

    second.proc.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  }, 180_000);
});
