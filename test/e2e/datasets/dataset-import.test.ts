import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// `npm run dataset:import` as a process (dist/cli/dataset-import.js): exit codes, messages, atomic output.
interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(args: string[], onStart?: (kill: (signal: NodeJS.Signals) => void) => void): Promise<Run> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ['dist/cli/dataset-import.js', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`dataset-import did not finish:\n${stdout}${stderr}`));
    }, 60_000);
    proc.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? 128 : null), stdout, stderr });
    });
    onStart?.((signal) => proc.kill(signal));
  });
}

describe('npm run dataset:import', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'dataset-import-e2e-'));
    writeFileSync(join(dir, 'u.data'), '1\t10\t4\t881250949\n2\t10\t5\t881250950\n2\t11\t3\t881250951\n');
    writeFileSync(join(dir, 'bad.data'), '1\t10\t4\t881250949\n2\t10\tfive\t881250950\n');
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('imports, prints a summary and exits 0; --help exits 0', async () => {
    const out = join(dir, 'ml');
    const r = await run(['--format', 'movielens', '--in', join(dir, 'u.data'), '--out', out]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^imported 3 listens \(2 users, 2 items, total count 12\) into .*ml in \d+\.\d s\n/);
    expect(r.stdout).toContain('listened_at: 1997-12-04T15:55:49.000Z .. 1997-12-04T15:55:51.000Z (every listen)');
    expect(readdirSync(out).sort()).toEqual(['listens.ndjson', 'tracks.ndjson', 'users.ndjson']);
    const help = await run(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: npm run dataset:import -- --format FORMAT --in PATH --out DIR');
  });

  it('exits 2 with the usage on a bad command line', async () => {
    const cases: [string[], string][] = [
      [['--in', 'x', '--out', 'y'], '--format is required'],
      [['--format', 'parquet', '--in', 'x', '--out', 'y'], '--format must be one of movielens, recbole, lastfm-1k, csv, got parquet'],
      [['--format', 'movielens', '--out', 'y'], '--in PATH is required'],
      [['--format', 'movielens', '--in', 'x', '--out', 'y', '--count', 'plays'], '--count must be one or rating for movielens, got plays'],
      [['--format', 'movielens', '--in', 'x', '--out', 'y', '--delimiter', ','], '--delimiter does not apply to --format movielens'],
      [
        ['--format', 'lastfm-1k', '--in', 'x', '--out', 'y', '--ids', 'source'],
        '--format lastfm-1k has string ids: only --ids dense applies',
      ],
      [['--format', 'csv', '--in', 'x', '--out', 'y', '--name', 'title'], '--item-id, --name, --artist and --genre need --items PATH'],
      [['--format', 'csv', '--in', 'x', '--out', 'y', '--count-scale', '0'], '--count-scale must be an integer in [1, 1000000], got 0'],
      [['--format', 'csv', '--in', 'x', '--out', 'y', '--bogus', '1'], "Unknown option '--bogus'"],
    ];
    for (const [args, message] of cases) {
      const r = await run(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toContain(`dataset-import: ${message}`);
      expect(r.stderr).toContain('Usage: npm run dataset:import');
    }
  });

  it('exits 1 on a bad line, naming file, line and field, and leaves --out absent', async () => {
    const out = join(dir, 'bad-out');
    const r = await run(['--format', 'movielens', '--in', join(dir, 'bad.data'), '--out', out]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`dataset-import: ${join(dir, 'bad.data')}:2: rating (column 3): expected a number, got "five"\n`);
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(dir).filter((f) => f.startsWith('.'))).toEqual([]);
  });

  it('refuses a non-empty --out (exit 1) unless --force, which replaces it', async () => {
    const out = join(dir, 'full');
    mkdirSync(out);
    writeFileSync(join(out, 'mine.txt'), 'keep');
    const refused = await run(['--format', 'movielens', '--in', join(dir, 'u.data'), '--out', out]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe(`dataset-import: ${out} exists and is not empty; --force replaces it\n`);
    expect(readFileSync(join(out, 'mine.txt'), 'utf8')).toBe('keep');
    const failed = await run(['--format', 'movielens', '--in', join(dir, 'bad.data'), '--out', out, '--force']);
    expect(failed.code).toBe(1);
    expect(readdirSync(out)).toEqual(['mine.txt']);
    const forced = await run(['--force', '--format', 'movielens', '--in', join(dir, 'u.data'), '--out', out]);
    expect(forced.code).toBe(0);
    expect(readdirSync(out).sort()).toEqual(['listens.ndjson', 'tracks.ndjson', 'users.ndjson']);
  });

  it('on SIGINT mid-import removes its temporary directory and leaves --out absent', async () => {
    const big = join(dir, 'big.data');
    let text = '';
    for (let i = 0; i < 600_000; i++) text += `${i % 5000}\t${i % 3000}\t${1 + (i % 5)}\t${881250949 + i}\n`;
    writeFileSync(big, text);
    const parent = join(dir, 'sig');
    mkdirSync(parent);
    const out = join(parent, 'out');
    const r = await run(['--format', 'movielens', '--in', big, '--out', out], (kill) => {
      const poll = setInterval(() => {
        if (readdirSync(parent).some((f) => f.startsWith('.out.import-'))) {
          clearInterval(poll);
          kill('SIGINT');
        }
      }, 5);
    });
    // Either it was interrupted (130) or, on a very fast machine, finished first (0); never half-written.
    if (r.code === 130) {
      expect(r.stderr).toContain('interrupted (SIGINT)');
      expect(readdirSync(parent)).toEqual([]);
    } else {
      expect(r.code).toBe(0);
      expect(readdirSync(parent)).toEqual(['out']);
    }
  });
});
