/**
 * npm run bench:mock-api -- [--users 100000] [--tracks 50000] [--pages 3000] [--http-seconds 5]
 * The living mock at full size: start time, memory, CPU of one page as served (a slice of items
 * serialised once) against the baseline of serialising the same objects per request (measured in
 * alternating rounds, so machine noise hits both alike), one simulated day, and HTTP throughput.
 */
import { loadavg } from 'node:os';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { Pool } from 'undici';
import { createMockApiApp } from '../bootstrap.js';
import { loadConfig, processEnvWithDotenv } from '../config/load-config.js';
import { createLogger } from '../logging/logger.js';
import { ENDPOINTS, type Endpoint } from '../mock-api/data/tables.js';
import { MockSourceService } from '../mock-api/serving/mock-source.service.js';
import { fieldLines } from '../tools/text-table.js';

const { values } = parseArgs({
  options: {
    users: { type: 'string', default: '100000' },
    tracks: { type: 'string', default: '50000' },
    pages: { type: 'string', default: '3000' },
    'http-seconds': { type: 'string', default: '5' },
    connections: { type: 'string', default: '8' },
  },
});
const users = Number(values.users);
const tracks = Number(values.tracks);
const pagesPerRound = Number(values.pages);
const httpSeconds = Number(values['http-seconds']);
const connections = Number(values.connections);

function cpuMicros(): number {
  const u = process.cpuUsage();
  return u.user + u.system;
}

async function main(): Promise<void> {
  const settings = loadConfig({
    ...processEnvWithDotenv(),
    ADMIN_TOKEN: process.env.ADMIN_TOKEN ?? 'benchmark-admin-token-000',
    MOCK_MODE: 'living',
    MOCK_USERS: String(users),
    MOCK_TRACKS: String(tracks),
    LOG_LEVEL: 'warn',
  });
  const memBefore = process.memoryUsage().rss;
  const t0 = performance.now();
  const app = await createMockApiApp(settings, createLogger('warn', { stderr: true }));
  await app.listen(0, '127.0.0.1');
  const startSeconds = (performance.now() - t0) / 1000;
  const memory = process.memoryUsage();
  const source = app.get(MockSourceService);
  const data = source.dataset;
  const startListens = data.listenHistory.totalListens;

  // Warm: every page read once, as a daily ingestion does.
  const pageCount = (e: Endpoint) => Math.ceil(source.state().sizes[e] / 100);
  for (const e of ENDPOINTS) for (let p = 1; p <= pageCount(e); p++) source.page(e, p, 100);

  // The baseline holds the same items as objects and serialises the page at each request.
  const objects: Record<Endpoint, unknown[]> = {
    tracks: Array.from({ length: data.tracks.size }, (_, i) => data.tracks.record(i)),
    users: Array.from({ length: data.users.size }, (_, i) => data.users.record(i)),
    listen_history: Array.from({ length: data.listenHistory.size }, (_, i) => data.listenHistory.record(i)),
  };
  const naivePage = (e: Endpoint, page: number, size: number) => {
    const all = objects[e];
    return JSON.stringify({
      items: all.slice((page - 1) * size, page * size),
      total: all.length,
      page,
      size,
      pages: Math.ceil(all.length / size),
    });
  };

  const perPage = { ours: [] as number[], baseline: [] as number[] };
  for (let round = 0; round < 6; round++) {
    for (const [name, build] of [
      ['ours', (e: Endpoint, p: number) => source.page(e, p, 100)],
      ['baseline', naivePage],
    ] as const) {
      let bytes = 0;
      const c0 = cpuMicros();
      for (let k = 0; k < pagesPerRound; k++) {
        const e = ENDPOINTS[k % 3]!;
        bytes += build(e, 1 + ((k * 7919) % pageCount(e)), 100).length;
      }
      if (bytes === 0) throw new Error('no page served');
      perPage[name].push((cpuMicros() - c0) / pagesPerRound);
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const oursUs = median(perPage.ours);
  const baselineUs = median(perPage.baseline);

  const d0 = performance.now();
  const day = source.advance(1)[0]!;
  const advanceSeconds = (performance.now() - d0) / 1000;
  const c1 = cpuMicros();
  const historyPages = pageCount('listen_history');
  for (let p = 1; p <= historyPages; p++) source.page('listen_history', p, 100);
  const coldHistoryUs = (cpuMicros() - c1) / historyPages;

  const { port } = app.getHttpServer().address() as AddressInfo;
  const pool = new Pool(`http://127.0.0.1:${port}`, { connections });
  let requests = 0;
  let failures = 0;
  const latencies: number[] = [];
  const until = performance.now() + httpSeconds * 1000;
  await Promise.all(
    Array.from({ length: connections }, async (_, w) => {
      for (let k = w; performance.now() < until; k += connections) {
        const e = ENDPOINTS[k % 3]!;
        const s = performance.now();
        const res = await pool.request({ method: 'GET', path: `/${e}?page=${1 + ((k * 7919) % pageCount(e))}&size=100` });
        await res.body.text();
        latencies.push(performance.now() - s);
        if (res.statusCode === 200) requests++;
        else failures++;
      }
    }),
  );
  await pool.close();
  await app.close();
  latencies.sort((a, b) => a - b);
  const rps = requests / httpSeconds;

  const result = {
    users,
    tracks,
    listens: startListens,
    start_seconds: round(startSeconds, 3),
    rss_mb: round((memory.rss - memBefore) / 1e6, 1),
    heap_mb: round(memory.heapUsed / 1e6, 1),
    page_cpu_us: round(oursUs, 1),
    baseline_page_cpu_us: round(baselineUs, 1),
    speedup: round(baselineUs / oursUs, 2),
    history_page_after_day_cpu_us: round(coldHistoryUs, 1),
    advance_day_seconds: round(advanceSeconds, 3),
    day_listens: day.listens,
    http_requests_per_second: round(rps, 0),
    http_p50_ms: round(latencies[Math.floor(latencies.length * 0.5)] ?? 0, 2),
    http_p99_ms: round(latencies[Math.floor(latencies.length * 0.99)] ?? 0, 2),
    http_failures: failures,
    load_average: round(loadavg()[0]!, 2),
  };
  const rows: [string, string][] = [
    ['data (users / tracks / listens)', `${users} / ${tracks} / ${result.listens}`],
    ['start (build data + app), s', String(result.start_seconds)],
    ['memory: rss growth / heap, MB', `${result.rss_mb} / ${result.heap_mb}`],
    ['page of 100, CPU us (ours)', String(result.page_cpu_us)],
    ['page of 100, CPU us (baseline: serialise per request)', String(result.baseline_page_cpu_us)],
    ['speed-up', `${result.speedup}x`],
    ['history page after a day (re-serialised), CPU us', String(result.history_page_after_day_cpu_us)],
    ['advance one day, s', `${result.advance_day_seconds} (${day.listens} listens)`],
    [`HTTP, ${connections} connections, req/s`, String(result.http_requests_per_second)],
    ['HTTP latency p50 / p99, ms', `${result.http_p50_ms} / ${result.http_p99_ms}`],
    ['load average (1 min)', String(result.load_average)],
  ];
  process.stdout.write(`${fieldLines(rows)}\n`);
  process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
