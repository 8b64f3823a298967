/**
 * ALS worker thread: holds the shared factor and matrix buffers and, on each request, claims gram
 * blocks or row chunks until none are left (see runPhase in als.ts).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { CgScratch, runPhase, type AlsBuffers, type WorkerReply, type WorkerRequest } from './als.js';

const port = parentPort;
if (!port) throw new Error('als-worker.js must be started as a worker thread');
const buffers = workerData as AlsBuffers;
const scratch = new CgScratch(buffers.factors);

port.on('message', (req: WorkerRequest) => {
  let reply: WorkerReply;
  try {
    runPhase(buffers, req.op, req.side, scratch);
    reply = { ok: true };
  } catch (err) {
    reply = { ok: false, error: err instanceof Error ? (err.stack ?? err.message) : String(err) };
  }
  port.postMessage(reply);
});
port.postMessage({ ok: true } satisfies WorkerReply);
