/** How a source request ended: the `outcome` label of moovitamix_ingestion_requests_total. */
export type RequestOutcome = 'ok' | 'http_4xx' | 'http_5xx' | 'http_429' | 'timeout' | 'network' | 'invalid_body';

/** A failed request: retryable ones are tried again with backoff; the others fail the run at once. */
export class SourceRequestError extends Error {
  constructor(
    message: string,
    readonly outcome: Exclude<RequestOutcome, 'ok'>,
    readonly retryable: boolean,
    /** Delay the source asked for (Retry-After), in ms. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

/** The run (or this attempt of it) used up its retries: the run fails with this reason. */
export class RetryBudgetExhaustedError extends Error {}

/** Retries left to one run attempt, all pages together (INGESTION_RETRY_BUDGET). */
export class RetryBudget {
  private used = 0;
  constructor(readonly limit: number) {}
  get spent(): number {
    return this.used;
  }
  /** Takes one retry; false when none is left. */
  take(): boolean {
    if (this.used >= this.limit) return false;
    this.used++;
    return true;
  }
}

export interface RetryPolicy {
  /** Retries of one request after its first try. */
  retries: number;
  baseMs: number;
  maxMs: number;
}

/**
 * Backoff before retry number `retry` (1-based): "full jitter", a uniform draw in
 * [0, min(max, base * 2^(retry-1))], so clients that failed together do not retry together.
 * A Retry-After from the source is honoured (up to maxMs) and never shortened.
 */
export function backoffDelay(retry: number, policy: RetryPolicy, random: () => number, retryAfterMs?: number): number {
  const cap = Math.min(policy.maxMs, policy.baseMs * 2 ** (retry - 1));
  const jitter = Math.floor(random() * cap);
  if (retryAfterMs !== undefined) return Math.min(policy.maxMs, retryAfterMs) + Math.floor(random() * Math.min(policy.baseMs, cap));
  return jitter;
}

/** A Retry-After header (seconds, or an HTTP date) in ms from `nowMs`; undefined when absent or unreadable. */
export function parseRetryAfter(header: string | string[] | undefined, nowMs: number): number | undefined {
  const v = Array.isArray(header) ? header[0] : header;
  if (v === undefined || v.trim() === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(v.trim())) return Math.round(Number(v) * 1000);
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

export interface RetryHooks {
  sleep(ms: number): Promise<void>;
  random(): number;
  /** Called before each retry, with the error that caused it. */
  onRetry?(err: SourceRequestError, retry: number, delayMs: number): void;
}

/**
 * Runs `attempt` until it succeeds, retrying retryable SourceRequestErrors up to `policy.retries`
 * times, each retry taken from the run's budget. Returns the value and the retries it took.
 */
export async function withRetries<T>(
  attempt: () => Promise<T>,
  policy: RetryPolicy,
  budget: RetryBudget,
  hooks: RetryHooks,
  what: string,
): Promise<{ value: T; retries: number }> {
  for (let retry = 0; ; retry++) {
    try {
      return { value: await attempt(), retries: retry };
    } catch (err) {
      if (!(err instanceof SourceRequestError)) throw err;
      if (!err.retryable) throw new SourceRequestError(`${what}: ${err.message}`, err.outcome, false);
      if (retry >= policy.retries) {
        throw new SourceRequestError(`${what} failed after ${retry + 1} tries: ${err.message}`, err.outcome, false);
      }
      if (!budget.take()) {
        throw new RetryBudgetExhaustedError(
          `retry budget of ${budget.limit} retries for this run attempt is used up (last error: ${what}: ${err.message})`,
        );
      }
      const delay = backoffDelay(retry + 1, policy, hooks.random, err.retryAfterMs);
      hooks.onRetry?.(err, retry + 1, delay);
      await hooks.sleep(delay);
    }
  }
}
