import { describe, expect, it } from 'vitest';
import {
  EndpointWalk,
  MAX_PASSES,
  walkFinished,
  walkStateFromLog,
  type CheckpointEntry,
  type WalkDeps,
} from '../../../src/ingestion/endpoint-walk.js';
import { digest } from '../../../src/ingestion/contract.js';
import { zeroCounts, type PagePlan } from '../../../src/ingestion/page-plan.js';
import type { FetchedPage } from '../../../src/ingestion/source-client.js';

const SIZE = 2;

/**
 * A walk over an in-memory source of `records` ids, with every dependency recorded: pages read,
 * checkpoint log, writes. `onFetch` can change the source or fail a page.
 */
function harness(
  records: number[],
  opts: {
    concurrency?: number;
    onFetch?: (page: number, src: number[]) => number[] | void;
    failWrite?: (page: number) => boolean;
    log?: CheckpointEntry[];
  } = {},
) {
  let src = records;
  const fetched: number[] = [];
  const written: number[] = [];
  const restored: number[] = [];
  const log: CheckpointEntry[] = opts.log ?? [];
  let inFlight = 0;
  let maxInFlight = 0;
  let seq = 0;
  const deps: WalkDeps = {
    fetchPage: async (page) => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise((r) => setTimeout(r, 1));
      inFlight--;
      src = opts.onFetch?.(page, src) ?? src;
      fetched.push(page);
      const items = src.slice((page - 1) * SIZE, page * SIZE);
      const body = JSON.stringify(items);
      return {
        items,
        total: src.length,
        page,
        size: SIZE,
        pages: Math.ceil(src.length / SIZE),
        body,
        bodyDigest: digest(body),
        retries: page === 2 ? 1 : 0,
      } satisfies FetchedPage;
    },
    exportRaw: async () => undefined,
    plan: (items, page): PagePlan => ({
      inserts: [],
      updates: [],
      events: [],
      rejects: [],
      index: [],
      previous: [{ id: page, entry: null }],
      counts: { ...zeroCounts(), fetched: items.length, inserted: items.length, events: page },
    }),
    restore: (previous) => void restored.push(...previous.map((p) => p.id)),
    write: async (plan) => {
      if (opts.failWrite?.(plan.counts.events)) throw new Error(`write of page ${plan.counts.events} failed`);
      written.push(plan.counts.events);
    },
    appendCheckpoint: async (entry) => void log.push({ ...entry, attempt: 1, seq: seq++, created_at: new Date(Date.now() + seq) }),
    onPage: () => undefined,
    warn: () => undefined,
  };
  const walk = () => new EndpointWalk(deps, opts.concurrency ?? 3, walkStateFromLog(log));
  return { walk, fetched, written, restored, log, maxInFlight: () => maxInFlight };
}

const ids = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

describe('walking an endpoint', () => {
  it('reads every page once, page 1 first, at most `concurrency` at a time', async () => {
    const h = harness(ids(19), { concurrency: 3 });
    const r = await h.walk().run();
    expect(h.fetched[0]).toBe(1);
    expect([...h.fetched].sort((a, b) => a - b)).toEqual(ids(10));
    expect(h.maxInFlight()).toBe(3);
    expect(r).toMatchObject({ passes: 1, total: 19, counts: { pages: 10, fetched: 19, inserted: 19, retries: 1 } });
    expect(h.log.at(-1)!.pass_end).toEqual({ pass: 1, total: 19, changed: false });
  });

  it('reads an empty source as one empty page', async () => {
    const h = harness([]);
    expect(await h.walk().run()).toMatchObject({ passes: 1, total: 0, counts: { pages: 1, fetched: 0 } });
  });

  it('reads the endpoint again when the total moves, until it holds still', async () => {
    let moved = false;
    const h = harness(ids(6), {
      concurrency: 1,
      onFetch: (page, src) => {
        if (page !== 2 || moved) return;
        moved = true;
        return [100, ...src];
      },
    });
    const r = await h.walk().run();
    expect(r).toMatchObject({ passes: 2, total: 7 });
    expect(h.fetched).toEqual([1, 2, 3, 4, 1, 2, 3, 4]);
  });

  it('stops at an empty page when the source shrinks, and re-reads', async () => {
    let shrunk = false;
    const h = harness(ids(10), {
      concurrency: 1,
      onFetch: (page, src) => {
        if (page !== 3 || shrunk) return;
        shrunk = true;
        return src.slice(0, 4);
      },
    });
    const r = await h.walk().run();
    expect(h.fetched).toEqual([1, 2, 3, 1, 2]);
    expect(r).toMatchObject({ passes: 2, total: 4 });
  });

  it('gives up re-reading after MAX_PASSES passes', async () => {
    const h = harness(ids(4), { concurrency: 1, onFetch: (page, src) => (page === 2 ? [...src, src.length + 1] : undefined) });
    expect(await h.walk().run()).toMatchObject({ passes: MAX_PASSES });
  });

  it('on a failure, stops taking pages, logs the finished ones and throws', async () => {
    const h = harness(ids(20), { concurrency: 2, failWrite: (page) => page === 4 });
    await expect(h.walk().run()).rejects.toThrow('write of page 4 failed');
    expect(Math.max(...h.fetched)).toBeLessThanOrEqual(6);
    const state = walkStateFromLog(h.log);
    expect([...state.done].sort((a, b) => a - b)).toEqual([...h.written].sort((a, b) => a - b));
    expect(state.planned.has(4)).toBe(true);
    expect(state.done.has(4)).toBe(false);
  });

  it('resumes: skips stored pages, re-applies a planned page with its recorded counts', async () => {
    const first = harness(ids(10), { concurrency: 1, failWrite: (page) => page === 3 });
    await expect(first.walk().run()).rejects.toThrow();
    expect(first.written).toEqual([1, 2]);
    // Page 3's counts were recorded before its write failed: a resumed walk keeps them.
    first.log.find((e) => e.page?.page === 3)!.page!.counts.unchanged = 42;
    const second = harness(ids(10), { concurrency: 1, log: first.log });
    const r = await second.walk().run();
    expect(second.fetched).toEqual([3, 4, 5]);
    // Only the re-applied page is planned against the index as it was the first time.
    expect(second.restored).toEqual([3]);
    expect(r.counts).toMatchObject({ pages: 5, fetched: 10, inserted: 10, unchanged: 42 });
    expect(walkFinished(walkStateFromLog(second.log))).toBe(true);
    const third = harness(ids(10), { log: second.log });
    expect(await third.walk().run()).toMatchObject({ counts: { pages: 5, fetched: 10 } });
    expect(third.fetched).toEqual([]);
  });

  it('re-plans a planned page whose content changed since', async () => {
    const first = harness(ids(6), { concurrency: 1, failWrite: (page) => page === 2 });
    await expect(first.walk().run()).rejects.toThrow();
    first.log.find((e) => e.page?.page === 2)!.page!.digest = 'another body';
    const second = harness(ids(6), { concurrency: 1, log: first.log });
    const r = await second.walk().run();
    expect(r.counts).toMatchObject({ pages: 3, fetched: 6 });
    expect(second.log.filter((e) => e.page?.page === 2)).toHaveLength(2);
  });
});
