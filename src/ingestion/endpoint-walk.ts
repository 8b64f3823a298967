import type { CheckpointDoc } from './ingestion.schemas.js';
import { addCounts, zeroCounts, type PageCounts, type PagePlan, type PriorEntry } from './page-plan.js';
import type { FetchedPage } from './source-client.js';

/** Re-reads of an endpoint whose `total` keeps moving stop after this many passes. */
export const MAX_PASSES = 3;

/** knownPages of a walk that has nothing left to read. */
const FINISHED = -1;

export type WalkCounts = PageCounts & { retries: number; pages: number };
export const zeroWalkCounts = (): WalkCounts => ({ ...zeroCounts(), retries: 0, pages: 0 });

function addWalk(a: WalkCounts, b: PageCounts & { retries: number }): WalkCounts {
  return { ...addCounts(a, b), retries: a.retries + b.retries, pages: a.pages + 1 };
}

export interface RecordedPage {
  digest: string;
  counts: PageCounts & { retries: number };
  previous: PriorEntry[];
}

/** Where an endpoint's walk stands according to its checkpoint log. */
export interface WalkState {
  pass: number;
  /** The source total when the pass started (its page 1), or null before page 1 is read. */
  passTotal: number | null;
  /** The most pages any answer of the pass announced. */
  knownPages: number;
  /** The total moved during the pass: another pass follows. */
  changed: boolean;
  /** Pages of the current pass already stored. */
  done: Set<number>;
  /** Pages of the current pass planned (counts and prior index entries recorded) but maybe not stored. */
  planned: Map<number, RecordedPage>;
  /** Counts of every stored page, all passes. */
  counts: WalkCounts;
  /** The last total the source gave. */
  lastTotal: number | null;
}

export type CheckpointEntry = Pick<CheckpointDoc, 'attempt' | 'seq' | 'pass' | 'page' | 'done' | 'pass_end' | 'created_at'>;

/** Rebuilds the walk state from a checkpoint log (any order); an empty log gives a fresh start. */
export function walkStateFromLog(entries: readonly CheckpointEntry[]): WalkState {
  const log = [...entries].sort((a, b) => a.created_at.getTime() - b.created_at.getTime() || a.seq - b.seq);
  const planned = new Map<string, RecordedPage & { total: number; pages: number }>();
  const done = new Set<string>();
  const ended = new Map<number, { total: number; changed: boolean }>();
  for (const e of log) {
    if (e.page) planned.set(`${e.pass}:${e.page.page}`, e.page);
    for (const key of e.done) done.add(key);
    if (e.pass_end) ended.set(e.pass_end.pass, e.pass_end);
  }
  let counts = zeroWalkCounts();
  for (const key of done) {
    const p = planned.get(key);
    if (p) counts = addWalk(counts, p.counts);
  }
  const lastEnded = Math.max(0, ...ended.keys());
  const lastPlanned = Math.max(1, ...[...planned.keys()].map((k) => Number(k.split(':')[0])));
  const endedInfo = ended.get(lastEnded);
  if (endedInfo && lastEnded >= lastPlanned && (!endedInfo.changed || lastEnded >= MAX_PASSES)) {
    // The last pass ended (with a stable total, or the last allowed pass): nothing left to read.
    return {
      pass: lastEnded,
      passTotal: endedInfo.total,
      knownPages: FINISHED,
      changed: endedInfo.changed,
      done: new Set(),
      planned: new Map(),
      counts,
      lastTotal: endedInfo.total,
    };
  }
  const pass = endedInfo && lastEnded >= lastPlanned ? lastEnded + 1 : lastPlanned;
  const state: WalkState = {
    pass,
    passTotal: null,
    knownPages: 0,
    changed: false,
    done: new Set(),
    planned: new Map(),
    counts,
    lastTotal: endedInfo?.total ?? null,
  };
  for (const [key, p] of planned) {
    const [ps, pg] = key.split(':').map(Number) as [number, number];
    if (ps !== pass) continue;
    state.planned.set(pg, { digest: p.digest, counts: p.counts, previous: p.previous ?? [] });
    if (done.has(key)) state.done.add(pg);
    state.knownPages = Math.max(state.knownPages, p.pages);
    if (pg === 1) state.passTotal = p.total;
    state.lastTotal = p.total;
  }
  if (state.passTotal !== null) {
    for (const [key, p] of planned) if (Number(key.split(':')[0]) === pass && p.total !== state.passTotal) state.changed = true;
  }
  return state;
}

/** True when the log says the endpoint was read completely. */
export function walkFinished(state: WalkState): boolean {
  return state.knownPages === FINISHED;
}

export interface WalkDeps {
  fetchPage(page: number): Promise<FetchedPage>;
  exportRaw(page: number, pass: number, body: string): Promise<void>;
  /** Plans a page (no I/O) and updates the store index. */
  plan(items: readonly unknown[], page: number, pass: number): PagePlan;
  /** Puts index entries back as they were before a page first planned (null: not stored). */
  restore(previous: readonly PriorEntry[]): void;
  /** Stores a planned page: rejected records, listen events, then the records. */
  write(plan: PagePlan): Promise<void>;
  appendCheckpoint(entry: Pick<CheckpointDoc, 'pass' | 'page' | 'done' | 'pass_end'>): Promise<void>;
  /** Called after each stored page with its counts. */
  onPage(counts: PageCounts & { retries: number }, page: number, pass: number): void;
  /** Logs a warning (total moved, passes exhausted). */
  warn(message: string, fields: Record<string, unknown>): void;
}

export interface WalkResult {
  counts: WalkCounts;
  passes: number;
  total: number | null;
  /** False when the last pass still saw the total move or a page inside `pages` come back empty: records may be missing. */
  settled: boolean;
}

/**
 * Reads every page of one endpoint with at most `concurrency` pages in flight, stopping at `pages`
 * or at the first empty page, and stores each page as soon as it arrives. Each page's counts are
 * logged before its writes and its completion with the next log entry, so a new attempt resumes
 * where this one stopped. When the source's total moves during a pass, the endpoint is read again
 * (records already stored are unchanged and cost no write), up to MAX_PASSES passes.
 */
export class EndpointWalk {
  private pendingDone: string[] = [];

  constructor(
    private readonly deps: WalkDeps,
    private readonly concurrency: number,
    private state: WalkState,
  ) {}

  get counts(): WalkCounts {
    return this.state.counts;
  }

  async run(): Promise<WalkResult> {
    if (walkFinished(this.state))
      return { counts: this.state.counts, passes: this.state.pass, total: this.state.passTotal, settled: !this.state.changed };
    for (;;) {
      await this.walkPass();
      const s = this.state;
      const total = s.lastTotal ?? 0;
      await this.deps.appendCheckpoint({
        pass: s.pass,
        page: null,
        done: this.takeDone(),
        pass_end: { pass: s.pass, total, changed: s.changed },
      });
      if (!s.changed) return { counts: s.counts, passes: s.pass, total, settled: true };
      if (s.pass >= MAX_PASSES) {
        this.deps.warn(
          `the source total still moved (or a page inside its ${s.knownPages} pages came back empty) during pass ${s.pass}: stopping after ${MAX_PASSES} passes`,
          { pass: s.pass, total },
        );
        return { counts: s.counts, passes: s.pass, total, settled: false };
      }
      this.deps.warn(`the source total moved during pass ${s.pass} (from ${s.passTotal} to ${total}): reading the endpoint again`, {
        pass: s.pass,
        from: s.passTotal,
        to: total,
      });
      this.state = { ...s, pass: s.pass + 1, passTotal: null, knownPages: 0, changed: false, done: new Set(), planned: new Map() };
    }
  }

  private async walkPass(): Promise<void> {
    const s = this.state;
    // Page 1 first, alone, when the log does not say how many pages there are.
    if (s.passTotal === null) await this.page(1);
    let stopAt = Number.POSITIVE_INFINITY;
    let next = 1;
    let failure: unknown;
    const take = (): number | null => {
      if (failure !== undefined) return null;
      const last = Math.min(stopAt, s.knownPages);
      while (next <= last && s.done.has(next)) next++;
      return next <= last ? next++ : null;
    };
    const lane = async (): Promise<void> => {
      for (let p = take(); p !== null; p = take()) {
        try {
          const empty = await this.page(p);
          if (empty && p <= s.knownPages) {
            // The source shrank under us: stop at this page; the total change brings a new pass.
            stopAt = Math.min(stopAt, p - 1);
            s.changed = true;
          }
        } catch (err) {
          failure ??= err;
        }
      }
    };
    await Promise.all(Array.from({ length: this.concurrency }, lane));
    if (failure !== undefined) {
      // Record the pages that did finish, so the next attempt does not read them again.
      if (this.pendingDone.length > 0)
        await this.deps.appendCheckpoint({ pass: s.pass, page: null, done: this.takeDone(), pass_end: null }).catch(() => undefined);
      throw failure;
    }
  }

  /** Reads, plans and stores one page; true when the page was empty. */
  private async page(p: number): Promise<boolean> {
    const s = this.state;
    const page = await this.deps.fetchPage(p);
    if (s.passTotal === null) s.passTotal = page.total;
    if (page.total !== s.passTotal) s.changed = true;
    s.lastTotal = page.total;
    s.knownPages = Math.max(s.knownPages, page.pages);
    await this.deps.exportRaw(p, s.pass, page.body);
    const recorded = s.planned.get(p);
    const again = recorded !== undefined && recorded.digest === page.bodyDigest;
    // Re-applying a page whose writes may have been cut short: planned against the index as it was
    // the first time, it makes the same writes, and its first counts are the true ones.
    if (again) this.deps.restore(recorded.previous);
    const plan = this.deps.plan(page.items, p, s.pass);
    const counts = again ? recorded.counts : { ...plan.counts, retries: page.retries };
    if (!again) {
      await this.deps.appendCheckpoint({
        pass: s.pass,
        page: { page: p, digest: page.bodyDigest, counts, total: page.total, pages: page.pages, previous: plan.previous },
        done: this.takeDone(),
        pass_end: null,
      });
    }
    await this.deps.write(plan);
    s.done.add(p);
    this.pendingDone.push(`${s.pass}:${p}`);
    s.counts = addWalk(s.counts, counts);
    this.deps.onPage(counts, p, s.pass);
    return page.items.length === 0;
  }

  private takeDone(): string[] {
    const d = this.pendingDone;
    this.pendingDone = [];
    return d;
  }
}
