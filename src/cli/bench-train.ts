/**
 * npm run bench:train -- [--users 50000] [--tracks 20000] [--listens 2000000] [--factors 64] ...
 * ALS training speed on seeded synthetic listens with planted structure. The baseline is the same
 * ALS on one thread, run in the same process with iterations alternating between the two, so
 * machine noise hits both alike; the two must also end with bit-identical factors.
 */
import { availableParallelism, loadavg } from 'node:os';
import { writeDataset } from '../datasets/ndjson-dataset.js';
import { AlsTrainer, resolveSettings, type AlsSettings } from '../training/model/als.js';
import { csrFromCoo } from '../training/model/csr.js';
import { plantedInteractions, plantedListens } from '../tools/planted-listens.js';
import { textTable } from '../tools/text-table.js';
import { intOption, parseOptions, UsageError } from './support/parse-options.js';

const USAGE = `Usage: npm run bench:train -- [options]

  --users N            synthetic users (50000)
  --tracks N           synthetic tracks (20000)
  --listens N          distinct (user, track) interactions (2000000)
  --factors N          latent factors (64)
  --iterations N       timed iterations per configuration (3)
  --threads N          worker threads of the measured configuration (${availableParallelism()} here)
  --cg-steps N         conjugate-gradient steps per row (3)
  --clusters N         planted taste clusters (16)
  --seed N             seed of the data and the model (42)
  --write-dataset DIR  write the synthetic listens (with times) as a data set directory and exit
  --help`;

function parse(argv: string[]) {
  const v = parseOptions(argv, [
    'users',
    'tracks',
    'listens',
    'factors',
    'iterations',
    'threads',
    'cg-steps',
    'clusters',
    'seed',
    'write-dataset',
  ]);
  if (!v) return null;
  const int = (name: string, def: number, min: number, max: number): number => intOption(v, name, min, max) ?? def;
  const o = {
    users: int('users', 50_000, 1, 100_000_000),
    tracks: int('tracks', 20_000, 2, 100_000_000),
    listens: int('listens', 2_000_000, 1, 1_000_000_000),
    factors: int('factors', 64, 1, 1024),
    iterations: int('iterations', 3, 1, 1000),
    threads: int('threads', availableParallelism(), 1, 256),
    cgSteps: int('cg-steps', 3, 1, 1024),
    clusters: int('clusters', 16, 1, 100_000),
    seed: int('seed', 42, 0, 0xffffffff),
    writeDataset: v['write-dataset'],
  };
  const cap = o.users * Math.max(1, Math.floor(o.tracks / 2));
  if (o.listens > cap) throw new UsageError(`--listens ${o.listens} is more than fits (${cap}: half the tracks per user)`);
  return o;
}

function peakRssMb(): number {
  return process.resourceUsage().maxRSS / 1024;
}

function mean(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

function identical(a: Float32Array, b: Float32Array): boolean {
  if (a.length !== b.length) return false;
  const ua = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const ub = new Uint32Array(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < ua.length; i++) if (ua[i] !== ub[i]) return false;
  return true;
}

async function main(): Promise<number> {
  let o;
  try {
    o = parse(process.argv.slice(2));
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`bench:train: ${err.message}\n\n${USAGE}\n`);
    return 2;
  }
  if (!o) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const planted = { users: o.users, tracks: o.tracks, listens: o.listens, clusters: o.clusters, seed: o.seed };
  if (o.writeDataset) {
    const listens = plantedListens(planted);
    await writeDataset(o.writeDataset, { listens });
    process.stdout.write(`wrote ${listens.length} listens of ${o.users} users and ${o.tracks} tracks to ${o.writeDataset}\n`);
    return 0;
  }

  const t0 = performance.now();
  const data = plantedInteractions(planted);
  const counts = csrFromCoo(o.users, o.tracks, data.rows, data.cols, data.counts);
  const dataSeconds = (performance.now() - t0) / 1000;
  const interactions = counts.indptr[counts.rows];
  const settings: AlsSettings = resolveSettings({ factors: o.factors, iterations: o.iterations, cgSteps: o.cgSteps, seed: o.seed });
  process.stderr.write(
    `[bench:train] ${interactions} interactions generated in ${dataSeconds.toFixed(2)} s; ${o.iterations} iterations at ${o.threads} threads and at 1 thread, alternating\n`,
  );

  const t1 = performance.now();
  const measured = await AlsTrainer.create(counts, settings, { threads: o.threads });
  const baseline = await AlsTrainer.create(counts, settings, { threads: 1 });
  const setupSeconds = (performance.now() - t1) / 1000;
  const times: number[] = [];
  const baseTimes: number[] = [];
  const cpu: number[] = [];
  const baseCpu: number[] = [];
  // CPU seconds of the whole process (all threads) next to wall time: on a shared machine the wall time also counts waiting for a core.
  const timed = async (t: AlsTrainer, wall: number[], cpuSeconds: number[]) => {
    const c0 = process.cpuUsage();
    wall.push(await t.iterate());
    const c = process.cpuUsage(c0);
    cpuSeconds.push((c.user + c.system) / 1e6);
  };
  const load = loadavg()[0];
  try {
    for (let it = 0; it < o.iterations; it++) {
      // Alternate which goes first so neither always follows the other's cache and heat.
      if (it % 2 === 0) {
        await timed(measured, times, cpu);
        await timed(baseline, baseTimes, baseCpu);
      } else {
        await timed(baseline, baseTimes, baseCpu);
        await timed(measured, times, cpu);
      }
      process.stderr.write(
        `[bench:train] iteration ${it + 1}: ${o.threads} threads ${times[it].toFixed(3)} s, 1 thread ${baseTimes[it].toFixed(3)} s\n`,
      );
    }
  } finally {
    await measured.close();
    await baseline.close();
  }
  const same = identical(measured.userFactors, baseline.userFactors) && identical(measured.itemFactors, baseline.itemFactors);
  const loss = measured.loss();

  const spi = mean(times);
  const baseSpi = mean(baseTimes);
  const coreUs = ((spi * o.threads) / interactions) * 1e6;
  const baseCoreUs = (baseSpi / interactions) * 1e6;
  const speedup = baseSpi / spi;
  const cpuUs = (mean(cpu) / interactions) * 1e6;
  const baseCpuUs = (mean(baseCpu) / interactions) * 1e6;
  const rss = peakRssMb();
  const f3 = (v: number) => v.toFixed(3);
  process.stdout.write(
    `ALS training: ${o.users} users x ${o.tracks} tracks, ${interactions} interactions, ${o.factors} factors, ${o.cgSteps} CG steps, ${o.iterations} iterations each\n\n` +
      textTable(
        ['configuration', 's/iteration', 'core us/interaction', 'CPU us/interaction', 'iterations (s)'],
        [
          [`${o.threads} threads`, f3(spi), f3(coreUs), f3(cpuUs), times.map(f3).join(' ')],
          ['1 thread (baseline)', f3(baseSpi), f3(baseCoreUs), f3(baseCpuUs), baseTimes.map(f3).join(' ')],
        ],
      ) +
      `\n\nspeed-up ${speedup.toFixed(2)}x on ${o.threads} threads (parallel efficiency ${((speedup / o.threads) * 100).toFixed(0)}%); factors identical across thread counts: ${same ? 'yes' : 'NO'}; training loss ${loss.toPrecision(6)}; peak RSS ${rss.toFixed(0)} MB; load average before ${load.toFixed(2)} on ${availableParallelism()} cores\n`,
  );
  const result = {
    seconds_per_iteration: round(spi, 4),
    interactions,
    users: o.users,
    items: o.tracks,
    factors: o.factors,
    threads: o.threads,
    core_us_per_interaction: round(coreUs, 4),
    peak_rss_mb: round(rss, 1),
    iterations: o.iterations,
    cg_steps: o.cgSteps,
    baseline_threads: 1,
    baseline_seconds_per_iteration: round(baseSpi, 4),
    baseline_core_us_per_interaction: round(baseCoreUs, 4),
    speedup_vs_baseline: round(speedup, 3),
    parallel_efficiency: round(speedup / o.threads, 3),
    factors_identical: same ? 1 : 0,
    cpu_us_per_interaction: round(cpuUs, 4),
    baseline_cpu_us_per_interaction: round(baseCpuUs, 4),
    load_average_1m: round(load, 2),
    training_loss: Number(loss.toPrecision(6)),
    data_seconds: round(dataSeconds, 3),
    setup_seconds: round(setupSeconds, 3),
  };
  process.stdout.write(`RESULT ${JSON.stringify(result)}\n`);
  return same ? 0 : 1;
}

function round(v: number, digits: number): number {
  return Number(v.toFixed(digits));
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`bench:train: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  },
);
