import { Injectable } from '@nestjs/common';
import { z } from 'zod';
import { AppConfig } from '../../config/app-config.js';
import { seedFromString, StreamRng, type Rng } from '../../common/random.js';

/** Fault rates in force; settable at run time through POST /mock/faults. */
export const faultSettingsSchema = z.strictObject({
  latency_ms: z.number().int().min(0).max(60_000),
  error_5xx_rate: z.number().min(0).max(1),
  rate_limit_429_rate: z.number().min(0).max(1),
  retry_after_s: z.number().int().min(0).max(3600),
  drop_rate: z.number().min(0).max(1),
  malformed_rate: z.number().min(0).max(1),
});
export type FaultSettings = z.infer<typeof faultSettingsSchema>;

export type RequestFault =
  { kind: 'none' } | { kind: 'drop' } | { kind: 'error'; status: 500 | 502 | 503 } | { kind: 'rate_limit'; retryAfterS: number };

export interface FaultCounts {
  requests: number;
  dropped: number;
  errors_5xx: number;
  rate_limited_429: number;
}

const ERROR_STATUSES = [500, 502, 503] as const;

/**
 * Decides, per request of a data endpoint, whether it fails and how. One uniform draw is split
 * between drop, 429 and 5xx, so each kind shows up at its own rate. The stream is seeded, so a
 * sequential test sees the same faults on every run.
 */
@Injectable()
export class FaultInjector {
  private current: FaultSettings;
  private readonly rng: Rng;
  private readonly counts: FaultCounts = { requests: 0, dropped: 0, errors_5xx: 0, rate_limited_429: 0 };

  constructor(config: AppConfig) {
    this.current = {
      latency_ms: config.MOCK_FAULT_LATENCY_MS,
      error_5xx_rate: config.MOCK_FAULT_5XX_RATE,
      rate_limit_429_rate: config.MOCK_FAULT_429_RATE,
      retry_after_s: config.MOCK_FAULT_RETRY_AFTER_S,
      drop_rate: config.MOCK_FAULT_DROP_RATE,
      malformed_rate: config.MOCK_FAULT_MALFORMED_RATE,
    };
    this.rng = new StreamRng(seedFromString(config.MOCK_SEED ?? '42'), 0xfa17);
  }

  get settings(): FaultSettings {
    return { ...this.current };
  }

  get served(): FaultCounts {
    return { ...this.counts };
  }

  update(change: Partial<FaultSettings>): FaultSettings {
    this.current = { ...this.current, ...change };
    return this.settings;
  }

  decide(): RequestFault {
    const f = this.current;
    this.counts.requests++;
    const u = this.rng.next();
    let edge = f.drop_rate;
    if (u < edge) {
      this.counts.dropped++;
      return { kind: 'drop' };
    }
    edge += f.rate_limit_429_rate;
    if (u < edge) {
      this.counts.rate_limited_429++;
      return { kind: 'rate_limit', retryAfterS: f.retry_after_s };
    }
    edge += f.error_5xx_rate;
    if (u < edge) {
      this.counts.errors_5xx++;
      return { kind: 'error', status: ERROR_STATUSES[this.rng.int(ERROR_STATUSES.length)]! };
    }
    return { kind: 'none' };
  }
}
