import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PipelineMetrics } from '../../../src/monitoring/pipeline-metrics.js';
import { QueueName } from '../../../src/queues/job-catalogue.js';
import { JobQueue } from '../../../src/queues/job-queue.service.js';
import { all, startPipeline, type Pipeline } from '../ingestion/support.js';
import { history, track, user, type StubEndpoint } from '../ingestion/stub-source.js';

/** A source whose pages are whatever `page` returns (by default the slice of `data`, as the real one). */
class ScriptedSource {
  data: Record<StubEndpoint, unknown[]> = { tracks: [], users: [], listen_history: [] };
  page: (endpoint: StubEndpoint, page: number, size: number) => { items: unknown[]; total: number } = (e, p, size) => ({
    items: this.data[e].slice((p - 1) * size, p * size),
    total: this.data[e].length,
  });
  private server?: Server;
  url = '';

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const u = new URL(req.url ?? '/', 'http://source');
      const endpoint = u.pathname.slice(1) as StubEndpoint;
      const page = Number(u.searchParams.get('page') ?? 1);
      const size = Number(u.searchParams.get('size') ?? 100);
      const { items, total } = this.page(endpoint, page, size);
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ items, total, page, size, pages: Math.ceil(total / size) }));
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }
}

// A source that drops pages or repeats ids (shrinking and rewritten histories: test/integration/ingestion/quarantine.test.ts):
// the run says so with reasons, the recommendation run is held, and the store keeps its last good state.
describe('a source that drops pages or repeats ids', () => {
  let source: ScriptedSource;
  let pipe: Pipeline;
  const users = Array.from({ length: 8 }, (_, i) => user(i + 1));
  const histories = users.map((_, i) => history(i + 1, [100 + i, 101 + i], 1));

  beforeAll(async () => {
    source = await new ScriptedSource().start();
    source.data.tracks = Array.from({ length: 12 }, (_, i) => track(100 + i));
    source.data.users = users;
    source.data.listen_history = histories;
    pipe = await startPipeline('res_bad_source', source.url, { INGESTION_PAGE_SIZE: '2', INGESTION_CONCURRENCY: '2' });
    const first = await pipe.run('good', '2026-03-01');
    expect(first.status).toBe('succeeded');
  });
  afterAll(async () => {
    await pipe?.close();
    await source?.stop();
  });

  const snapshot = async () => ({
    users: (await all(pipe.db, 'users')).map((u) => [u._id, u.email]).sort(),
    histories: (await all(pipe.db, 'listen_history')).map((h) => [h._id, h.items]).sort(),
    events: (await all(pipe.db, 'listen_events')).map((e) => e._id).sort(),
  });
  // IngestionChainHeld reads this counter.
  const held = async (reason: string) =>
    (await pipe.app.get(PipelineMetrics).ingestionChainHeld.get()).values.find((v) => v.labels.reason === reason)?.value ?? 0;
  const recommendationJob = (runDate: string) =>
    pipe.app.get(JobQueue).queue(QueueName.Recommendations).getJob(`recommendations-${runDate}`);

  it('drops a page (answered empty, or missing its items, on every pass): the run names the missing records and holds the chain', async () => {
    const before = await snapshot();
    const normal = source.page;
    source.page = (e, p, size) => (e === 'users' && p === 2 ? { items: [], total: users.length } : normal(e, p, size));
    try {
      const heldBefore = await held('unsettled');
      const run = await pipe.run('dropped', '2026-03-02');
      expect(run.endpoints.users).toMatchObject({ passes: 3, settled: false, total: users.length });
      expect(run.anomaly!.anomalous).toBe(true);
      expect(run.anomaly!.reasons.join('\n')).toMatch(
        /^users: the pages did not settle in 3 passes \(a page inside the announced ones came back empty/m,
      );
      expect(run.chainHeld).toMatch(/^users: the pages did not settle/);
      expect(await held('unsettled')).toBe(heldBefore + 1);
      expect(await recommendationJob('2026-03-02')).toBeFalsy();
      expect(await snapshot()).toEqual(before);
    } finally {
      source.page = normal;
    }
  });

  it('repeats ids (a record on two pages, another record missing): quarantined with the reason, the chain held, the store unchanged', async () => {
    const before = await snapshot();
    const normal = source.page;
    // Page 3 of users and of histories repeats page 1's first record, with other content, instead of its own.
    const changedUser = { ...users[0]!, email: 'someone-else@example.org' };
    const changedHistory = history(1, [111, 110], 2);
    source.page = (e, p, size) => {
      if (p === 3 && e === 'users') return { items: [changedUser, users[5]], total: users.length };
      if (p === 3 && e === 'listen_history') return { items: [changedHistory, histories[5]], total: histories.length };
      return normal(e, p, size);
    };
    try {
      const heldBefore = await held('quarantined');
      const run = await pipe.run('repeated', '2026-03-03');
      expect(run.status).toBe('succeeded_with_rejections');
      expect(run.endpoints.users).toMatchObject({ quarantined: 1, updated: 0 });
      expect(run.endpoints.listen_history).toMatchObject({ quarantined: 1, updated: 0, events_inserted: 0 });
      const setAside = (await all(pipe.db, 'rejected_records'))
        .filter((r) => r.run_id === 'repeated')
        .sort((a, b) => a.endpoint.localeCompare(b.endpoint));
      expect(setAside.map((r) => [r.endpoint, r.kind, JSON.parse(r.raw).id ?? JSON.parse(r.raw).user_id])).toEqual([
        ['listen_history', 'quarantined', 1],
        ['users', 'quarantined', 1],
      ]);
      expect(setAside[1].reasons[0]).toBe(
        'id 1 repeated: sent on page 1 and again on page 3 of pass 1 with other content; quarantined, the first is kept',
      );
      expect(run.anomaly!.reasons.join('\n')).toMatch(/^users: 1 records quarantined \(an id repeated with other content\)/m);
      expect(run.chainHeld).toMatch(/listen histories quarantined/);
      expect(await held('quarantined')).toBe(heldBefore + 1);
      expect(await recommendationJob('2026-03-03')).toBeFalsy();
      expect(await snapshot()).toEqual(before);
    } finally {
      source.page = normal;
    }
    // The source mended: the next run is clean and hands over to recommendations.
    const mended = await pipe.run('mended', '2026-03-04');
    expect(mended).toMatchObject({ status: 'succeeded', chainHeld: null });
    expect(await recommendationJob('2026-03-04')).toBeTruthy();
  });
});
