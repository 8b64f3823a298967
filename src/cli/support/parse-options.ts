import { parseArgs } from 'node:util';

/** A command-line mistake: the command prints it with its usage and exits 2. */
export class UsageError extends Error {}

/**
 * Strict parse of `--name value` options and `--help`: an unknown flag, a positional argument or a
 * missing value is a UsageError. Null when --help was given.
 */
export function parseOptions<N extends string>(argv: string[], names: readonly N[]): Partial<Record<N, string>> | null {
  const options: Record<string, { type: 'string' | 'boolean' }> = { help: { type: 'boolean' } };
  for (const name of names) options[name] = { type: 'string' };
  let values;
  try {
    ({ values } = parseArgs({ args: argv, strict: true, allowPositionals: false, options }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (values.help) return null;
  return values as Partial<Record<N, string>>;
}

/** An integer option in [min, max] (digits only), or undefined when it was not given. */
export function intOption(values: Partial<Record<string, string>>, name: string, min: number, max: number): number | undefined {
  const raw = values[name];
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < min || n > max) throw new UsageError(`--${name} must be an integer in [${min}, ${max}], got ${raw}`);
  return n;
}
