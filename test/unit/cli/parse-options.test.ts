import { describe, expect, it } from 'vitest';
import { intOption, parseOptions, UsageError } from '../../../src/cli/support/parse-options.js';

const NAMES = ['users', 'cg-steps', 'data'] as const;

describe('parseOptions', () => {
  it('returns the given string options by flag name, and nothing for the others', () => {
    expect(parseOptions(['--users', '12', '--cg-steps=4', '--data', 'dir'], NAMES)).toEqual({ users: '12', 'cg-steps': '4', data: 'dir' });
    expect(parseOptions([], NAMES)).toEqual({});
  });

  it('returns null for --help, whatever else is given', () => {
    expect(parseOptions(['--help'], NAMES)).toBeNull();
    expect(parseOptions(['--users', 'many', '--help'], NAMES)).toBeNull();
  });

  it('turns an unknown flag, a positional argument or a missing value into a UsageError naming the flag', () => {
    const mistake = (argv: string[]) => {
      try {
        parseOptions(argv, NAMES);
      } catch (err) {
        expect(err).toBeInstanceOf(UsageError);
        return (err as Error).message;
      }
      throw new Error(`no UsageError for ${argv.join(' ')}`);
    };
    expect(mistake(['--nope'])).toContain("'--nope'");
    expect(mistake(['stray'])).toContain("'stray'");
    expect(mistake(['--users'])).toContain("'--users <value>'");
  });
});

describe('intOption', () => {
  it('reads an integer within the bounds, bounds included, and undefined when absent', () => {
    expect(intOption({ k: '10' }, 'k', 1, 10)).toBe(10);
    expect(intOption({ seed: '0' }, 'seed', 0, 0xffffffff)).toBe(0);
    expect(intOption({}, 'k', 1, 10)).toBeUndefined();
  });

  it('refuses what is not digits or out of bounds, saying which flag, the bounds and the value', () => {
    expect(() => intOption({ k: '0' }, 'k', 1, 10)).toThrow(new UsageError('--k must be an integer in [1, 10], got 0'));
    expect(() => intOption({ k: '11' }, 'k', 1, 10)).toThrow('--k must be an integer in [1, 10], got 11');
    expect(() => intOption({ users: 'many' }, 'users', 1, 100)).toThrow('--users must be an integer in [1, 100], got many');
    expect(() => intOption({ users: '-3' }, 'users', 1, 100)).toThrow('--users must be an integer in [1, 100], got -3');
    expect(() => intOption({ users: '2.5' }, 'users', 1, 100)).toThrow('--users must be an integer in [1, 100], got 2.5');
    expect(() => intOption({ users: '' }, 'users', 1, 100)).toThrow(UsageError);
  });
});
