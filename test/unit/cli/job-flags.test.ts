import { describe, expect, it } from 'vitest';
import { commandLogLevel, parseJobFlags } from '../../../src/cli/support/job-flags.js';
import { UsageError } from '../../../src/cli/support/parse-options.js';

const SPEC = { defaultTimeoutS: 3600, date: true, force: true };

function mistake(argv: string[], spec: Parameters<typeof parseJobFlags>[1] = SPEC): string {
  try {
    parseJobFlags(argv, spec);
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    return (err as Error).message;
  }
  throw new Error(`no UsageError for ${argv.join(' ')}`);
}

describe('parseJobFlags: the flags of ingest, recommend and train', () => {
  it('gives the defaults when nothing is passed, and null for --help', () => {
    expect(parseJobFlags([], SPEC)).toEqual({ timeoutS: 3600, verbose: false, date: undefined, force: false, notes: [] });
    expect(parseJobFlags(['--date', 'x', '--help'], SPEC)).toBeNull();
  });

  it('reads --timeout, --verbose, --date and --force', () => {
    expect(parseJobFlags(['--timeout', '600', '--verbose', '--date', '2026-11-26', '--force'], SPEC)).toEqual({
      timeoutS: 600,
      verbose: true,
      date: '2026-11-26',
      force: true,
      notes: [],
    });
    expect(parseJobFlags(['--timeout=90'], SPEC)!.timeoutS).toBe(90);
  });

  it('reads --timeout-s, the old spelling, the same way and says so', () => {
    const f = parseJobFlags(['--timeout-s', '240'], SPEC)!;
    expect(f.timeoutS).toBe(240);
    expect(f.notes).toEqual(['--timeout-s is the old spelling of --timeout: read as --timeout']);
    expect(mistake(['--timeout', '1', '--timeout-s', '2'])).toBe('give --timeout only (--timeout-s is its old spelling)');
  });

  it('refuses a bad value with a message that names the flag and the value', () => {
    expect(mistake(['--timeout', '0'])).toBe('--timeout expects a positive integer (seconds), got "0"');
    expect(mistake(['--timeout', '1.5'])).toBe('--timeout expects a positive integer (seconds), got "1.5"');
    expect(mistake(['--timeout-s', 'soon'])).toBe('--timeout-s expects a positive integer (seconds), got "soon"');
    expect(mistake(['--date', 'tomorrow'])).toBe('--date expects YYYY-MM-DD, got "tomorrow"');
    expect(mistake(['--date', '2026-13-45'])).toBe('--date expects YYYY-MM-DD, got "2026-13-45"');
  });

  it('refuses an unknown flag, a positional argument, a missing value, and the flags a command does not take', () => {
    expect(mistake(['--nope'])).toContain("'--nope'");
    expect(mistake(['stray'])).toContain("'stray'");
    expect(mistake(['--timeout'])).toContain("'--timeout <value>'");
    expect(mistake(['--force'], { defaultTimeoutS: 7200 })).toContain("'--force'");
    expect(mistake(['--date', '2026-11-26'], { defaultTimeoutS: 7200 })).toContain("'--date'");
  });
});

describe('commandLogLevel: Nest log lines only when asked for', () => {
  it('is warn by default, the level the user set when there is one, and at least log with --verbose', () => {
    expect(commandLogLevel(false, undefined)).toBe('warn');
    expect(commandLogLevel(false, 'debug')).toBe('debug');
    expect(commandLogLevel(false, 'error')).toBe('error');
    expect(commandLogLevel(true, undefined)).toBe('log');
    expect(commandLogLevel(true, 'error')).toBe('log');
    expect(commandLogLevel(true, 'verbose')).toBe('verbose');
    expect(commandLogLevel(false, 'loud')).toBe('warn');
  });
});
