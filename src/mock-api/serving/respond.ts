import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyReply } from 'fastify';
import type { Answer } from './mock-source.service.js';

/** Sends an Answer: after its delay, a JSON body, or a connection closed without a byte. */
export async function sendAnswer(reply: FastifyReply, answer: Answer): Promise<void> {
  if (answer.delayMs > 0) await sleep(answer.delayMs);
  if (answer.kind === 'drop') {
    reply.hijack();
    reply.raw.destroy();
    return;
  }
  await reply.status(answer.status).headers(answer.headers).type('application/json').send(answer.body);
}
