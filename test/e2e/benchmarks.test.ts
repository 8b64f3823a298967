import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * The recommendation benchmarks run end to end at a tiny size: the last line is a RESULT with the
 * fields the issue names, and the run did its work. No time is asserted (benchmarks are run by hand).
 */
const root = fileURLToPath(new URL('../../', import.meta.url));

function bench(script: string, args: string[]) {
  const r = spawnSync(process.execPath, [join(root, 'dist', 'cli', script), ...args], { cwd: root, encoding: 'utf8', timeout: 200_000 });
  const last = r.stdout.trim().split('\n').at(-1) ?? '';
  return {
    code: r.status,
    stdout: r.stdout,
    stderr: r.stderr,
    result: last.startsWith('RESULT ') ? (JSON.parse(last.slice(7)) as Record<string, unknown>) : null,
  };
}

describe('bench:recommend', () => {
  it('runs with a trained production model by default, and without one on --no-model', () => {
    const withModel = bench('bench-recommend.js', ['--users', '600', '--tracks', '300', '--batch-size', '250', '--no-baseline']);
    expect(withModel.code, withModel.stderr).toBe(0);
    for (const f of ['users_per_s', 'users', 'tracks', 'seconds', 'peak_rss_mb']) expect(typeof withModel.result![f], f).toBe('number');
    expect(withModel.result).toMatchObject({
      users: 600,
      tracks: 300,
      users_computed: 600,
      users_failed: 0,
      batch_size: 250,
      model_version: 'bench-model',
    });
    expect(withModel.stdout).toContain('production model (not timed)');

    const day1 = bench('bench-recommend.js', ['--users', '300', '--tracks', '200', '--no-model', '--no-baseline']);
    expect(day1.code, day1.stderr).toBe(0);
    expect(day1.result).toMatchObject({ users: 300, users_computed: 300, users_failed: 0, model_version: null });
  }, 240_000);

  it('refuses a bad flag, naming it', () => {
    const r = bench('bench-recommend.js', ['--users', 'lots']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('--users expects a positive integer, got lots');
  });
});

describe('bench:serve', () => {
  it('loads the API and the hello-world baseline and reports the ratio, without errors', () => {
    const r = bench('bench-serve.js', ['--users', '300', '--tracks', '200', '--duration', '1', '--rounds', '1', '--connections', '4']);
    expect(r.code, r.stderr).toBe(0);
    for (const f of ['rps', 'p50_ms', 'p99_ms', 'errors', 'baseline_rps', 'ratio_to_baseline'])
      expect(typeof r.result![f], f).toBe('number');
    expect(r.result).toMatchObject({ errors: 0, cached_users: 300, connections: 4, rounds: 1 });
    expect(r.result!.ratio_to_baseline).toBeCloseTo((r.result!.rps as number) / (r.result!.baseline_rps as number), 2);
  }, 240_000);
});
