import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { CatalogueIndex } from './catalogue-index.js';
import { CatalogueReader } from './catalogue-reader.js';
import { Experiments } from './experiments.provider.js';
import { PlaylistEngine } from './playlist-engine.js';
import { ProductionModels, type LoadedModel } from './production-models.js';

/** Runs whose state a process keeps at once (a run and the next one, when they overlap). */
const KEEP = 2;

/**
 * The per-run shared state of this worker process: catalogue statistics, users, histories and
 * models are loaded once per run (by its plan, or by the first batch this process takes) and reused
 * by every batch of the run, never reloaded per batch.
 */
@Injectable()
export class RunContexts {
  private readonly logger = new Logger('RunContexts');
  private readonly cache = new Map<string, Promise<PlaylistEngine>>();
  /** How many times a run's state was loaded in this process (tests read it). */
  loads = 0;

  constructor(
    private readonly reader: CatalogueReader,
    private readonly experiments: Experiments,
    private readonly config: AppConfig,
    private readonly models: ProductionModels,
  ) {}

  get(runId: string): Promise<PlaylistEngine> {
    let p = this.cache.get(runId);
    if (!p) {
      p = this.load(runId);
      this.cache.set(runId, p);
      p.catch(() => this.cache.delete(runId));
      while (this.cache.size > KEEP) this.cache.delete(this.cache.keys().next().value!);
    }
    return p;
  }

  drop(runId: string): void {
    this.cache.delete(runId);
  }

  private async load(runId: string): Promise<PlaylistEngine> {
    this.loads++;
    const t0 = performance.now();
    const [snapshot, current] = await Promise.all([this.reader.snapshot(), this.models.current()]);
    const t1 = performance.now();
    const index = CatalogueIndex.build(snapshot.tracks, [...snapshot.histories.values()]);
    const pinned = new Map<string, LoadedModel | null>();
    for (const v of this.experiments.pinnedVersions()) {
      if (v === current.production?.version || v === current.canary?.version) continue;
      const model = await this.models.byVersion(v);
      if (!model)
        this.logger.warn(`model ${v} named by EXPERIMENTS cannot be loaded: its variant is served the hybrid recommender`, {
          runId,
          version: v,
        });
      pinned.set(v, model);
    }
    this.logger.log('run state loaded', {
      runId,
      tracks: snapshot.tracks.length,
      users: snapshot.users.size,
      histories: snapshot.histories.size,
      production: current.production?.version ?? null,
      canary: current.canary?.version ?? null,
      readMs: Math.round(t1 - t0),
      statsMs: Math.round(performance.now() - t1),
    });
    return new PlaylistEngine(
      index,
      snapshot.users,
      snapshot.histories,
      this.experiments.list,
      { ...current, pinned },
      { size: this.config.PLAYLIST_SIZE, maxPerArtist: this.config.MAX_TRACKS_PER_ARTIST },
    );
  }
}
