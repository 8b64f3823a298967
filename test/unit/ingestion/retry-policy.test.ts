import { describe, expect, it } from 'vitest';
import {
  backoffDelay,
  parseRetryAfter,
  RetryBudget,
  RetryBudgetExhaustedError,
  SourceRequestError,
  withRetries,
} from '../../../src/ingestion/retry-policy.js';

const policy = { retries: 3, baseMs: 100, maxMs: 1000 };

/** A recorder of the sleeps asked for, instead of sleeping. */
function hooks(random = () => 0.5) {
  const sleeps: number[] = [];
  return { sleeps, hooks: { sleep: async (ms: number) => void sleeps.push(ms), random } };
}

/** An attempt function that fails with the given errors, then succeeds. */
function failing(errors: Error[]) {
  let calls = 0;
  return {
    get calls() {
      return calls;
    },
    fn: async () => {
      const err = errors[calls++];
      if (err) throw err;
      return 'page';
    },
  };
}

const e5xx = () => new SourceRequestError('503', 'http_5xx', true);

describe('backoff', () => {
  it('draws uniformly up to base * 2^(retry-1), capped at the maximum (full jitter)', () => {
    expect(backoffDelay(1, policy, () => 0.999)).toBe(99);
    expect(backoffDelay(3, policy, () => 0.999)).toBe(399);
    expect(backoffDelay(10, policy, () => 0.999)).toBe(999);
    expect(backoffDelay(3, policy, () => 0)).toBe(0);
  });
  it('honours Retry-After, up to the maximum, never shorter', () => {
    expect(backoffDelay(1, policy, () => 0, 700)).toBe(700);
    expect(backoffDelay(1, policy, () => 0.5, 700)).toBe(750);
    expect(backoffDelay(1, policy, () => 0, 60_000)).toBe(1000);
  });
  it('reads Retry-After as seconds or as an HTTP date', () => {
    const now = Date.parse('2026-11-26T10:00:00Z');
    expect(parseRetryAfter('2', now)).toBe(2000);
    expect(parseRetryAfter(['0.5'], now)).toBe(500);
    expect(parseRetryAfter('Thu, 26 Nov 2026 10:00:03 GMT', now)).toBe(3000);
    expect(parseRetryAfter('Thu, 26 Nov 2026 09:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });
});

describe('retries of one request', () => {
  it('retries retryable failures with backoff and reports how many it took', async () => {
    const h = hooks();
    const attempt = failing([e5xx(), new SourceRequestError('429', 'http_429', true, 300)]);
    const budget = new RetryBudget(10);
    await expect(withRetries(attempt.fn, policy, budget, h.hooks, 'GET /x')).resolves.toEqual({ value: 'page', retries: 2 });
    expect(h.sleeps).toEqual([50, 350]);
    expect(budget.spent).toBe(2);
  });

  it('gives up after the retries allowed, saying which request and why', async () => {
    const attempt = failing([e5xx(), e5xx(), e5xx(), e5xx(), e5xx()]);
    const err = await withRetries(attempt.fn, policy, new RetryBudget(10), hooks().hooks, 'GET /users?page=2&size=100').catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(SourceRequestError);
    expect((err as Error).message).toBe('GET /users?page=2&size=100 failed after 4 tries: 503');
    expect(attempt.calls).toBe(4);
  });

  it('does not retry a refused request (4xx)', async () => {
    const attempt = failing([new SourceRequestError('422: bad size', 'http_4xx', false)]);
    await expect(withRetries(attempt.fn, policy, new RetryBudget(10), hooks().hooks, 'GET /x')).rejects.toThrow('GET /x: 422: bad size');
    expect(attempt.calls).toBe(1);
  });

  it('fails the run when the budget of the run is spent', async () => {
    const budget = new RetryBudget(1);
    await withRetries(failing([e5xx()]).fn, policy, budget, hooks().hooks, 'GET /a');
    const err = await withRetries(failing([e5xx()]).fn, policy, budget, hooks().hooks, 'GET /b').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RetryBudgetExhaustedError);
    expect((err as Error).message).toMatch(/retry budget of 1 retries .* used up \(last error: GET \/b: 503\)/);
  });

  it('lets other errors through untouched', async () => {
    const boom = new TypeError('bug');
    await expect(withRetries(failing([boom]).fn, policy, new RetryBudget(10), hooks().hooks, 'GET /x')).rejects.toBe(boom);
  });
});
