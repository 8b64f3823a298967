import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { AppConfig } from '../../config/app-config.js';
import { buildDataset } from '../data/build-dataset.js';
import { formatDay, US_PER_DAY } from '../data/iso-dates.js';
import { hash32 } from '../../common/random.js';
import { ENDPOINTS, type DayStats, type Endpoint, type ItemTable, type MockDataset } from '../data/tables.js';
import { FaultInjector } from './fault-injector.js';
import { applyDamage, malformedSpec, type MalformedSpec } from './malformed.js';
import { parsePaging } from './paging.js';

/** What the controller sends: a JSON body, or nothing at all (a dropped connection), after a delay. */
export type Answer =
  { kind: 'json'; status: number; body: string; headers: Record<string, string>; delayMs: number } | { kind: 'drop'; delayMs: number };

export interface MalformedItem extends MalformedSpec {
  id: number;
}

/**
 * The source API's logic: builds the data set of MOCK_MODE once at start, answers a page as a slice
 * of items serialised in advance, moves the simulated calendar, and applies the faults in force.
 */
@Injectable()
export class MockSourceService implements OnModuleInit {
  private readonly logger = new Logger('MockApi');
  private data!: MockDataset;
  private readonly days: DayStats[] = [];

  constructor(
    private readonly config: AppConfig,
    private readonly faults: FaultInjector,
  ) {}

  async onModuleInit(): Promise<void> {
    const t0 = performance.now();
    this.data = await buildDataset(this.config);
    this.logger.log('mock data ready', {
      mode: this.data.mode,
      seed: this.data.seed,
      ...this.sizes(),
      ms: Math.round(performance.now() - t0),
    });
  }

  get dataset(): MockDataset {
    return this.data;
  }

  /** GET /tracks, /users, /listen_history with their query. */
  answer(endpoint: Endpoint, query: Record<string, unknown> | undefined): Answer {
    const delayMs = this.faults.settings.latency_ms;
    const fault = this.faults.decide();
    if (fault.kind === 'drop') return { kind: 'drop', delayMs };
    if (fault.kind === 'rate_limit') {
      return {
        kind: 'json',
        status: 429,
        body: '{"detail":"Too Many Requests"}',
        headers: { 'retry-after': String(fault.retryAfterS) },
        delayMs,
      };
    }
    if (fault.kind === 'error')
      return { kind: 'json', status: fault.status, body: JSON.stringify({ detail: ERROR_TEXT[fault.status] }), headers: {}, delayMs };
    const paging = parsePaging(query);
    if (!paging.ok) return { kind: 'json', status: 422, body: JSON.stringify({ detail: paging.detail }), headers: {}, delayMs };
    return { kind: 'json', status: 200, body: this.page(endpoint, paging.page, paging.size), headers: {}, delayMs };
  }

  /** The page's JSON: cached item strings joined, damaged items (if any) serialised on the spot. */
  page(endpoint: Endpoint, page: number, size: number): string {
    const table = this.table(endpoint);
    const total = table.size;
    const pages = Math.ceil(total / size);
    const start = (page - 1) * size;
    const parts: string[] = [];
    const rate = this.faults.settings.malformed_rate;
    const seed = this.seed;
    const day = this.data.day;
    for (let i = start, end = Math.min(total, start + size); i < end; i++) {
      const spec = rate > 0 ? malformedSpec(seed, endpoint, table.id(i), day, rate) : undefined;
      parts.push(spec ? JSON.stringify(applyDamage(table.record(i), spec, hash32(table.id(i), day))) : table.json(i));
    }
    return `{"items":[${parts.join(',')}],"total":${total},"page":${page},"size":${size},"pages":${pages}}`;
  }

  /** Simulates `days` more days; returns what each added. */
  advance(days: number): DayStats[] {
    const t0 = performance.now();
    const added: DayStats[] = [];
    for (let d = 0; d < days; d++) added.push(this.data.advanceDay());
    this.days.push(...added);
    this.logger.log('calendar advanced', {
      days,
      day: this.data.day,
      date: this.date(),
      ...this.sizes(),
      ms: Math.round(performance.now() - t0),
    });
    return added;
  }

  /**
   * As advance, one simulated day at a time with the event loop let go in between, so the pages and
   * health of this process are still answered while a long advance runs.
   */
  async advanceYielding(days: number): Promise<DayStats[]> {
    const t0 = performance.now();
    const added: DayStats[] = [];
    for (let d = 0; d < days; d++) {
      added.push(this.data.advanceDay());
      this.days.push(added.at(-1)!);
      await new Promise<void>((r) => setImmediate(r));
    }
    this.logger.log('calendar advanced', {
      days,
      day: this.data.day,
      date: this.date(),
      ...this.sizes(),
      ms: Math.round(performance.now() - t0),
    });
    return added;
  }

  /**
   * Upper estimate of the sizes after `days` more days at the configured growth (living mode: users
   * and tracks grow by a share of themselves a day, and active users listen), to refuse an advance
   * that would exhaust the process before starting it.
   */
  projectedSizes(days: number): { users: number; tracks: number; listens: number } {
    const now = this.sizes();
    if (this.data.mode !== 'living') return { users: now.users, tracks: now.tracks, listens: now.listens };
    const c = this.config;
    let users = now.users;
    let listens = now.listens;
    for (let d = 0; d < days && users < 1e12; d++) {
      listens += users * c.MOCK_DAILY_ACTIVE_SHARE * c.MOCK_DAILY_LISTENS;
      users *= 1 + c.MOCK_DAILY_NEW_USERS;
    }
    return { users: Math.ceil(users), tracks: Math.ceil(now.tracks * (1 + c.MOCK_DAILY_NEW_TRACKS) ** days), listens: Math.ceil(listens) };
  }

  /** Every item of an endpoint served damaged today at the current rate, with the damage. */
  malformed(endpoint: Endpoint): MalformedItem[] {
    const rate = this.faults.settings.malformed_rate;
    const table = this.table(endpoint);
    const out: MalformedItem[] = [];
    if (rate <= 0) return out;
    for (let i = 0; i < table.size; i++) {
      const spec = malformedSpec(this.seed, endpoint, table.id(i), this.data.day, rate);
      if (spec) out.push({ id: table.id(i), ...spec });
    }
    return out;
  }

  state() {
    const rate = this.faults.settings.malformed_rate;
    return {
      mode: this.data.mode,
      seed: this.data.seed ?? null,
      start_date: formatDay(this.data.startUs),
      date: this.date(),
      day: this.data.day,
      sizes: this.sizes(),
      days: this.days,
      faults: this.faults.settings,
      fault_counts: this.faults.served,
      malformed: Object.fromEntries(ENDPOINTS.map((e) => [e, rate > 0 ? this.malformed(e).length : 0])),
    };
  }

  private sizes() {
    return {
      tracks: this.data.tracks.size,
      users: this.data.users.size,
      listen_history: this.data.listenHistory.size,
      listens: this.data.listenHistory.totalListens,
    };
  }

  private date(): string {
    return formatDay(this.data.startUs + this.data.day * US_PER_DAY);
  }

  private get seed(): number {
    return this.data.seed ?? 0;
  }

  private table(endpoint: Endpoint): ItemTable {
    return endpoint === 'tracks' ? this.data.tracks : endpoint === 'users' ? this.data.users : this.data.listenHistory;
  }
}

const ERROR_TEXT = { 500: 'Internal Server Error', 502: 'Bad Gateway', 503: 'Service Unavailable' } as const;
