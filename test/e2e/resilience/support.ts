import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from '../../support/processes.js';

/** Polls `check` every `everyMs` until it returns a value, or fails after `timeoutMs` (with `detail()` in the message). */
export async function until<T>(
  what: string,
  check: () => Promise<T | undefined | null | false>,
  timeoutMs: number,
  everyMs = 100,
  detail: () => string = () => '',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const v = await check();
    if (v) return v;
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`timed out waiting for ${what}${detail() ? `\n${detail()}` : ''}`);
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The ids of a BullMQ queue's active jobs. */
export async function activeJobs(redisUrl: string, prefix: string, queue: string): Promise<string[]> {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 2 });
  try {
    return await redis.lrange(`${prefix}:${queue}:active`, 0, -1);
  } finally {
    redis.disconnect();
  }
}

/** Ids of a queue's jobs waiting or active (BullMQ's `wait` and `active` lists). */
export async function queuedOrActiveJobs(redisUrl: string, prefix: string, queue: string): Promise<string[]> {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 2 });
  try {
    const [wait, active] = await Promise.all([
      redis.lrange(`${prefix}:${queue}:wait`, 0, -1),
      redis.lrange(`${prefix}:${queue}:active`, 0, -1),
    ]);
    return [...wait, ...active];
  } finally {
    redis.disconnect();
  }
}

/**
 * What time does to the jobs of a worker that was killed: their locks expire, and a stalled check has
 * seen them active without one. Done at once here, so that the next worker's first stalled check
 * (at its start) puts them back in the queue instead of after the lock duration and two check intervals
 * (training's lock is 120 s). BullMQ's own keys: `<prefix>:<queue>:<id>:lock`, `:stalled`, `:stalled-check`.
 */
export async function expireLocksOfDeadWorker(redisUrl: string, prefix: string, queue: string, jobIds: readonly string[]): Promise<void> {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 2 });
  try {
    for (const id of jobIds) await redis.del(`${prefix}:${queue}:${id}:lock`);
    if (jobIds.length > 0) await redis.sadd(`${prefix}:${queue}:stalled`, ...jobIds);
    await redis.del(`${prefix}:${queue}:stalled-check`);
  } finally {
    redis.disconnect();
  }
}

/** A server process of a test's own (never the shared ones), restartable on the same port and data. */
export interface OwnServer {
  port: number;
  url: string;
  start(): Promise<void>;
  stop(signal?: NodeJS.Signals): Promise<void>;
  /** Stops it and removes its data folder. */
  remove(): Promise<void>;
}

function ownServer(
  name: string,
  port: number,
  url: string,
  spawnIt: (dir: string) => ChildProcess,
  ready: () => Promise<boolean>,
): OwnServer {
  const dir = mkdtempSync(join(tmpdir(), `moovitamix-${name}-`));
  let proc: ChildProcess | undefined;
  let out = '';
  const server: OwnServer = {
    port,
    url,
    async start() {
      out = '';
      proc = spawnIt(dir);
      proc.stdout?.on('data', (d: Buffer) => (out += d.toString()));
      proc.stderr?.on('data', (d: Buffer) => (out += d.toString()));
      await until(`${name} on port ${port}`, ready, 30_000, 100, () => out.slice(-2000));
    },
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      const p = proc;
      if (!p || p.exitCode !== null || p.signalCode !== null) return;
      const exited = new Promise((r) => p.once('exit', r));
      p.kill(signal);
      await exited;
    },
    async remove() {
      await server.stop('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return server;
}

/**
 * A private redis-server on a free port; without persistence by default (a restart loses every key,
 * the queues' jobs included), with `persistent` an append-only file fsynced at every write, as a
 * production Redis under BullMQ should run.
 */
export async function ownRedis(opts: { persistent?: boolean } = {}): Promise<OwnServer> {
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  const ping = async () => {
    const r = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    r.on('error', () => undefined);
    try {
      await r.connect();
      return (await r.ping()) === 'PONG';
    } catch {
      return false;
    } finally {
      r.disconnect();
    }
  };
  return ownServer(
    'redis',
    port,
    url,
    (dir) =>
      spawn(
        'redis-server',
        [
          '--port',
          String(port),
          '--bind',
          '127.0.0.1',
          '--save',
          '',
          '--dir',
          dir,
          ...(opts.persistent ? ['--appendonly', 'yes', '--appendfsync', 'always'] : ['--appendonly', 'no']),
        ],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      ),
    ping,
  );
}

/**
 * A private MongoDB-compatible server on a free port with its own data folder: `mongod` when it is on
 * the PATH, as scripts/services.sh chooses, otherwise the FerretDB binary that script builds under .tools/.
 */
export async function ownMongo(): Promise<OwnServer> {
  const port = await freePort();
  const url = `mongodb://127.0.0.1:${port}`;
  const { MongoClient } = await import('mongodb');
  const ping = async () => {
    const c = new MongoClient(url, { serverSelectionTimeoutMS: 500 });
    try {
      await c.db('admin').command({ ping: 1 });
      return true;
    } catch {
      return false;
    } finally {
      await c.close().catch(() => undefined);
    }
  };
  const mongod = spawnSync('sh', ['-c', 'command -v mongod']).status === 0;
  // `services.sh up` builds the binary only when it starts the shared server itself.
  if (!mongod && !existsSync('.tools/ferretdb')) {
    const built = spawnSync('bash', ['scripts/services.sh', 'build-ferretdb'], { stdio: 'inherit' });
    if (built.status !== 0)
      throw new Error('could not build the FerretDB binary for a private server (scripts/services.sh build-ferretdb)');
  }
  return ownServer(
    mongod ? 'mongod' : 'ferretdb',
    port,
    url,
    (dir) =>
      mongod
        ? spawn('mongod', ['--dbpath', dir, '--bind_ip', '127.0.0.1', '--port', String(port)], { stdio: ['ignore', 'pipe', 'pipe'] })
        : spawn('.tools/ferretdb', ['-listen', `127.0.0.1:${port}`, '-data', dir], {
            stdio: ['ignore', 'pipe', 'pipe'],
            env: { ...process.env, GOGC: '1000' },
          }),
    ping,
  );
}
