import { randomBytes } from 'node:crypto';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import type { Endpoint } from './endpoints.js';

/**
 * The raw zone: every page as received, under RAW_EXPORT_DIR/<endpoint>/run_date=YYYY-MM-DD/
 * run_id=<run>/page-000001.json (re-reads of a pass after the first: page-000001.pass2.json).
 * Written to a temporary file then renamed, so a reader never sees half a page.
 */
@Injectable()
export class RawExporter {
  constructor(private readonly config: AppConfig) {}

  get enabled(): boolean {
    return this.config.RAW_EXPORT;
  }

  pagePath(endpoint: Endpoint, runDate: string, runId: string, page: number, pass: number): string {
    const name = `page-${String(page).padStart(6, '0')}${pass > 1 ? `.pass${pass}` : ''}.json`;
    const path = join(this.config.RAW_EXPORT_DIR, endpoint, `run_date=${runDate}`, `run_id=${runId}`, name);
    // Jobs are validated before they run; this keeps a bad run date or id from writing elsewhere anyway.
    const inside = relative(resolve(this.config.RAW_EXPORT_DIR), resolve(path));
    if (
      !/^\d{4}-\d{2}-\d{2}$/.test(runDate) ||
      /[\\/]/.test(runId) ||
      runId.includes('..') ||
      inside.startsWith('..') ||
      inside.split(sep).length !== 4
    ) {
      throw new Error(
        `raw page path outside ${this.config.RAW_EXPORT_DIR} refused (run date ${JSON.stringify(runDate.slice(0, 50))}, run id ${JSON.stringify(runId.slice(0, 100))})`,
      );
    }
    return path;
  }

  async writePage(endpoint: Endpoint, runDate: string, runId: string, page: number, pass: number, body: string): Promise<void> {
    if (!this.enabled) return;
    const path = this.pagePath(endpoint, runDate, runId, page, pass);
    const tmp = `${path}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
    try {
      await writeFile(tmp, body);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      await mkdir(dirname(path), { recursive: true });
      await writeFile(tmp, body);
    }
    await rename(tmp, path);
  }
}
