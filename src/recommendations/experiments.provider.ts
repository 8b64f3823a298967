import { Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { parseExperiments, type Experiment } from './experiments.js';

/** The A/B experiments of EXPERIMENTS, parsed and validated once at boot (an invalid value stops the process, saying why). */
@Injectable()
export class Experiments {
  readonly list: readonly Experiment[];

  constructor(config: AppConfig) {
    this.list = parseExperiments(config.EXPERIMENTS);
  }

  /** Model versions named by variants: loaded for a run besides the production and canary models. */
  pinnedVersions(): string[] {
    return [...new Set(this.list.flatMap((e) => e.variants.flatMap((v) => (v.modelVersion ? [v.modelVersion] : []))))].sort();
  }
}
