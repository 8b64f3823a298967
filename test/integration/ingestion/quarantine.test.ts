import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PipelineMetrics } from '../../../src/monitoring/pipeline-metrics.js';
import { QueueName } from '../../../src/queues/job-catalogue.js';
import { JobQueue } from '../../../src/queues/job-queue.service.js';
import { all, startPipeline, type Pipeline } from './support.js';
import { history, StubSource, track, user } from './stub-source.js';

// Issue 11 (high): a source page whose histories lost their last listen made the run "succeed" with
// each history "replaced", and one user went from 32 real listens to 64 listen events.
describe('a source whose listen histories lost or rewrote listens', () => {
  let stub: StubSource;
  let pipe: Pipeline;
  const tracks = Array.from({ length: 40 }, (_, i) => 100 + i);
  const listens32 = Array.from({ length: 32 }, (_, i) => tracks[i % tracks.length]!);

  beforeAll(async () => {
    stub = await new StubSource().start();
    stub.data.tracks = tracks.map((id) => track(id));
    stub.data.users = [user(1), user(2), user(3)];
    pipe = await startPipeline('ing_quarantine', stub.url, { INGESTION_PAGE_SIZE: '2' });
  });
  afterAll(async () => {
    await pipe?.close();
    await stub?.stop();
  });

  const eventCount = async (userId?: number) =>
    (await all(pipe.db, 'listen_events')).filter((e) => userId === undefined || e.user_id === userId).length;
  const recommendationJob = (runDate: string) =>
    pipe.app.get(JobQueue).queue(QueueName.Recommendations).getJob(`recommendations-${runDate}`);
  const quarantinedMetric = async () =>
    (await pipe.app.get(PipelineMetrics).ingestionRecords.get()).values.find(
      (v) => v.labels.endpoint === 'listen_history' && v.labels.result === 'quarantined',
    )?.value ?? 0;

  it('is quarantined with its reasons: no duplicated events, the stored histories kept, the run anomalous, recommendations held', async () => {
    stub.data.listen_history = [history(1, listens32, 1), history(2, [101, 102, 103, 104, 105], 1), history(3, [110], 1)];
    const r1 = await pipe.run('q1', '2026-11-26');
    expect(r1.status).toBe('succeeded');
    expect(r1.chainHeld).toBeNull();
    expect(await eventCount(1)).toBe(32);
    expect(await eventCount()).toBe(38);
    expect(await recommendationJob('2026-11-26')).toBeTruthy();

    const metricBefore = await quarantinedMetric();
    // User 1 lost the last listen; user 2's last listen changed (same length); user 3 grew normally.
    stub.data.listen_history = [history(1, listens32.slice(0, 31), 2), history(2, [101, 102, 103, 104, 199], 2), history(3, [110, 111], 2)];
    const r2 = await pipe.run('q2', '2026-11-27');
    expect(r2.endpoints.listen_history).toMatchObject({
      fetched: 3,
      quarantined: 2,
      updated: 1,
      unchanged: 0,
      events_inserted: 1,
      rejected: 0,
    });
    expect(await eventCount(1)).toBe(32);
    expect(await eventCount(2)).toBe(5);
    expect(await eventCount()).toBe(39);
    const stored = await pipe.db.collection('listen_history').find({}).sort({ _id: 1 }).toArray();
    expect(stored.map((h) => [h._id, h.items.length, h.generation, h.run_id])).toEqual([
      [1, 32, 0, 'q1'],
      [2, 5, 0, 'q1'],
      [3, 2, 0, 'q2'],
    ]);

    expect(r2.status).toBe('succeeded_with_rejections');
    expect(r2.anomaly!.anomalous).toBe(true);
    expect(r2.anomaly!.reasons.join('\n')).toMatch(/listen_history: 2 histories quarantined/);
    expect(r2.chainHeld).toMatch(/2 listen histories quarantined/);
    const record = await pipe.db.collection('ingestion_runs').findOne({ _id: 'q2' as never });
    expect(record).toMatchObject({
      status: 'succeeded_with_rejections',
      chain_held: r2.chainHeld,
      endpoints: { listen_history: { quarantined: 2 } },
    });
    expect(await recommendationJob('2026-11-27')).toBeFalsy();
    expect(await quarantinedMetric()).toBe(metricBefore + 2);

    const setAside = (await all(pipe.db, 'rejected_records')).filter((r) => r.run_id === 'q2').sort((a, b) => a.index - b.index);
    expect(setAside.map((r) => [r.kind, JSON.parse(r.raw).user_id])).toEqual([
      ['quarantined', 1],
      ['quarantined', 2],
    ]);
    expect(setAside[0].reasons[0]).toMatch(/^listen history shrank: the source sends 31 listens where 32 are stored; quarantined/);
    expect(setAside[1].reasons[0]).toMatch(/^listen history rewritten: the 5 stored listens are not the start of the 5 the source sends/);
  });

  it('takes the histories again once the source sends an append of the stored ones, and hands over to recommendations', async () => {
    stub.data.listen_history = [history(1, [...listens32, 139], 3), history(2, [101, 102, 103, 104, 105], 1), history(3, [110, 111], 2)];
    const r3 = await pipe.run('q3', '2026-11-28');
    expect(r3.endpoints.listen_history).toMatchObject({ quarantined: 0, updated: 1, unchanged: 2, events_inserted: 1 });
    expect(r3.status).toBe('succeeded');
    expect(r3.chainHeld).toBeNull();
    expect(await eventCount(1)).toBe(33);
    expect(await eventCount()).toBe(40);
    expect(await recommendationJob('2026-11-28')).toBeTruthy();
  });

  it('a source that lost records keeps them in the store, and the run holds recommendations', async () => {
    stub.data.tracks = tracks.slice(0, 10).map((id) => track(id));
    const r4 = await pipe.run('q4', '2026-11-29');
    expect(r4.endpoints.tracks).toMatchObject({ stored: 40, total: 10, unchanged: 10 });
    expect(r4.chainHeld).toBe('the source shrank: tracks reports 10 records where 40 are stored');
    expect(r4.anomaly!.anomalous).toBe(true);
    expect(await pipe.db.collection('tracks').countDocuments({})).toBe(40);
    expect(await recommendationJob('2026-11-29')).toBeFalsy();
  });
});
