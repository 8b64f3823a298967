import 'reflect-metadata';
import type { INestApplicationContext, LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { Job } from 'bullmq';
import { AppModule } from '../../app.module.js';
import { ConfigError, loadConfig, processEnvWithDotenv } from '../../config/load-config.js';
import type { Settings } from '../../config/settings.js';
import { createLogger } from '../../logging/logger.js';
import { JOB_QUEUE, type JobName } from '../../queues/job-catalogue.js';
import { JobQueue } from '../../queues/job-queue.service.js';
import type { RoleParts } from '../../roles.js';
import { commandLogLevel, commonFlagsUsage, parseJobFlags, type JobFlags, type JobFlagSpec } from './job-flags.js';
import { UsageError } from './parse-options.js';
import { Progress } from './progress.js';

export type WaitResult = 'completed' | 'failed' | 'timeout' | 'missing';

/** What a command shows while it waits for a job: a text, and the share done when it is known. */
export type JobProgress = string | { text: string; done?: number };

export interface JobContext {
  app: INestApplicationContext;
  settings: Settings;
  flags: JobFlags;
  logger: LoggerService;
  progress: Progress;
  /** Epoch milliseconds after which the command stops waiting (now + --timeout). */
  deadline: number;
  /** A line of the human summary, on stdout. */
  print(text: string): void;
  /** A status line on stderr, kept above the progress line. */
  say(text: string): void;
  /** Polls a job until it completes or fails (or the deadline passes), showing `describe` as progress. */
  waitFor(
    name: JobName,
    jobId: string,
    describe?: (job: Job, seconds: number, state: string) => JobProgress | Promise<JobProgress>,
  ): Promise<WaitResult>;
}

/** A command that enqueues a job, waits for it and prints what it did: ingest, recommend, train. */
export interface JobCommand {
  /** The npm script's name, in messages. */
  name: string;
  /** The --help text; the common flags' lines are added after it. */
  usage: string;
  flags: JobFlagSpec;
  /** What this process runs while it waits: ROLE_PRESETS.none to only enqueue, ROLE_PRESETS.worker to run the job too. */
  roles(settings: Settings, flags: JobFlags): RoleParts | Promise<RoleParts>;
  /** Enqueues, waits, prints the summary; resolves to the exit code. */
  run(ctx: JobContext): Promise<number>;
}

const POLL_MS = 500;

/**
 * The one way a job command runs: flags (a mistake exits 2 with the usage), settings (a bad one
 * exits 1 naming it), the pipeline's application context with the command's roles, its logs on
 * stderr only at --verbose or a LOG_LEVEL the user set, progress on stderr (a redrawn line on a
 * terminal, plain lines otherwise), the summary on stdout, and the context closed at the end.
 */
export async function executeJobCommand(cmd: JobCommand, argv: readonly string[], userLogLevel = process.env.LOG_LEVEL): Promise<number> {
  const usage = `${cmd.usage}\n${commonFlagsUsage(cmd.flags.defaultTimeoutS)}`;
  let flags: JobFlags | null;
  try {
    flags = parseJobFlags(argv, cmd.flags);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`${cmd.name}: ${err.message}\n\n${usage}\n`);
    return 2;
  }
  if (flags === null) {
    process.stdout.write(`${usage}\n`);
    return 0;
  }
  for (const note of flags.notes) process.stderr.write(`${cmd.name}: ${note}\n`);
  // Loads .env into the environment too: userLogLevel was read before, so that the committed
  // .env's LOG_LEVEL does not count as one the user set.
  const settings = loadConfig(processEnvWithDotenv());
  const logger = createLogger(commandLogLevel(flags.verbose, userLogLevel), { stderr: true });
  const roles = await cmd.roles(settings, flags);
  const app = await NestFactory.createApplicationContext(AppModule.forRoot(settings, roles), { logger });
  const progress = new Progress(process.stderr);
  const deadline = Date.now() + flags.timeoutS * 1000;
  try {
    const jobs = app.get(JobQueue);
    const ctx: JobContext = {
      app,
      settings,
      flags,
      logger,
      progress,
      deadline,
      print: (text) => {
        progress.clear();
        process.stdout.write(`${text}\n`);
      },
      say: (text) => progress.note(text),
      waitFor: async (name, jobId, describe) => {
        const queue = jobs.queue(JOB_QUEUE[name]);
        const started = Date.now();
        try {
          // At least one look, even past the deadline: a job that ended meanwhile is not a timeout.
          for (;;) {
            const job = await queue.getJob(jobId);
            if (!job) return 'missing';
            const state = await job.getState();
            if (state === 'completed' || state === 'failed') return state;
            if (Date.now() >= deadline) return 'timeout';
            const seconds = Math.round((Date.now() - started) / 1000);
            const shown = describe ? await describe(job, seconds, state) : `${name}: ${state} (${seconds} s)`;
            if (typeof shown === 'string') progress.update(shown);
            else progress.update(shown.text, shown.done);
            await new Promise((r) => setTimeout(r, POLL_MS));
          }
        } finally {
          progress.clear();
        }
      },
    };
    return await cmd.run(ctx);
  } finally {
    progress.clear();
    await app.close();
  }
}

/** Runs a job command as the process: its exit code, 1 on a bad setting or an error. */
export function runJobCommand(cmd: JobCommand): void {
  executeJobCommand(cmd, process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      if (err instanceof ConfigError) process.stderr.write(`${err.message}\n`);
      else process.stderr.write(`${cmd.name}: ${(err as Error).stack ?? String(err)}\n`);
      process.exit(1);
    },
  );
}
