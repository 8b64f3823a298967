import { Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { PipelineMetrics } from '../monitoring/pipeline-metrics.js';
import type { CacheSample } from './dashboard-aggregation.js';

/** How often the counters are read, and how many samples are kept (a day at one a minute). */
export const CACHE_SAMPLE_INTERVAL_MS = 60_000;
export const CACHE_SAMPLES_KEPT = 1440;

/**
 * The cache hit ratio over time, for the dashboard, without Prometheus: this API process's
 * recommendation read counters (hit, miss_store, miss_cold_start), read once a minute into a ring
 * of the last day. Another API replica keeps its own; Prometheus (and the Grafana dashboard) sums them.
 */
@Injectable()
export class CacheHitSampler implements OnModuleInit, OnModuleDestroy {
  private readonly samples: CacheSample[] = [];
  private timer?: NodeJS.Timeout;

  constructor(private readonly metrics: PipelineMetrics) {}

  onModuleInit(): void {
    this.sample();
    this.timer = setInterval(() => this.sample(), CACHE_SAMPLE_INTERVAL_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  /** The counters now. */
  current(): CacheSample {
    const out: CacheSample = { t: Math.round(Date.now() / 1000), hit: 0, miss_store: 0, miss_cold_start: 0 };
    for (const v of this.metrics.recommendationCacheRequests.get().values) {
      const result = String(v.labels.result);
      if (result === 'hit' || result === 'miss_store' || result === 'miss_cold_start') out[result] += v.value;
    }
    return out;
  }

  sample(): void {
    this.samples.push(this.current());
    if (this.samples.length > CACHE_SAMPLES_KEPT) this.samples.splice(0, this.samples.length - CACHE_SAMPLES_KEPT);
  }

  /** The kept samples and the counters now, oldest first. */
  series(): CacheSample[] {
    return [...this.samples, this.current()];
  }
}
