import { OptionError } from '@weft/core';

/** A parsed command line: positional words and `--name value` / `--flag` options. */
export interface ParsedArgs {
  readonly command: string | undefined;
  readonly positional: string[];
  readonly options: Map<string, string | true>;
}

/** Parses `cmd --a 1 --b=2 --flag word`. Values starting with '-' followed by a digit are numbers, not flags. */
export function parseArgs(argv: readonly string[], booleanFlags: ReadonlySet<string> = new Set()): ParsedArgs {
  const options = new Map<string, string | true>();
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      if (eq > 0) {
        options.set(a.slice(2, eq), a.slice(eq + 1));
        continue;
      }
      const name = a.slice(2);
      const next = argv[i + 1];
      if (booleanFlags.has(name) || next === undefined || (next.startsWith('--') && !/^-\d/.test(next))) options.set(name, true);
      else {
        options.set(name, next);
        i++;
      }
    } else positional.push(a);
  }
  return { command: positional.shift(), positional, options };
}

/** Reads a numeric option, with its domain checked. */
export function numberOption(
  args: ParsedArgs,
  name: string,
  opts: { integer?: boolean; min?: number; max?: number } = {},
): number | undefined {
  const raw = args.options.get(name);
  if (raw === undefined) return undefined;
  if (raw === true) throw new OptionError(`--${name}`, 'needs a value', `e.g. --${name} 1`);
  const v = Number(raw);
  if (!Number.isFinite(v) || (opts.integer && !Number.isInteger(v)))
    throw new OptionError(`--${name}`, `'${raw}' is not ${opts.integer ? 'an integer' : 'a number'}`);
  if (opts.min !== undefined && v < opts.min) throw new OptionError(`--${name}`, `${v} is below the minimum ${opts.min}`);
  if (opts.max !== undefined && v > opts.max) throw new OptionError(`--${name}`, `${v} is above the maximum ${opts.max}`);
  return v;
}

/** Reads a string option. */
export function stringOption(args: ParsedArgs, name: string): string | undefined {
  const raw = args.options.get(name);
  if (raw === true) throw new OptionError(`--${name}`, 'needs a value');
  return raw;
}
