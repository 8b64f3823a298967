import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../support/processes.js';
import { testSettings } from '../../support/settings.js';
import { openDb, startPipeline, type RunningApp } from './support.js';

// A Redis of this suite's own, on a free port: the shared one on 6379 serves the other suites.
function startRedis(port: number, dir: string): ChildProcess {
  return spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], {
    stdio: 'ignore',
  });
}

async function stopRedis(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise((r) => proc.once('exit', r));
  proc.kill('SIGTERM');
  await exited;
}

/** Polls /health/ready until it answers `status`; returns that answer's body. */
async function readyUntil(base: string, status: number, timeoutMs = 20_000): Promise<Record<string, unknown>> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    const res = await fetch(`${base}/health/ready`).catch(
      (err: Error) => ({ status: -1, text: () => Promise.resolve(err.message) }) as const,
    );
    const text = await res.text();
    if (res.status === status) return JSON.parse(text) as Record<string, unknown>;
    last = `${res.status} ${text}`;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`/health/ready did not answer ${status} within ${timeoutMs} ms (last: ${last})`);
}

describe('readiness follows Redis', () => {
  let port: number;
  let dir: string;
  let redis: ChildProcess;
  let app: RunningApp;
  let settings: ReturnType<typeof testSettings>;

  beforeAll(async () => {
    port = await freePort();
    dir = mkdtempSync(join(tmpdir(), 'moovitamix-redis-'));
    redis = startRedis(port, dir);
    settings = testSettings('monitoring-ready', { REDIS_URL: `redis://127.0.0.1:${port}`, HEALTH_CHECK_TIMEOUT_MS: '500' });
    const deadline = Date.now() + 10_000;
    for (;;) {
      try {
        app = await startPipeline(settings, 'api');
        break;
      } catch (err) {
        if (Date.now() > deadline) throw err;
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  });

  afterAll(async () => {
    await app?.close();
    await stopRedis(redis);
    rmSync(dir, { recursive: true, force: true });
    const store = await openDb(settings);
    await store.dropAndClose();
  });

  it('is 200 with Redis up, 503 naming redis and queues when it stops, and 200 again once it restarts', async () => {
    await readyUntil(app.base, 200);

    await stopRedis(redis);
    const down = (await readyUntil(app.base, 503)) as {
      status: string;
      error: Record<string, { status: string; message: string }>;
      info: Record<string, unknown>;
    };
    expect(down.status).toBe('error');
    expect(Object.keys(down.error).sort()).toEqual(['queues', 'redis']);
    expect(down.error.redis!.status).toBe('down');
    expect(down.error.redis!.message).toBeTruthy();
    expect(Object.keys(down.info)).toEqual(['mongodb']);

    // /health says the same, and /health/live is unaffected.
    const overall = await fetch(`${app.base}/health`);
    expect(overall.status).toBe(503);
    expect(((await overall.json()) as { down: string[] }).down.sort()).toEqual(['queues', 'redis']);
    expect((await fetch(`${app.base}/health/live`)).status).toBe(200);

    redis = startRedis(port, dir);
    const up = (await readyUntil(app.base, 200)) as { status: string };
    expect(up.status).toBe('ok');
  });
});
