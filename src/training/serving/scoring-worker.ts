/**
 * Model scoring thread (see ScoringPool): keeps the models it was sent, in shared memory, and
 * answers each chunk of users with servedRecommendations, flattened into transferable arrays.
 */
import { parentPort } from 'node:worker_threads';
import type { AlsModel } from '../model/als.js';
import type { ScoreMessage, ScoreReply } from './scoring-pool.js';
import { countListens, servedRecommendations } from './serving-model.js';

const port = parentPort;
if (!port) throw new Error('scoring-worker.js must be started as a worker thread');
const models = new Map<string, AlsModel>();

port.on('message', (m: ScoreMessage) => {
  let reply: ScoreReply;
  try {
    for (const v of m.drop ?? []) models.delete(v);
    if (m.model) models.set(m.version, m.model);
    const model = models.get(m.version);
    if (!model) throw new Error(`model ${m.version} was never sent to this thread`);
    const n = m.userIds.length;
    const offsets = new Int32Array(n + 1);
    const trackIds: number[] = [];
    const scores: number[] = [];
    for (let i = 0; i < n; i++) {
      const listened = Array.from(m.tracks.subarray(m.offsets[i]!, m.offsets[i + 1]!));
      for (const r of servedRecommendations(model, m.userIds[i]!, countListens(listened), m.k)) {
        trackIds.push(r.trackId);
        scores.push(r.score);
      }
      offsets[i + 1] = trackIds.length;
    }
    reply = { id: m.id, ok: true, offsets, trackIds: Float64Array.from(trackIds), scores: Float64Array.from(scores) };
    port.postMessage(reply, [
      reply.offsets.buffer as ArrayBuffer,
      reply.trackIds.buffer as ArrayBuffer,
      reply.scores.buffer as ArrayBuffer,
    ]);
  } catch (err) {
    reply = { id: m.id, ok: false, error: err instanceof Error ? (err.stack ?? err.message) : String(err) };
    port.postMessage(reply);
  }
});
