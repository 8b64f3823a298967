import { SetMetadata } from '@nestjs/common';
import type { JobName } from './job-catalogue.js';

export const ON_JOB = 'moovitamix:on-job';

/** Marks a service method as the handler of one job. The job's payload is its first argument. */
export const OnJob = (name: JobName) => SetMetadata(ON_JOB, name);
