import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Queue, Worker } from 'bullmq';
import mongoose from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { redisOptions } from '../../../src/redis/redis.module.js';
import { freePort, startApp, waitForHttp, type AppProcess } from '../../support/processes.js';
import { testSettings } from '../../support/settings.js';

// The proof in a real Prometheus (Debian's /usr/bin/prometheus): it scrapes the real process with the
// repo's config (targets swapped for loopback ports, intervals shortened) and the repo's rules,
// unchanged. A second target on a closed port stands for a dead worker.
const PROMETHEUS = process.env.PROMETHEUS_BIN ?? '/usr/bin/prometheus';

interface PromAlert {
  labels: Record<string, string>;
  state: 'pending' | 'firing';
}

describe('a real Prometheus scraping the app with the repo config and rules', () => {
  const settings = testSettings('monitoring-prom');
  const dir = mkdtempSync(join(tmpdir(), 'moovitamix-prom-'));
  let app: AppProcess;
  let prom: ChildProcess;
  let promOut = '';
  let appPort: number;
  let closedPort: number;
  let promUrl: string;
  const ingestedAt = new Date(Date.now() - 30 * 3_600_000);

  async function api<T>(path: string): Promise<T> {
    const res = await fetch(`${promUrl}${path}`);
    const body = (await res.json()) as { status: string; data: T };
    expect(body.status, path).toBe('success');
    return body.data;
  }

  /** Polls the Prometheus API until `check` returns a value (not undefined), or fails saying what was last seen. */
  async function until<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const v = await check();
      if (v !== undefined) return v;
      if (Date.now() > deadline) throw new Error(`${what}: not seen within ${timeoutMs} ms\n${promOut.slice(-2000)}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  const alerts = () => api<{ alerts: PromAlert[] }>('/api/v1/alerts').then((d) => d.alerts);

  beforeAll(async () => {
    // A successful ingestion 30 hours ago, recorded before the app starts: the app reports it from
    // the run collection at scrape time, and IngestionNoSuccess must see it as stale.
    const conn = await mongoose.createConnection(settings.MONGODB_URI).asPromise();
    await conn
      .db!.collection('ingestion_runs')
      .insertOne({ _id: 'ingestion-old' as never, status: 'succeeded', started_at: ingestedAt, finished_at: ingestedAt });
    await conn.close();

    appPort = await freePort();
    closedPort = await freePort();
    app = startApp({
      APP_ROLE: 'api',
      HTTP_PORT: String(appPort),
      HTTP_HOST: '127.0.0.1',
      MONGODB_URI: settings.MONGODB_URI,
      REDIS_URL: settings.REDIS_URL,
      REDIS_PREFIX: settings.REDIS_PREFIX,
      ADMIN_TOKEN: settings.ADMIN_TOKEN,
      LOG_LEVEL: 'warn',
    });
    await waitForHttp(`http://127.0.0.1:${appPort}/health/ready`);

    const repo = parse(readFileSync('prometheus/prometheus.yml', 'utf8')) as {
      global: Record<string, string>;
      rule_files: string[];
      scrape_configs: Array<{ job_name: string; static_configs: Array<{ targets: string[]; labels: Record<string, string> }> }>;
    };
    const job = repo.scrape_configs.find((j) => j.job_name === 'moovitamix')!;
    const byRole = Object.fromEntries(job.static_configs.map((c) => [c.labels.role, c]));
    byRole.api!.targets = [`127.0.0.1:${appPort}`];
    byRole.worker!.targets = [`127.0.0.1:${closedPort}`];
    const config = {
      ...repo,
      global: { ...repo.global, scrape_interval: '1s', scrape_timeout: '900ms', evaluation_interval: '1s' },
      rule_files: repo.rule_files.map((f) => resolve('prometheus', f)),
      scrape_configs: [{ ...job, static_configs: [byRole.api!, byRole.worker!] }],
    };
    writeFileSync(join(dir, 'prometheus.yml'), stringify(config));
    const promPort = await freePort();
    promUrl = `http://127.0.0.1:${promPort}`;
    prom = spawn(
      PROMETHEUS,
      [
        `--config.file=${join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${promPort}`,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    prom.stdout!.on('data', (d: Buffer) => (promOut += d.toString()));
    prom.stderr!.on('data', (d: Buffer) => (promOut += d.toString()));
    await waitForHttp(`${promUrl}/-/ready`, 30_000);
  });

  afterAll(async () => {
    const stop = async (p: ChildProcess | undefined) => {
      if (!p || p.exitCode !== null || p.signalCode !== null) return;
      const exited = new Promise((r) => p.once('exit', r));
      p.kill('SIGTERM');
      await exited;
    };
    await stop(prom);
    await stop(app?.proc);
    const queue = new Queue('maintenance', { connection: redisOptions(settings.REDIS_URL), prefix: settings.REDIS_PREFIX });
    await queue.obliterate({ force: true });
    await queue.close();
    const conn = await mongoose.createConnection(settings.MONGODB_URI).asPromise();
    await conn.dropDatabase();
    await conn.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('loads every rule of the repo', async () => {
    const data = await api<{ groups: Array<{ rules: Array<{ type: string; name: string; health: string }> }> }>('/api/v1/rules');
    const rules = data.groups.flatMap((g) => g.rules);
    const repoAlerts = (
      parse(readFileSync('prometheus/alerts.yml', 'utf8')) as { groups: Array<{ rules: Array<{ alert: string }> }> }
    ).groups.flatMap((g) => g.rules.map((r) => r.alert));
    expect(
      rules
        .filter((r) => r.type === 'alerting')
        .map((r) => r.name)
        .sort(),
    ).toEqual(repoAlerts.sort());
    expect(rules.filter((r) => r.type === 'recording').length).toBeGreaterThan(0);
  });

  it('scrapes the app (target up) and sees the dead worker target down', async () => {
    const health = await until('both targets scraped', async () => {
      const { activeTargets } = await api<{ activeTargets: Array<{ labels: Record<string, string>; health: string }> }>('/api/v1/targets');
      const byRole = Object.fromEntries(activeTargets.map((t) => [t.labels.role, t.health]));
      return byRole.api === 'up' && byRole.worker === 'down' ? byRole : undefined;
    });
    expect(health).toEqual({ api: 'up', worker: 'down' });
    const up = await api<{ result: Array<{ metric: Record<string, string>; value: [number, string] }> }>(
      `/api/v1/query?query=${encodeURIComponent('up{job="moovitamix"}')}`,
    );
    expect(Object.fromEntries(up.result.map((r) => [r.metric.role, r.value[1]]))).toEqual({ api: '1', worker: '0' });
  });

  it('holds the rules with a `for:` as pending on their real conditions: the dead target, and the 30-hour-old ingestion', async () => {
    const pending = await until('TargetDown and IngestionNoSuccess pending', async () => {
      const all = await alerts();
      const down = all.find((a) => a.labels.alertname === 'TargetDown');
      const stale = all.filter((a) => a.labels.alertname === 'IngestionNoSuccess');
      return down && stale.length === 3 ? { down, stale } : undefined;
    });
    expect(pending.down.labels).toMatchObject({ role: 'worker', instance: `127.0.0.1:${closedPort}`, severity: 'critical' });
    expect(pending.down.state).toBe('pending');
    expect(pending.stale.map((a) => a.labels.endpoint).sort()).toEqual(['listen_history', 'tracks', 'users']);
    // The recording rule is evaluated on its own interval: wait for its first sample.
    const age = await until('the age recording rule evaluated', async () => {
      const r = await api<{ result: Array<{ value: [number, string] }> }>(
        `/api/v1/query?query=${encodeURIComponent('moovitamix:ingestion_last_success_age_seconds{endpoint="tracks"}')}`,
      );
      return r.result[0] ? Number(r.result[0].value[1]) : undefined;
    });
    expect(age).toBeGreaterThan(30 * 3600 - 60);
  });

  it('fires QueueJobsFailed once a job fails for good, as BullMQ reports it at scrape time', async () => {
    const connection = redisOptions(settings.REDIS_URL);
    const queue = new Queue('maintenance', { connection, prefix: settings.REDIS_PREFIX });
    const worker = new Worker(
      'maintenance',
      async () => {
        throw new Error('forced failure for the alert test');
      },
      { connection, prefix: settings.REDIS_PREFIX },
    );
    try {
      await queue.add('playlist-cleanup', { runDate: '2026-01-01', trigger: 'api' }, { attempts: 1, jobId: 'prom-e2e-fail' });
      const firing = await until('QueueJobsFailed firing', async () =>
        (await alerts()).find((a) => a.labels.alertname === 'QueueJobsFailed' && a.state === 'firing'),
      );
      expect(firing.labels).toMatchObject({ queue: 'maintenance', severity: 'warning' });
    } finally {
      await worker.close();
      await queue.close();
    }
  });
});
