import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import mongoose from 'mongoose';
import { loadConfig, processEnvWithDotenv } from '../config/load-config.js';
import { textTable } from '../tools/text-table.js';
import { freePort } from './support/free-port.js';

/**
 * bench:soak: a minute of mixed load on one machine. Recommendation reads at a steady rate (autocannon)
 * against an `api` process, while a `worker` process ingests a new day of the living mock through a
 * proxy that answers 10% of requests with 5xx and rewrites some listen histories, a recommendation
 * run is forced, and the Redis of both processes (a private one, append-only) is restarted while the
 * ingestion reads. Afterwards the source is read whole and compared with the store.
 *
 *   npm run bench:soak -- [--duration 60] [--rate 200] [--users 2000] [--tracks 1000] [--error-rate 0.1] [--rewrite-share 0.01]
 *
 * RESULT: requests, errors (failed or non-2xx answers; an answer from MongoDB while Redis is away is
 * not one), p99_ms, records_lost (source records or listens missing from the store after the
 * quarantined histories are taken again), duplicates (listen events beyond the source's listens),
 * rss_growth_mb (api + worker, from the soak's 5th second to its end).
 */

interface Flags {
  duration: number;
  rate: number;
  users: number;
  tracks: number;
  errorRate: number;
  rewriteShare: number;
}

function parseFlags(argv: string[]): Flags {
  const f: Flags = { duration: 60, rate: 200, users: 2000, tracks: 1000, errorRate: 0.1, rewriteShare: 0.01 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const num = (min: number, max: number) => {
      const v = Number(argv[++i]);
      if (!Number.isFinite(v) || v < min || v > max) throw new Error(`${a} expects a number in [${min}, ${max}], got ${argv[i]}`);
      return v;
    };
    if (a === '--duration') f.duration = num(20, 3600);
    else if (a === '--rate') f.rate = num(1, 100_000);
    else if (a === '--users') f.users = num(10, 1_000_000);
    else if (a === '--tracks') f.tracks = num(10, 1_000_000);
    else if (a === '--error-rate') f.errorRate = num(0, 0.5);
    else if (a === '--rewrite-share') f.rewriteShare = num(0, 1);
    else throw new Error(`unknown flag ${a} (flags: --duration --rate --users --tracks --error-rate --rewrite-share)`);
  }
  return f;
}

interface LoadResult {
  requests: { total: number; average: number };
  latency: { p50: number; p99: number; max: number };
  errors: number;
  timeouts: number;
  non2xx: number;
  statusCodeStats?: Record<string, { count: number }>;
}
type Autocannon = (opts: {
  url: string;
  connections: number;
  duration: number;
  overallRate: number;
  ignoreCoordinatedOmission: boolean;
  requests: Array<{ method: string; path: string }>;
}) => Promise<LoadResult>;
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const log = (m: string) => process.stderr.write(`[bench:soak ${new Date().toISOString().slice(11, 19)}] ${m}\n`);

function node(args: string[], env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'inherit'] });
}

async function stop(child: ChildProcess | undefined, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill(signal);
  await Promise.race([exited, sleep(15_000)]);
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}

async function waitFor<T>(what: string, check: () => Promise<T | undefined | null | false>, timeoutMs: number, everyMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const v = await check().catch(() => undefined);
    if (v) return v;
    await sleep(everyMs);
  }
  throw new Error(`timed out waiting for ${what}`);
}

/**
 * In front of the mock: while `rewriting`, the listen histories of a share of users come with their
 * first two listens swapped (a source that rewrites history); everything else passes through as is.
 */
function rewritingProxy(
  upstream: string,
  share: number,
): { server: Server; rewriting: boolean; rewritten: Set<number>; listen(): Promise<string> } {
  const state = { rewriting: false, rewritten: new Set<number>() };
  const server = createServer((req, res) => {
    void (async () => {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const up = await fetch(upstream + req.url, {
        method: req.method,
        headers: req.headers as Record<string, string>,
        body: chunks.length ? Buffer.concat(chunks) : undefined,
      });
      let body = Buffer.from(await up.arrayBuffer());
      if (state.rewriting && up.status === 200 && req.url?.startsWith('/listen_history')) {
        const page = JSON.parse(body.toString()) as { items: Array<{ user_id: number; items: number[] }> };
        for (const h of page.items) {
          if (h.items?.length >= 2 && h.items[0] !== h.items[1] && (h.user_id * 2654435761) % 1000 < share * 1000) {
            [h.items[0], h.items[1]] = [h.items[1]!, h.items[0]!];
            state.rewritten.add(h.user_id);
          }
        }
        body = Buffer.from(JSON.stringify(page));
      }
      const headers: Record<string, string> = { 'content-type': up.headers.get('content-type') ?? 'application/json' };
      const retryAfter = up.headers.get('retry-after');
      if (retryAfter) headers['retry-after'] = retryAfter;
      res.writeHead(up.status, headers).end(body);
    })().catch(() => res.destroy());
  });
  return Object.assign(state, {
    server,
    listen: () =>
      new Promise<string>((r) => server.listen(0, '127.0.0.1', () => r(`http://127.0.0.1:${(server.address() as { port: number }).port}`))),
  });
}

function pct(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? Math.round(s[Math.min(s.length - 1, Math.floor(q * s.length))]! * 10) / 10 : NaN;
}

/** Resident memory of a process, from its /metrics, in MB. */
async function rssMb(metricsUrl: string): Promise<number> {
  const text = await (await fetch(metricsUrl)).text();
  const line = text.split('\n').find((l) => l.startsWith('moovitamix_process_resident_memory_bytes '));
  return Number(line?.split(' ')[1] ?? NaN) / 1e6;
}

async function main(): Promise<void> {
  const flags = parseFlags(process.argv.slice(2));
  execFileSync('bash', ['scripts/services.sh', 'up'], { stdio: ['ignore', 'ignore', 'inherit'] });
  const env = processEnvWithDotenv();
  const mongoBase = (env.MONGODB_URI ?? 'mongodb://127.0.0.1:27017/moovitamix').replace(/\/[^/]*$/, '');
  const redisPort = await freePort();
  const redisDir = mkdtempSync(join(tmpdir(), 'bench-soak-redis-'));
  const settings = loadConfig({
    ...env,
    MONGODB_URI: `${mongoBase}/bench_soak_${process.pid}`,
    REDIS_URL: `redis://127.0.0.1:${redisPort}`,
    REDIS_PREFIX: `bench-soak-${process.pid}`,
    LOG_LEVEL: 'warn',
  });
  const admin = { authorization: `Bearer ${settings.ADMIN_TOKEN}`, 'content-type': 'application/json' };
  let redis: ChildProcess | undefined;
  const startRedis = async () => {
    // Append-only with fsync at every write: BullMQ's jobs survive the restart, as they must in production.
    redis = spawn(
      'redis-server',
      [
        '--port',
        String(redisPort),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'yes',
        '--appendfsync',
        'always',
        '--dir',
        redisDir,
      ],
      { stdio: 'ignore' },
    );
    await waitFor(
      'the private Redis',
      async () => {
        const r = new Redis(settings.REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
        r.on('error', () => undefined);
        try {
          await r.connect();
          return (await r.ping()) === 'PONG';
        } finally {
          r.disconnect();
        }
      },
      20_000,
      100,
    );
  };
  const children: ChildProcess[] = [];
  let proxyServer: Server | undefined;
  const conn = await mongoose.createConnection(settings.MONGODB_URI, { serverSelectionTimeoutMS: 10_000 }).asPromise();
  const db = conn.db!;
  try {
    await startRedis();
    const [mockPort, apiPort, workerPort] = [await freePort(), await freePort(), await freePort()];
    const mockUrl = `http://127.0.0.1:${mockPort}`;
    children.push(
      node(['dist/main.js'], {
        APP_ROLE: 'mock-api',
        MOCK_PORT: String(mockPort),
        MOCK_MODE: 'living',
        MOCK_SEED: '42',
        MOCK_USERS: String(flags.users),
        MOCK_TRACKS: String(flags.tracks),
        MOCK_INITIAL_LISTENS: '10',
        ADMIN_TOKEN: settings.ADMIN_TOKEN,
        LOG_LEVEL: 'warn',
      }),
    );
    await waitFor('the mock', async () => (await fetch(`${mockUrl}/mock/state`)).ok, 60_000);
    const proxied = rewritingProxy(mockUrl, flags.rewriteShare);
    const sourceUrl = await proxied.listen();
    proxyServer = proxied.server;
    const common = {
      MONGODB_URI: settings.MONGODB_URI,
      REDIS_URL: settings.REDIS_URL,
      REDIS_PREFIX: settings.REDIS_PREFIX,
      ADMIN_TOKEN: settings.ADMIN_TOKEN,
      MOCK_API_URL: sourceUrl,
      RAW_EXPORT: 'false',
      LOG_LEVEL: 'warn',
    };
    children.push(node(['dist/main.js'], { ...common, APP_ROLE: 'api', HTTP_PORT: String(apiPort), HTTP_HOST: '127.0.0.1' }));
    children.push(node(['dist/main.js'], { ...common, APP_ROLE: 'worker', METRICS_PORT: String(workerPort) }));
    const api = `http://127.0.0.1:${apiPort}`;
    const workerMetrics = `http://127.0.0.1:${workerPort}/metrics`;
    await waitFor('the api', async () => (await fetch(`${api}/health/ready`)).ok, 90_000);
    await waitFor('the worker', async () => (await fetch(`http://127.0.0.1:${workerPort}/health/ready`)).ok, 90_000);
    const post = async (url: string, body: unknown) => {
      const res = await fetch(url, { method: 'POST', headers: admin, body: JSON.stringify(body) });
      if (res.status >= 300) throw new Error(`POST ${url}: ${res.status} ${await res.text()}`);
      return (await res.json()) as Record<string, string>;
    };
    const runOf = (collection: string, id: string) => db.collection(collection).findOne({ _id: id as never });
    const finished = (collection: string, id: string, timeoutMs: number) =>
      waitFor(
        `${id}`,
        async () => {
          const r = await runOf(collection, id);
          return r && ['succeeded', 'succeeded_with_rejections', 'completed', 'failed'].includes(r.status) ? r : undefined;
        },
        timeoutMs,
      );

    // Day 1, before the soak: the store and the playlists the reads will ask for.
    const t0 = performance.now();
    await post(`${api}/ingestion/runs`, { run_date: '2026-12-01' });
    const day1 = await finished('recommendation_runs', 'recommendations-2026-12-01', 600_000);
    log(`prepared in ${((performance.now() - t0) / 1000).toFixed(1)} s: ${day1.users_computed} playlists`);
    const userIds = (
      await db
        .collection('playlists')
        .find({}, { projection: { user_id: 1 } })
        .toArray()
    ).map((p) => p.user_id as number);
    const requests = Array.from({ length: 10_000 }, (_, i) => ({
      method: 'GET',
      path: `/users/${userIds[(i * 7919) % userIds.length]}/recommendations`,
    }));

    // The soak: steady reads; meanwhile day 2 is ingested through faults, Redis restarts, a run is forced.
    // Latency from each request's sending: with a fixed rate autocannon otherwise counts from when it was due, and this
    // process (the load tool, the probe, the polls) shares two cores with the servers.
    const load = autocannon({
      url: api,
      connections: 10,
      duration: flags.duration,
      overallRate: flags.rate,
      ignoreCoordinatedOmission: true,
      requests,
    });
    const sources: Record<string, number> = {};
    const probeMs: number[] = [];
    let probing = true;
    const probe = (async () => {
      while (probing) {
        const t = performance.now();
        const res = await fetch(`${api}${requests[Math.floor(Math.random() * requests.length)]!.path}`).catch(() => null);
        probeMs.push(performance.now() - t);
        const s = res ? `${res.status} ${res.headers.get('x-recommendation-source') ?? ''}`.trim() : 'failed';
        sources[s] = (sources[s] ?? 0) + 1;
        await res?.arrayBuffer();
        await sleep(100);
      }
    })();
    const soakStart = Date.now();
    const at = (s: number) => sleep(Math.max(0, soakStart + s * 1000 - Date.now()));
    await at(5);
    const rssStart = { api: await rssMb(`${api}/metrics`), worker: await rssMb(workerMetrics) };
    await post(`${mockUrl}/mock/advance?days=1`, {});
    // Slow answers (300 ms) so that the run is still reading when Redis goes away.
    await post(`${mockUrl}/mock/faults`, { error_5xx_rate: flags.errorRate, latency_ms: 300 });
    proxied.rewriting = true;
    const day2 = await post(`${api}/ingestion/runs`, { run_date: '2026-12-02' });
    log(`ingestion ${day2.run_id} started with ${flags.errorRate * 100}% source errors and rewritten histories`);
    await waitFor(
      'the day-2 run to be reading',
      async () => (await runOf('ingestion_runs', day2.run_id!))?.status === 'running',
      60_000,
      50,
    );
    await sleep(1000);
    const redisStoppedAt = (Date.now() - soakStart) / 1000;
    log(`Redis stops (ingestion ${(await runOf('ingestion_runs', day2.run_id!))?.status})`);
    await stop(redis);
    await sleep(3000);
    await startRedis();
    log('Redis is back');
    const day2Run = await finished('ingestion_runs', day2.run_id!, 300_000);
    proxied.rewriting = false;
    await post(`${mockUrl}/mock/faults`, { error_5xx_rate: 0, latency_ms: 0 });
    log(
      `ingestion ${day2Run.status}${day2Run.chain_held ? ` (chain held: ${day2Run.chain_held})` : ''}; ${proxied.rewritten.size} histories rewritten by the source`,
    );
    const forced = await post(`${api}/recommendations/runs`, { run_date: '2026-12-02', force: true });
    const forcedRun = await finished('recommendation_runs', forced.run_id!, 600_000);
    log(`recommendation run ${forced.run_id}: ${forcedRun.status}, ${forcedRun.users_computed} users`);
    const result = await load;
    const rssEnd = { api: await rssMb(`${api}/metrics`), worker: await rssMb(workerMetrics) };
    probing = false;
    await probe;

    // The source mended: the quarantined histories are appends again and are taken; then source and store are compared.
    const day3 = await post(`${api}/ingestion/runs`, { run_date: '2026-12-03' });
    const day3Run = await finished('ingestion_runs', day3.run_id!, 300_000);
    const readAll = async (endpoint: string) => {
      const out: Array<Record<string, unknown>> = [];
      for (let page = 1; ; page++) {
        const body = (await (await fetch(`${mockUrl}/${endpoint}?page=${page}&size=100`)).json()) as {
          items: Array<Record<string, unknown>>;
          pages: number;
        };
        out.push(...body.items);
        if (page >= body.pages) return out;
      }
    };
    const [srcTracks, srcUsers, srcHistories] = [await readAll('tracks'), await readAll('users'), await readAll('listen_history')];
    const ids = async (c: string) =>
      new Set(
        (
          await db
            .collection(c)
            .find({}, { projection: { _id: 1 } })
            .toArray()
        ).map((d) => d._id as unknown as number),
      );
    const [tracks, users, histories] = [await ids('tracks'), await ids('users'), await ids('listen_history')];
    const events = new Map<number, number>();
    for await (const e of db.collection('listen_events').find({}, { projection: { user_id: 1 } }))
      events.set(e.user_id as number, (events.get(e.user_id as number) ?? 0) + 1);
    let lost = srcTracks.filter((t) => !tracks.has(t.id as number)).length + srcUsers.filter((u) => !users.has(u.id as number)).length;
    let duplicates = 0;
    for (const h of srcHistories) {
      const id = h.user_id as number;
      if (!histories.has(id)) lost++;
      const n = (h.items as unknown[]).length;
      const stored = events.get(id) ?? 0;
      lost += Math.max(0, n - stored);
      duplicates += Math.max(0, stored - n);
    }

    const errors = result.errors + result.timeouts + result.non2xx;
    const rssGrowth = rssEnd.api - rssStart.api + (rssEnd.worker - rssStart.worker);
    process.stdout.write(
      `bench:soak: ${flags.duration} s at ${flags.rate} reads/s; ${flags.users} users, ${flags.tracks} tracks (living mock); ${flags.errorRate * 100}% source errors, ${proxied.rewritten.size} histories rewritten; Redis stopped for 3 s at ${redisStoppedAt.toFixed(0)} s, during the ingestion\n`,
    );
    process.stdout.write(
      `${textTable(
        ['what', 'figure'],
        [
          [
            'reads',
            `${result.requests.total} (${result.requests.average.toFixed(0)}/s), p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms, max ${result.latency.max} ms`,
          ],
          [
            'read errors',
            `${errors}: ${result.errors} socket errors, ${result.timeouts} timeouts, ${result.non2xx} non-2xx; statuses ${Object.entries(
              result.statusCodeStats ?? {},
            )
              .map(([k, v]) => `${k}: ${v.count}`)
              .join(', ')}`,
          ],
          [
            'probe (one read every 100 ms)',
            `${Object.entries(sources)
              .map(([k, v]) => `${k}: ${v}`)
              .join(', ')}; p50 ${pct(probeMs, 0.5)} ms, p99 ${pct(probeMs, 0.99)} ms`,
          ],
          [
            'ingestion day 2 (faults)',
            `${day2Run.status}, attempts ${day2Run.attempts}, quarantined ${day2Run.endpoints?.listen_history?.quarantined ?? 0}, retries ${Object.values(day2Run.endpoints ?? {}).reduce((n: number, e) => n + ((e as { retries?: number }).retries ?? 0), 0)}, chain held: ${day2Run.chain_held ?? 'no'}`,
          ],
          ['forced recommendation run', `${forcedRun.status}, ${forcedRun.users_computed} users`],
          ['ingestion day 3 (mended)', `${day3Run.status}, events inserted ${day3Run.endpoints?.listen_history?.events_inserted ?? 0}`],
          [
            'source vs store',
            `${srcTracks.length} tracks, ${srcUsers.length} users, ${srcHistories.length} histories; lost ${lost}, duplicated ${duplicates}`,
          ],
          [
            'RSS (MB) api / worker',
            `${rssStart.api.toFixed(0)} -> ${rssEnd.api.toFixed(0)} / ${rssStart.worker.toFixed(0)} -> ${rssEnd.worker.toFixed(0)}`,
          ],
        ],
      )}\n`,
    );
    const out = {
      requests: result.requests.total,
      errors,
      p99_ms: result.latency.p99,
      records_lost: lost,
      duplicates,
      rss_growth_mb: Math.round(rssGrowth * 10) / 10,
      probe_p99_ms: pct(probeMs, 0.99),
      degraded_answers: Object.entries(sources)
        .filter(([k]) => k.endsWith('store'))
        .reduce((n, [, v]) => n + v, 0),
      rewritten_histories: proxied.rewritten.size,
      ingestion_status: day2Run.status,
      recommendation_status: forcedRun.status,
      duration_s: flags.duration,
      rate: flags.rate,
      redis_stopped_at_s: Math.round(redisStoppedAt),
    };
    process.stdout.write(`RESULT ${JSON.stringify(out)}\n`);
  } finally {
    for (const c of children.reverse()) await stop(c);
    proxyServer?.closeAllConnections();
    proxyServer?.close();
    await db.dropDatabase().catch(() => undefined);
    await conn.close();
    await stop(redis);
    rmSync(redisDir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`bench:soak failed: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  },
);
