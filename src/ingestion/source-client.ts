import { Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { Agent, errors as undiciErrors, request } from 'undici';
import { AppConfig } from '../config/app-config.js';
import { PipelineMetrics } from '../monitoring/pipeline-metrics.js';
import { describeIssues, digest, PageEnvelope } from './contract.js';
import type { Endpoint } from './endpoints.js';
import {
  parseRetryAfter,
  RetryBudget,
  SourceRequestError,
  withRetries,
  type RequestOutcome,
  type RetryHooks,
  type RetryPolicy,
} from './retry-policy.js';

export interface FetchedPage extends PageEnvelope {
  /** The body as received (written to the raw zone). */
  body: string;
  bodyDigest: string;
  /** Retries this page took. */
  retries: number;
}

/**
 * The MooVitamix source API over HTTP: one page per call, with keep-alive connections, a timeout per
 * request, and retries with exponential backoff and full jitter on network errors, timeouts, 5xx and
 * 429 (honouring Retry-After), each taken from the run's retry budget.
 */
@Injectable()
export class SourceClient implements OnModuleDestroy {
  private readonly logger = new Logger('SourceClient');
  private readonly agent: Agent;
  /** Replaceable in tests. */
  hooks: RetryHooks = { sleep: (ms) => new Promise((r) => setTimeout(r, ms)), random: Math.random };

  constructor(
    private readonly config: AppConfig,
    private readonly metrics: PipelineMetrics,
  ) {
    // One connection per concurrent page; idle sockets are kept for the next page of the run.
    this.agent = new Agent({
      connections: config.INGESTION_CONCURRENCY,
      keepAliveTimeout: 30_000,
      pipelining: 1,
      connect: { timeout: config.INGESTION_REQUEST_TIMEOUT_MS },
    });
  }

  get policy(): RetryPolicy {
    return {
      retries: this.config.INGESTION_REQUEST_RETRIES,
      baseMs: this.config.INGESTION_RETRY_BASE_MS,
      maxMs: this.config.INGESTION_RETRY_MAX_MS,
    };
  }

  url(endpoint: Endpoint, page: number, size: number): string {
    return new URL(
      `${endpoint}?page=${page}&size=${size}`,
      this.config.MOCK_API_URL.endsWith('/') ? this.config.MOCK_API_URL : `${this.config.MOCK_API_URL}/`,
    ).toString();
  }

  async fetchPage(endpoint: Endpoint, page: number, size: number, budget: RetryBudget): Promise<FetchedPage> {
    const what = `GET /${endpoint}?page=${page}&size=${size}`;
    const { value, retries } = await withRetries(
      () => this.once(endpoint, page, size),
      this.policy,
      budget,
      {
        ...this.hooks,
        onRetry: (err, retry, delay) => {
          this.metrics.ingestionRetries.inc({ endpoint, reason: err.outcome });
          this.logger.log(`${what}: ${err.message}; retry ${retry} in ${delay} ms`, { endpoint, page, outcome: err.outcome });
        },
      },
      what,
    );
    return { ...value, retries };
  }

  private async once(endpoint: Endpoint, page: number, size: number): Promise<Omit<FetchedPage, 'retries'>> {
    const timeout = this.config.INGESTION_REQUEST_TIMEOUT_MS;
    const stop = this.metrics.ingestionRequestDuration.startTimer({ endpoint });
    let outcome: RequestOutcome = 'network';
    try {
      const res = await request(this.url(endpoint, page, size), {
        dispatcher: this.agent,
        headersTimeout: timeout,
        bodyTimeout: timeout,
        signal: AbortSignal.timeout(timeout),
        headers: { accept: 'application/json' },
      }).catch((err: unknown) => {
        throw requestError(err, timeout);
      });
      const body = await res.body.text().catch((err: unknown) => {
        throw requestError(err, timeout);
      });
      if (res.statusCode === 429) {
        throw new SourceRequestError('429 Too Many Requests', 'http_429', true, parseRetryAfter(res.headers['retry-after'], Date.now()));
      }
      if (res.statusCode >= 500) throw new SourceRequestError(`${res.statusCode}: ${body.slice(0, 200)}`, 'http_5xx', true);
      if (res.statusCode !== 200) throw new SourceRequestError(`${res.statusCode}: ${body.slice(0, 300)}`, 'http_4xx', false);
      let json: unknown;
      try {
        json = JSON.parse(body);
      } catch {
        throw new SourceRequestError(`the body is not JSON (${body.length} bytes)`, 'invalid_body', true);
      }
      const env = PageEnvelope.safeParse(json);
      if (!env.success)
        throw new SourceRequestError(
          `the page envelope breaks the contract: ${describeIssues(env.error.issues).join('; ')}`,
          'invalid_body',
          true,
        );
      if (env.data.page !== page) throw new SourceRequestError(`asked for page ${page}, got page ${env.data.page}`, 'invalid_body', true);
      outcome = 'ok';
      return { ...env.data, body, bodyDigest: digest(body) };
    } catch (err) {
      outcome = err instanceof SourceRequestError ? err.outcome : 'network';
      throw err;
    } finally {
      stop();
      this.metrics.ingestionRequests.inc({ endpoint, outcome });
    }
  }

  async onModuleDestroy(): Promise<void> {
    await this.agent.close();
  }
}

function requestError(err: unknown, timeoutMs: number): SourceRequestError {
  const e = err as Error & { code?: string; name?: string };
  const timedOut =
    e.name === 'TimeoutError' ||
    e.name === 'AbortError' ||
    e instanceof undiciErrors.HeadersTimeoutError ||
    e instanceof undiciErrors.BodyTimeoutError ||
    e instanceof undiciErrors.ConnectTimeoutError;
  if (timedOut) return new SourceRequestError(`no answer within ${timeoutMs} ms`, 'timeout', true);
  return new SourceRequestError(`${e.code ?? e.name ?? 'error'}: ${e.message}`, 'network', true);
}
