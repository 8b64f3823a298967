import type { Job } from 'bullmq';
import { Logger } from '@nestjs/common';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import type { CatalogRepository, MirrorDoc, StoredState } from '../../../src/catalog/catalog.repository.js';
import type { AppConfig } from '../../../src/config/app-config.js';
import { digest } from '../../../src/ingestion/contract.js';
import { ENDPOINTS, type Endpoint } from '../../../src/ingestion/endpoints.js';
import { emptyEndpointRun, type IngestionRunsRepository } from '../../../src/ingestion/ingestion-runs.repository.js';
import type { CheckpointDoc, IngestionRunDoc } from '../../../src/ingestion/ingestion.schemas.js';
import { IngestionService } from '../../../src/ingestion/ingestion.service.js';
import type { RawExporter } from '../../../src/ingestion/raw-export.js';
import type { SourceClient } from '../../../src/ingestion/source-client.js';
import { PipelineMetrics } from '../../../src/monitoring/pipeline-metrics.js';
import type { PipelineChain } from '../../../src/pipeline/pipeline-chain.service.js';
import type { JobQueue } from '../../../src/queues/job-queue.service.js';

// The service logs every run; these tests read their outcome from records, not logs.
beforeAll(() => Logger.overrideLogger(false));

const date = '2026-01-01T00:00:00';
const track = (id: number) => ({
  id,
  name: 'n',
  artist: 'a',
  songwriters: 's',
  duration: '01:00',
  genres: 'g',
  album: 'b',
  created_at: date,
  updated_at: date,
});
const user = (id: number) => ({
  id,
  first_name: 'f',
  last_name: 'l',
  email: 'e',
  gender: 'Male',
  favorite_genres: 'Pop',
  created_at: date,
  updated_at: date,
});
const hist = (id: number, items: number[]) => ({ user_id: id, items, created_at: date, updated_at: date });

/** The service with every side effect in memory: source pages, the store, the run records. */
function world(source: Record<Endpoint, unknown[]>, opts: { previous?: IngestionRunDoc[]; failOn?: Endpoint } = {}) {
  const store: Record<Endpoint, Map<number, MirrorDoc>> = { tracks: new Map(), users: new Map(), listen_history: new Map() };
  const events = new Map<string, unknown>();
  const runs = new Map<string, IngestionRunDoc>((opts.previous ?? []).map((r) => [r._id, r]));
  const log: CheckpointDoc[] = [];
  const rejected: unknown[] = [];
  const config = {
    INGESTION_PAGE_SIZE: 2,
    INGESTION_CONCURRENCY: 2,
    INGESTION_RETRY_BUDGET: 10,
    ANOMALY_WINDOW: 5,
    ANOMALY_THRESHOLD: 3.5,
    SOURCE_SHRINK_TOLERANCE: 0.1,
  } as AppConfig;
  const client = {
    fetchPage: async (endpoint: Endpoint, page: number, size: number) => {
      if (endpoint === opts.failOn) throw new Error(`GET /${endpoint}: 500`);
      const items = source[endpoint].slice((page - 1) * size, page * size);
      const body = JSON.stringify(items);
      return {
        items,
        total: source[endpoint].length,
        page,
        size,
        pages: Math.ceil(source[endpoint].length / size),
        body,
        bodyDigest: digest(body),
        retries: 0,
      };
    },
  } as unknown as SourceClient;
  const catalog = {
    streamState: async function* (name: Endpoint): AsyncIterable<StoredState> {
      for (const d of store[name].values()) yield d as unknown as StoredState;
    },
    writeRecords: async (name: Endpoint, inserts: MirrorDoc[], updates: MirrorDoc[]) => {
      for (const d of [...inserts, ...updates]) store[name].set(d._id, d);
    },
    insertEvents: async (evs: Array<{ _id: string }>) => {
      for (const e of evs) events.set(e._id, e);
      return evs.length;
    },
  } as unknown as CatalogRepository;
  const repo = {
    get: async (id: string) => runs.get(id) ?? null,
    beginAttempt: async (r: Pick<IngestionRunDoc, '_id' | 'run_date' | 'trigger' | 'attempts' | 'max_attempts'>, now: Date) => {
      const existing = runs.get(r._id);
      const doc: IngestionRunDoc = existing
        ? { ...existing, status: 'running', attempts: r.attempts }
        : {
            ...r,
            status: 'running',
            started_at: now,
            finished_at: null,
            duration_s: null,
            error: null,
            records_fetched: 0,
            anomaly: null,
            endpoints: Object.fromEntries(ENDPOINTS.map((e) => [e, emptyEndpointRun()])) as IngestionRunDoc['endpoints'],
          };
      runs.set(r._id, doc);
      return structuredClone(doc);
    },
    update: async (id: string, set: Record<string, unknown>) => void runs.set(id, { ...runs.get(id)!, ...set }),
    setEndpoint: async (id: string, e: Endpoint, s: IngestionRunDoc['endpoints'][Endpoint]) => {
      const r = runs.get(id)!;
      runs.set(id, { ...r, endpoints: { ...r.endpoints, [e]: s } });
    },
    appendCheckpoint: async (c: CheckpointDoc) => void log.push(c),
    checkpointsOf: async (id: string, e: Endpoint) => log.filter((c) => c.run_id === id && c.endpoint === e),
    dropCheckpoints: async (id: string) => void log.splice(0, log.length, ...log.filter((c) => c.run_id !== id)),
    insertRejected: async (docs: unknown[]) => void rejected.push(...docs),
    previousSuccessful: async (limit: number, _before: Date, exclude: string) =>
      [...runs.values()].filter((r) => r._id !== exclude && r.status.startsWith('succeeded')).slice(0, limit),
  } as unknown as IngestionRunsRepository;
  const chain = { afterIngestionSucceeded: vi.fn(async () => undefined) };
  const setGlobalConcurrency = vi.fn(async () => 1);
  const jobs = { queue: () => ({ setGlobalConcurrency }) } as unknown as JobQueue;
  const metrics = new PipelineMetrics();
  const service = new IngestionService(
    config,
    client,
    catalog,
    repo,
    { writePage: async () => undefined } as unknown as RawExporter,
    metrics,
    chain as unknown as PipelineChain,
    jobs,
  );
  const ctx = (runId: string, finalAttempt = true) => ({
    runId,
    runDate: '2026-11-26',
    trigger: 'cron' as const,
    attempt: 1,
    maxAttempts: 3,
    finalAttempt,
  });
  return { service, store, events, runs, rejected, chain, metrics, ctx, setGlobalConcurrency };
}

const source = () => ({
  tracks: [track(1), track(2), track(3)],
  users: [user(10), { ...user(11), gender: 'Robot' }],
  listen_history: [hist(10, [1, 2, 2])],
});
const metricValue = async (
  m: { get(): Promise<{ values: Array<{ labels: Record<string, string | number>; value: number }> }> },
  labels: Record<string, string>,
) => (await m.get()).values.find((v) => Object.entries(labels).every(([k, x]) => v.labels[k] === x))?.value;

describe('an ingestion run', () => {
  it('stores every endpoint, records the run, moves the metrics and hands over to recommendations', async () => {
    const w = world(source());
    const before = (await metricValue(w.metrics.ingestionRecords, { endpoint: 'tracks', result: 'inserted' })) ?? 0;
    const summary = await w.service.execute(w.ctx('r1'));
    expect(summary.status).toBe('succeeded_with_rejections');
    expect(summary.endpoints.users).toMatchObject({ fetched: 2, inserted: 1, rejected: 1, status: 'done', total: 2, pages: 1 });
    expect(summary.endpoints.listen_history).toMatchObject({ inserted: 1, events_inserted: 3 });
    expect([...w.store.tracks.keys()]).toEqual([1, 2, 3]);
    expect(w.events.size).toBe(3);
    expect(w.rejected).toHaveLength(1);
    expect(w.runs.get('r1')).toMatchObject({ status: 'succeeded_with_rejections', records_fetched: 6, error: null });
    expect(w.chain.afterIngestionSucceeded).toHaveBeenCalledWith('2026-11-26', 'r1');
    expect(await metricValue(w.metrics.ingestionRecords, { endpoint: 'tracks', result: 'inserted' })).toBe(before + 3);
    expect(await metricValue(w.metrics.ingestionRejectedRatio, { endpoint: 'users' })).toBe(0.5);
    expect(await metricValue(w.metrics.ingestionLastRunRecords, { endpoint: 'tracks' })).toBe(3);
  });

  it('a failed attempt that will be retried is "retrying"; the last one is "failed"; neither hands over', async () => {
    const w = world(source(), { failOn: 'users' });
    const failedBefore = (await metricValue(w.metrics.ingestionRuns, { status: 'failed' })) ?? 0;
    await expect(w.service.execute(w.ctx('r2', false))).rejects.toThrow('GET /users: 500');
    expect(w.runs.get('r2')).toMatchObject({ status: 'retrying', error: 'GET /users: 500', finished_at: null });
    expect(w.runs.get('r2')!.endpoints.tracks.status).toBe('done');
    expect(w.runs.get('r2')!.endpoints.users).toMatchObject({ status: 'failed', error: 'GET /users: 500' });
    await expect(w.service.execute(w.ctx('r2', true))).rejects.toThrow();
    expect(w.runs.get('r2')).toMatchObject({ status: 'failed' });
    expect(w.runs.get('r2')!.finished_at).toBeInstanceOf(Date);
    expect(await metricValue(w.metrics.ingestionRuns, { status: 'failed' })).toBe(failedBefore + 1);
    expect(w.chain.afterIngestionSucceeded).not.toHaveBeenCalled();
  });

  it('scores volumes against past runs and marks an anomalous run with its reason', async () => {
    const past = (i: number): IngestionRunDoc => ({
      _id: `p${i}`,
      run_date: '2026-11-2',
      trigger: 'cron',
      status: 'succeeded',
      started_at: new Date(),
      finished_at: new Date(),
      duration_s: 1,
      attempts: 1,
      max_attempts: 3,
      error: null,
      records_fetched: 0,
      anomaly: null,
      endpoints: Object.fromEntries(
        ENDPOINTS.map((e) => [e, { ...emptyEndpointRun(), fetched: 100 + i, duration_s: 0 }]),
      ) as IngestionRunDoc['endpoints'],
    });
    const w = world(source(), { previous: [past(0), past(1), past(2), past(3)] });
    const summary = await w.service.execute(w.ctx('r3'));
    expect(summary.anomaly).toMatchObject({ anomalous: true, history: 4 });
    expect(summary.anomaly!.reasons[0]).toMatch(/^tracks: 3 records against a median of 101\.5 over the last 4 runs/);
    expect(w.runs.get('r3')!.anomaly!.scores.tracks.volume).toBeLessThan(-3.5);
    expect(await metricValue(w.metrics.ingestionVolumeAnomaly, { endpoint: 'tracks' })).toBe(summary.anomaly!.scores.tracks.volume);
  });

  it('the job handler runs with the job id as run id and knows its last attempt', async () => {
    const w = world(source());
    const job = {
      id: 'ingestion-2026-11-26',
      attemptsMade: 2,
      attemptsStarted: 3,
      opts: { attempts: 3 },
      updateProgress: vi.fn(),
    } as unknown as Job;
    const summary = await w.service.runJob({ runDate: '2026-11-26', trigger: 'cron' }, job);
    expect(summary.runId).toBe('ingestion-2026-11-26');
    expect(w.runs.get('ingestion-2026-11-26')).toMatchObject({ attempts: 3, max_attempts: 3, trigger: 'cron' });
  });

  it('quarantines a history that lost its last listens: no event added, the run anomalous, recommendations not enqueued', async () => {
    const data = source();
    const w = world(data);
    await w.service.execute(w.ctx('q1'));
    expect(w.events.size).toBe(3);
    const before = (await metricValue(w.metrics.ingestionRecords, { endpoint: 'listen_history', result: 'quarantined' })) ?? 0;
    data.listen_history = [hist(10, [1, 2])];
    const summary = await w.service.execute(w.ctx('q2'));
    expect(summary.endpoints.listen_history).toMatchObject({ fetched: 1, quarantined: 1, updated: 0, events_inserted: 0 });
    expect(w.events.size).toBe(3);
    expect((w.store.listen_history.get(10) as unknown as { items: number[] }).items).toEqual([1, 2, 2]);
    expect(summary.status).toBe('succeeded_with_rejections');
    expect(summary.anomaly!.anomalous).toBe(true);
    expect(summary.anomaly!.reasons.at(-1)).toMatch(/^listen_history: 1 histories quarantined/);
    expect(summary.chainHeld).toMatch(/1 listen histories quarantined/);
    expect(w.runs.get('q2')).toMatchObject({ chain_held: summary.chainHeld });
    expect(w.rejected.at(-1)).toMatchObject({
      run_id: 'q2',
      kind: 'quarantined',
      reasons: [expect.stringMatching(/^listen history shrank/)],
    });
    expect(w.chain.afterIngestionSucceeded).toHaveBeenCalledTimes(1);
    expect(w.chain.afterIngestionSucceeded).toHaveBeenCalledWith('2026-11-26', 'q1');
    expect(await metricValue(w.metrics.ingestionRecords, { endpoint: 'listen_history', result: 'quarantined' })).toBe(before + 1);
  });

  it('a source that shrinks past SOURCE_SHRINK_TOLERANCE: the store keeps its records, the run is anomalous and holds recommendations', async () => {
    const data = { ...source(), tracks: Array.from({ length: 10 }, (_, i) => track(i + 1)) };
    const w = world(data);
    await w.service.execute(w.ctx('s1'));
    data.tracks = data.tracks.slice(0, 9);
    const within = await w.service.execute(w.ctx('s2'));
    expect(within.chainHeld).toBeNull();
    data.tracks = data.tracks.slice(0, 5);
    const summary = await w.service.execute(w.ctx('s3'));
    expect(summary.endpoints.tracks).toMatchObject({ stored: 10, total: 5 });
    expect(summary.chainHeld).toBe('the source shrank: tracks reports 5 records where 10 are stored');
    expect(summary.anomaly!.anomalous).toBe(true);
    expect(summary.anomaly!.reasons.at(-1)).toMatch(/^the source shrank by more than 10%: tracks reports 5 records/);
    expect(w.store.tracks.size).toBe(10);
    expect(w.chain.afterIngestionSucceeded).toHaveBeenCalledTimes(2);
  });

  it('an empty source gives a successful run that does not enqueue recommendations', async () => {
    const w = world({ tracks: [], users: [], listen_history: [] });
    const summary = await w.service.execute(w.ctx('e1'));
    expect(summary.status).toBe('succeeded');
    expect(summary.chainHeld).toBe('the source sent no records');
    expect(w.chain.afterIngestionSucceeded).not.toHaveBeenCalled();
  });

  it('limits the ingestion queue to one run at a time at boot', async () => {
    const w = world(source());
    await w.service.onApplicationBootstrap();
    expect(w.setGlobalConcurrency).toHaveBeenCalledWith(1);
  });
});
