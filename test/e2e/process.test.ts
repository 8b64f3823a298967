import { afterAll, describe, expect, it } from 'vitest';
import { freePort, startApp, waitForHttp, type AppProcess } from '../support/processes.js';
import { testSettings } from '../support/settings.js';

// The real entry point, as a process: boot per role, refuse a bad setting, shut down on SIGTERM.
describe('the service process', () => {
  const started: AppProcess[] = [];
  // Exited, not only signalled: the file's test data is dropped after this hook.
  afterAll(async () => {
    for (const p of started) p.proc.kill('SIGKILL');
    await Promise.all(started.map((p) => p.exited));
  });

  async function envFor(suite: string, extra: Record<string, string> = {}) {
    const s = testSettings(suite);
    return {
      MONGODB_URI: s.MONGODB_URI,
      REDIS_URL: s.REDIS_URL,
      REDIS_PREFIX: s.REDIS_PREFIX,
      ADMIN_TOKEN: s.ADMIN_TOKEN,
      HTTP_PORT: String(await freePort()),
      MOCK_PORT: String(await freePort()),
      METRICS_PORT: String(await freePort()),
      MOCK_USERS: '200',
      MOCK_TRACKS: '100',
      LOG_LEVEL: 'log',
      ...extra,
    };
  }

  it('stops at boot on a bad setting, naming the variable and what was expected', async () => {
    const app = startApp(await envFor('proc-bad', { INGESTION_CONCURRENCY: 'lots' }));
    started.push(app);
    const code = await app.exited;
    expect(code).toBe(1);
    expect(app.output()).toMatch(/INGESTION_CONCURRENCY="lots" is invalid: .*expected number/i);
  });

  it('runs role all (API and mock API) and shuts down cleanly on SIGTERM', async () => {
    const env = await envFor('proc-all');
    const app = startApp(env);
    started.push(app);
    await waitForHttp(`http://127.0.0.1:${env.HTTP_PORT}/health/ready`);
    await waitForHttp(`http://127.0.0.1:${env.MOCK_PORT}/tracks?size=1`);
    const t0 = Date.now();
    app.proc.kill('SIGTERM');
    expect(await app.exited).toBe(0);
    expect(Date.now() - t0).toBeLessThan(15_000);
    expect(app.output()).toContain('shut down cleanly');
  });

  it('runs role worker with /metrics and /health on METRICS_PORT and no HTTP API', async () => {
    const env = await envFor('proc-worker', { APP_ROLE: 'worker' });
    const app = startApp(env);
    started.push(app);
    await waitForHttp(`http://127.0.0.1:${env.METRICS_PORT}/health/live`);
    const metrics = await fetch(`http://127.0.0.1:${env.METRICS_PORT}/metrics`);
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toContain('moovitamix_process_');
    await expect(fetch(`http://127.0.0.1:${env.HTTP_PORT}/health/live`)).rejects.toThrow();
    app.proc.kill('SIGTERM');
    expect(await app.exited).toBe(0);
  });

  it('runs role mock-api alone, without touching MongoDB or Redis', async () => {
    const env = await envFor('proc-mock', {
      APP_ROLE: 'mock-api',
      MONGODB_URI: 'mongodb://127.0.0.1:1/none',
      REDIS_URL: 'redis://127.0.0.1:1',
    });
    const app = startApp(env);
    started.push(app);
    await waitForHttp(`http://127.0.0.1:${env.MOCK_PORT}/users?size=1`);
    app.proc.kill('SIGTERM');
    expect(await app.exited).toBe(0);
  });
});
