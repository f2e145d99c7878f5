import { InvalidFileError } from '@weft/core';

/** Name used in error messages for tokenizer.json problems. */
export const FILE = 'tokenizer.json';

/** A JSON object read from an untrusted file. */
export type JsonObject = { readonly [key: string]: unknown };

/** Throws an InvalidFileError naming the field at `path`. */
export function fail(path: string, problem: string, hint?: string): never {
  throw new InvalidFileError(FILE, `\`${path}\` ${problem}`, hint ?? 'check the file against the Hugging Face tokenizers format');
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return `a ${typeof v}`;
}

/** `v` as a plain object, or a typed error. */
export function asObject(v: unknown, path: string): JsonObject {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(path, `must be an object, got ${describe(v)}`);
  return v as JsonObject;
}

/** Own property (never inherited: `__proto__`, `constructor` and friends are ordinary keys here). */
export function field(o: JsonObject, key: string): unknown {
  return Object.hasOwn(o, key) ? o[key] : undefined;
}

export function str(o: JsonObject, key: string, path: string, fallback?: string): string {
  const v = field(o, key);
  if (v === undefined || v === null) {
    if (fallback !== undefined) return fallback;
    fail(`${path}.${key}`, 'is missing (expected a string)');
  }
  if (typeof v !== 'string') fail(`${path}.${key}`, `must be a string, got ${describe(v)}`);
  return v;
}

export function optStr(o: JsonObject, key: string, path: string): string | null {
  const v = field(o, key);
  if (v === undefined || v === null) return null;
  if (typeof v !== 'string') fail(`${path}.${key}`, `must be a string or null, got ${describe(v)}`);
  return v;
}

export function num(o: JsonObject, key: string, path: string, fallback?: number): number {
  const v = field(o, key);
  if (v === undefined || v === null) {
    if (fallback !== undefined) return fallback;
    fail(`${path}.${key}`, 'is missing (expected a number)');
  }
  if (typeof v !== 'number' || !Number.isFinite(v)) fail(`${path}.${key}`, `must be a finite number, got ${describe(v)}`);
  return v;
}

export function int(o: JsonObject, key: string, path: string, fallback?: number): number {
  const v = num(o, key, path, fallback);
  if (!Number.isInteger(v) || v < 0) fail(`${path}.${key}`, `must be a non-negative integer, got ${v}`);
  return v;
}

export function bool(o: JsonObject, key: string, path: string, fallback: boolean): boolean {
  const v = field(o, key);
  if (v === undefined || v === null) return fallback;
  if (typeof v !== 'boolean') fail(`${path}.${key}`, `must be a boolean, got ${describe(v)}`);
  return v;
}

export function arr(o: JsonObject, key: string, path: string): unknown[] {
  const v = field(o, key);
  if (!Array.isArray(v))
    fail(`${path}.${key}`, v === undefined ? 'is missing (expected an array)' : `must be an array, got ${describe(v)}`);
  return v;
}

/** The `type` of a component; `null` when absent (legacy files omit it for the model). */
export function typeOf(o: JsonObject, path: string): string | null {
  return optStr(o, 'type', path);
}

/** Throws the error every factory uses for a type it does not know. */
export function unknownType(path: string, type: string | null, known: readonly string[]): never {
  fail(
    `${path}.type`,
    type === null ? 'is missing' : `is ${JSON.stringify(type)}, which is not a known type`,
    `supported: ${known.join(', ')}`,
  );
}

/**
 * A `{ "String": "x" }` or `{ "Regex": "x" }` pattern, as used by Split, Replace and the
 * Replace decoder.
 */
export type Pattern = { readonly kind: 'string'; readonly value: string } | { readonly kind: 'regex'; readonly value: string };

export function pattern(o: JsonObject, key: string, path: string): Pattern {
  const p = asObject(field(o, key), `${path}.${key}`);
  if (typeof field(p, 'String') === 'string') return { kind: 'string', value: p.String as string };
  if (typeof field(p, 'Regex') === 'string') return { kind: 'regex', value: p.Regex as string };
  fail(`${path}.${key}`, 'must be {"String": ...} or {"Regex": ...}');
}
