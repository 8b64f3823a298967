import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENDPOINTS } from '../../../src/ingestion/endpoints.js';
import { all, startMock, startPipeline, type Mock, type Pipeline } from './support.js';

/** Every item of an endpoint, read page by page (faults off). */
async function readAll(mock: Mock, endpoint: string): Promise<any[]> {
  const first = await mock.json(`/${endpoint}?page=1&size=100`);
  const out = [...first.items];
  for (let p = 2; p <= first.pages; p++) out.push(...(await mock.json(`/${endpoint}?page=${p}&size=100`)).items);
  return out;
}

describe('ingestion from a flaky source: 5xx, 429 with Retry-After, dropped connections, latency, malformed records', () => {
  let mock: Mock;
  let pipe: Pipeline;

  beforeAll(async () => {
    mock = await startMock('ing_faults', {
      MOCK_MODE: 'classic',
      MOCK_SEED: '21',
      MOCK_FAULT_5XX_RATE: '0.2',
      MOCK_FAULT_429_RATE: '0.1',
      MOCK_FAULT_RETRY_AFTER_S: '1',
      MOCK_FAULT_DROP_RATE: '0.05',
      MOCK_FAULT_LATENCY_MS: '20',
      MOCK_FAULT_MALFORMED_RATE: '0.01',
    });
    // Retry-After (1 s) is honoured up to INGESTION_RETRY_MAX_MS; a page may need many tries at a 35% failure rate.
    pipe = await startPipeline('ing_faults', mock.url, { INGESTION_RETRY_MAX_MS: '2000', INGESTION_REQUEST_RETRIES: '15' });
  });
  afterAll(async () => {
    await pipe?.close();
    await mock?.close();
  });

  it('completes, stores every valid record once and every malformed one in rejected_records with its reason', async () => {
    const summary = await pipe.run('flaky');
    expect(summary.status).toBe('succeeded_with_rejections');
    const served = (await mock.json('/mock/state')).fault_counts;
    const retries = ENDPOINTS.reduce((n, e) => n + summary.endpoints[e].retries, 0);
    // Every failed answer the mock served was retried.
    expect(retries).toBe(served.dropped + served.errors_5xx + served.rate_limited_429);
    expect(served.rate_limited_429).toBeGreaterThan(0);
    expect(served.requests).toBe(30 + retries);

    const malformed = await mock.json('/mock/malformed');
    await mock.admin('POST', '/mock/faults', { error_5xx_rate: 0, rate_limit_429_rate: 0, drop_rate: 0, latency_ms: 0, malformed_rate: 0 });
    const rejected = await all(pipe.db, 'rejected_records');
    for (const endpoint of ENDPOINTS) {
      const bad: Array<{ id: number; field: string }> = malformed[endpoint];
      const mine = rejected.filter((r) => r.endpoint === endpoint);
      expect(summary.endpoints[endpoint].rejected).toBe(bad.length);
      expect(mine).toHaveLength(bad.length);
      for (const b of bad) {
        const idOf = (r: { raw: string }) => {
          const raw = JSON.parse(r.raw);
          return raw.id ?? raw.user_id;
        };
        // A record whose id field was the damaged one is found by the damage instead.
        const hit =
          mine.find((r) => String(idOf(r)) === String(b.id)) ??
          mine.find((r) => idOf(r) === undefined && r.reasons.join(' ').includes(b.field));
        expect(hit, `${endpoint} ${b.id} (${b.field}) is in rejected_records`).toBeDefined();
        expect(hit!.reasons.join(' ')).toContain(b.field);
        expect(hit!.run_id).toBe('flaky');
      }

      const badIds = new Set(bad.map((b) => b.id));
      const good = (await readAll(mock, endpoint)).filter((item) => !badIds.has(item.id ?? item.user_id));
      const stored = await all(pipe.db, endpoint);
      expect(stored.map((d) => d._id).sort()).toEqual(good.map((item) => item.id ?? item.user_id).sort());
      if (endpoint === 'listen_history') {
        const listens = good.reduce((n, h) => n + h.items.length, 0);
        expect(await pipe.db.collection('listen_events').countDocuments({})).toBe(listens);
        expect(summary.endpoints.listen_history.events_inserted).toBe(listens);
      }
    }
  });
});
