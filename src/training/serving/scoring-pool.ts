import { Worker } from 'node:worker_threads';
import type { AlsModel } from '../model/als.js';
import type { Recommendation } from '../model/recommend.js';
import { compiledWorkerUrl } from '../worker-script.js';

/** One user to score: the tracks of their history, repeats included. */
export interface ScoringRequest {
  userId: number;
  listened: readonly number[];
}

/** Versions a scoring thread keeps; the main side mirrors the same order, so both evict alike. */
export const MODELS_PER_THREAD = 4;

/** Users per message: small enough to balance the threads, large enough that messaging is noise. */
const CHUNK_USERS = 128;

/** A chunk of users, flattened for the message: user i's tracks are tracks[offsets[i] .. offsets[i+1]). */
export interface ScoreMessage {
  id: number;
  version: string;
  k: number;
  userIds: Float64Array;
  offsets: Int32Array;
  tracks: Float64Array;
  /** Sent the first time this thread sees the version. */
  model?: AlsModel;
  /** Versions the thread must forget (evicted on the main side). */
  drop?: string[];
}

/** The lists of a chunk, flattened: user i's list is trackIds/scores[offsets[i] .. offsets[i+1]). */
export type ScoreReply =
  { id: number; ok: true; offsets: Int32Array; trackIds: Float64Array; scores: Float64Array } | { id: number; ok: false; error: string };

const sharedModels = new WeakMap<AlsModel, AlsModel>();

function shared<T extends Float32Array | Float64Array>(a: T): T {
  if (a.buffer instanceof SharedArrayBuffer) return a;
  const copy = new (a.constructor as new (b: SharedArrayBuffer) => T)(new SharedArrayBuffer(a.byteLength));
  copy.set(a as never);
  return copy;
}

/** The model with its arrays in shared memory (copied once per model), so threads read them without copies. */
function shareModel(model: AlsModel): AlsModel {
  let s = sharedModels.get(model);
  if (!s) {
    s = {
      ...model,
      userIds: shared(model.userIds),
      itemIds: shared(model.itemIds),
      userFactors: shared(model.userFactors),
      itemFactors: shared(model.itemFactors),
    };
    sharedModels.set(model, s);
  }
  return s;
}

interface Thread {
  worker: Worker;
  /** Versions this thread holds, oldest first. */
  versions: string[];
  busy: boolean;
}

interface Pending {
  resolve: (r: Recommendation[][]) => void;
  reject: (e: Error) => void;
}

/**
 * Model scoring (fold-in and exact top-k, see servedRecommendations) on worker_threads, so one
 * worker process uses every core during a recommendation batch. Models go to the threads in shared
 * memory, once per version and thread. The lists are those the same function gives on the calling
 * thread (tested): threads change where the work runs, not its result.
 */
export class ScoringPool {
  private readonly threads: Thread[];
  private readonly queue: Array<{ message: Omit<ScoreMessage, 'model' | 'drop'>; model: AlsModel; done: Pending }> = [];
  private readonly inFlight = new Map<number, { thread: Thread; done: Pending }>();
  private nextId = 1;
  private failure: Error | null = null;
  private closed = false;

  constructor(readonly size: number) {
    const url = compiledWorkerUrl(
      import.meta.url,
      'scoring-worker.js',
      'training/serving',
      'run `npm run build`, or set RECOMMENDATION_THREADS=1',
    );
    this.threads = Array.from({ length: size }, () => {
      const t: Thread = { worker: new Worker(url), versions: [], busy: false };
      t.worker.on('message', (reply: ScoreReply) => this.onReply(t, reply));
      t.worker.on('error', (err) => this.fail(new Error(`scoring thread failed: ${err.message}`)));
      t.worker.on('exit', (code) => {
        if (!this.closed) this.fail(new Error(`scoring thread exited with code ${code}`));
      });
      // Idle threads must not keep a CLI process alive; a busy one is ref'd while it works.
      t.worker.unref();
      return t;
    });
  }

  /** The lists of every request, in order; `k` per user. Rejects if a thread fails (the caller may score inline). */
  async recommendMany(version: string, model: AlsModel, requests: readonly ScoringRequest[], k: number): Promise<Recommendation[][]> {
    if (this.failure) throw this.failure;
    if (this.closed) throw new Error('scoring pool is closed');
    const chunks: Array<Promise<Recommendation[][]>> = [];
    for (let start = 0; start < requests.length; start += CHUNK_USERS) {
      const part = requests.slice(start, start + CHUNK_USERS);
      const offsets = new Int32Array(part.length + 1);
      part.forEach((r, i) => (offsets[i + 1] = offsets[i]! + r.listened.length));
      const tracks = new Float64Array(offsets[part.length]!);
      part.forEach((r, i) => tracks.set(r.listened, offsets[i]));
      const message = { id: this.nextId++, version, k, userIds: Float64Array.from(part, (r) => r.userId), offsets, tracks };
      chunks.push(new Promise((resolve, reject) => this.queue.push({ message, model, done: { resolve, reject } })));
    }
    this.dispatch();
    return (await Promise.all(chunks)).flat();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.fail(new Error('scoring pool closed'));
    await Promise.all(this.threads.map((t) => t.worker.terminate()));
  }

  private dispatch(): void {
    for (const t of this.threads) {
      if (t.busy) continue;
      const next = this.queue.shift();
      if (!next) return;
      const message: ScoreMessage = { ...next.message };
      if (!t.versions.includes(message.version)) {
        message.model = shareModel(next.model);
        t.versions.push(message.version);
        if (t.versions.length > MODELS_PER_THREAD) message.drop = t.versions.splice(0, t.versions.length - MODELS_PER_THREAD);
      } else {
        // Most recently used last, the same order the thread keeps.
        t.versions.splice(t.versions.indexOf(message.version), 1);
        t.versions.push(message.version);
      }
      t.busy = true;
      t.worker.ref();
      this.inFlight.set(message.id, { thread: t, done: next.done });
      t.worker.postMessage(message, [
        message.userIds.buffer as ArrayBuffer,
        message.offsets.buffer as ArrayBuffer,
        message.tracks.buffer as ArrayBuffer,
      ]);
    }
  }

  private onReply(t: Thread, reply: ScoreReply): void {
    const entry = this.inFlight.get(reply.id);
    if (!entry) return;
    this.inFlight.delete(reply.id);
    t.busy = false;
    t.worker.unref();
    if (!reply.ok) entry.done.reject(new Error(`scoring thread: ${reply.error}`));
    else {
      const lists: Recommendation[][] = [];
      for (let i = 0; i + 1 < reply.offsets.length; i++) {
        const list: Recommendation[] = [];
        for (let j = reply.offsets[i]!; j < reply.offsets[i + 1]!; j++) list.push({ trackId: reply.trackIds[j]!, score: reply.scores[j]! });
        lists.push(list);
      }
      entry.done.resolve(lists);
    }
    this.dispatch();
  }

  /** A thread died: everything pending fails and the pool refuses new work (scoring falls back inline). */
  private fail(err: Error): void {
    this.failure ??= err;
    for (const { done } of this.inFlight.values()) done.reject(err);
    this.inFlight.clear();
    for (const { done } of this.queue.splice(0)) done.reject(err);
  }
}
