/** Small option checkers: each throws an {@link OptionError} naming the option and the fix. */
import { OptionError } from '@weft/core';

/** An integer in [min, max] (inclusive), or undefined. */
export function optInt(option: string, value: unknown, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `an integer ≥ ${min}` : `an integer in [${min}, ${max}]`;
    throw new OptionError(option, `got ${describe(value)}`, `use ${range}`);
  }
  return value;
}

/** A finite number with lower/upper bounds (open or closed), or undefined. */
export function optNumber(
  option: string,
  value: unknown,
  range: { min?: number; minOpen?: boolean; max?: number; maxOpen?: boolean },
): number | undefined {
  if (value === undefined) return undefined;
  const { min, max, minOpen = false, maxOpen = false } = range;
  const bad =
    typeof value !== 'number' ||
    !Number.isFinite(value) ||
    (min !== undefined && (minOpen ? value <= min : value < min)) ||
    (max !== undefined && (maxOpen ? value >= max : value > max));
  if (bad) {
    const lo = min === undefined ? '(-∞' : `${minOpen ? '(' : '['}${min}`;
    const hi = max === undefined ? '∞)' : `${max}${maxOpen ? ')' : ']'}`;
    throw new OptionError(option, `got ${describe(value)}`, `use a number in ${lo}, ${hi}`);
  }
  return value;
}

/** A list of token ids in [0, vocabSize). */
export function optIds(option: string, value: unknown, vocabSize: number): readonly number[] | undefined {
  if (value === undefined) return undefined;
  if (!isArrayLike(value)) throw new OptionError(option, `got ${describe(value)}`, 'use an array of token ids');
  for (let i = 0; i < value.length; i++) {
    const id = value[i];
    if (typeof id !== 'number' || !Number.isInteger(id) || id < 0 || id >= vocabSize) {
      throw new OptionError(option, `entry ${i} is ${describe(id)}`, `token ids are integers in [0, ${vocabSize})`);
    }
  }
  return Array.from(value as ArrayLike<number>);
}

/** A boolean, or undefined. */
export function optBool(option: string, value: unknown): boolean | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'boolean') throw new OptionError(option, `got ${describe(value)}`, 'use true or false');
  return value;
}

export function isArrayLike(value: unknown): value is ArrayLike<unknown> {
  return Array.isArray(value) || ArrayBuffer.isView(value);
}

export function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'bigint') return `${value}n`;
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (value === null) return 'null';
  if (typeof value === 'object') return `an object (${Object.prototype.toString.call(value).slice(8, -1)})`;
  return String(value);
}

function required(option: string, value: unknown): void {
  if (value === undefined) throw new OptionError(option, 'is required', 'give a value');
}

/** Like {@link optInt}, but undefined is an error. */
export function reqInt(option: string, value: unknown, min: number, max = Number.MAX_SAFE_INTEGER): number {
  required(option, value);
  return optInt(option, value, min, max)!;
}

/** Like {@link optNumber}, but undefined is an error. */
export function reqNumber(option: string, value: unknown, range: Parameters<typeof optNumber>[2]): number {
  required(option, value);
  return optNumber(option, value, range)!;
}

/** Like {@link optIds}, but undefined is an error. */
export function reqIds(option: string, value: unknown, vocabSize: number): readonly number[] {
  required(option, value);
  return optIds(option, value, vocabSize)!;
}

/** Like {@link optBool}, but undefined is an error. */
export function reqBool(option: string, value: unknown): boolean {
  required(option, value);
  return optBool(option, value)!;
}
