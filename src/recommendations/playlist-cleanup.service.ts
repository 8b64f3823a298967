import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { JobName, type JobPayloads } from '../queues/job-catalogue.js';
import { OnJob } from '../queues/on-job.js';
import { PlaylistRepository } from './playlist.repository.js';

const DAY_MS = 24 * 3600 * 1000;

export interface CleanupResult {
  cutoff: string;
  playlists: number;
  states: number;
  coldStart: number;
}

/**
 * Removes generated playlists older than PLAYLIST_RETENTION_DAYS (with the batch states and
 * cold-start lists of that age), on CLEANUP_CRON: a scheduled job, since FerretDB has no TTL index.
 */
@Injectable()
export class PlaylistCleanupService {
  private readonly logger = new Logger('PlaylistCleanup');
  /** Replaceable clock (tests). */
  now: () => Date = () => new Date();

  constructor(
    private readonly config: AppConfig,
    private readonly playlists: PlaylistRepository,
  ) {}

  @OnJob(JobName.PlaylistCleanup)
  async onCleanup(payload: JobPayloads[JobName.PlaylistCleanup]): Promise<CleanupResult> {
    const cutoff = new Date(this.now().getTime() - this.config.PLAYLIST_RETENTION_DAYS * DAY_MS);
    const removed = await this.playlists.deleteOlderThan(cutoff);
    const result = { cutoff: cutoff.toISOString(), ...removed };
    this.logger.log('old playlists removed', { ...result, runDate: payload.runDate, trigger: payload.trigger });
    return result;
  }
}
