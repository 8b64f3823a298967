import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { addRequestDeadline } from '../../src/http.js';

describe('the request deadline', () => {
  it('answers 503 with Retry-After when a handler does not answer in time, and leaves fast answers alone', async () => {
    const app = Fastify();
    addRequestDeadline(app, 200);
    app.get('/hang', () => new Promise(() => undefined));
    app.get('/fast', async () => ({ ok: true }));
    try {
      const t0 = Date.now();
      const hang = await app.inject({ method: 'GET', url: '/hang' });
      expect(hang.statusCode).toBe(503);
      expect(hang.headers['retry-after']).toBe('1');
      expect(hang.json().message).toMatch(/no answer within 200 ms/);
      expect(Date.now() - t0).toBeLessThan(1500);
      const fast = await app.inject({ method: 'GET', url: '/fast' });
      expect(fast.statusCode).toBe(200);
      expect(fast.json()).toEqual({ ok: true });
    } finally {
      await app.close();
    }
  });
});
