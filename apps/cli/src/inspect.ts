import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { InvalidFileError, OptionError } from '@weft/core';
import { ggmlTypeName, parseGguf, parseSafetensors, readLlama2cHeader } from '@weft/models';
import { loadLlama2cTokenizer } from '@weft/tokenizers';
import type { ParsedArgs } from './args.js';

export const INSPECT_HELP = `weft inspect <file> — what a model or tokenizer file holds
  Recognises GGUF, safetensors, llama2.c checkpoints and llama2.c tokenizers.
  --json   machine-readable output`;

/** Describes a file: format, header fields, tensors. Returns a plain object (printed as text or JSON). */
export function describeFile(bytes: Uint8Array, name: string): Record<string, unknown> {
  const magic = bytes.byteLength >= 4 ? new DataView(bytes.buffer, bytes.byteOffset).getUint32(0, true) : 0;
  if (magic === 0x46554747) {
    const g = parseGguf(bytes, name);
    const meta: Record<string, unknown> = {};
    for (const [k, v] of g.metadata)
      meta[k] = Array.isArray(v) ? `[${v.length} values]` : typeof v === 'bigint' ? v.toString() : v;
    const types: Record<string, number> = {};
    let params = 0;
    for (const t of g.tensors.values()) {
      types[ggmlTypeName(t.type)] = (types[ggmlTypeName(t.type)] ?? 0) + 1;
      params += t.dims.reduce((a, b) => a * b, 1);
    }
    return { format: `GGUF v${g.version}`, tensors: g.tensors.size, parameters: params, tensorTypes: types, metadata: meta };
  }
  if (bytes.byteLength >= 9 && bytes[8] === 0x7b) {
    const st = parseSafetensors(bytes, name);
    const dtypes: Record<string, number> = {};
    let params = 0;
    for (const t of st.tensors.values()) {
      dtypes[t.dtype] = (dtypes[t.dtype] ?? 0) + 1;
      params += t.shape.reduce((a, b) => a * b, 1);
    }
    return { format: 'safetensors', tensors: st.tensors.size, parameters: params, dtypes, metadata: st.metadata };
  }
  const errors: string[] = [];
  try {
    const h = readLlama2cHeader(bytes, name);
    return { format: `llama2.c checkpoint (version ${h.version})`, ...h };
  } catch (e) {
    errors.push((e as Error).message.split('\n')[0]!);
  }
  try {
    const t = loadLlama2cTokenizer(bytes, name);
    return { format: 'llama2.c tokenizer', tokens: t.vocabSize, maxTokenLength: t.maxTokenLength };
  } catch (e) {
    errors.push((e as Error).message.split('\n')[0]!);
  }
  throw new InvalidFileError(
    name,
    `not a recognised model or tokenizer file (${errors.join('; ')})`,
    'weft inspect reads GGUF, safetensors, llama2.c .bin checkpoints and tokenizers',
  );
}

/** Runs `weft inspect`. */
export function runInspect(args: ParsedArgs, out: (s: string) => void): number {
  if (args.options.has('help')) {
    out(INSPECT_HELP + '\n');
    return 0;
  }
  for (const k of args.options.keys())
    if (k !== 'json') throw new OptionError(`--${k}`, 'unknown option', 'run `weft inspect --help`');
  const path = args.positional[0];
  if (!path) throw new OptionError('<file>', 'missing', 'weft inspect path/to/model.gguf');
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new InvalidFileError(path, `cannot read it: ${(e as Error).message}`);
  }
  const info = describeFile(bytes, basename(path));
  if (args.options.has('json')) out(JSON.stringify(info, null, 2) + '\n');
  else {
    for (const [k, v] of Object.entries(info)) {
      if (v && typeof v === 'object') {
        out(`${k}:\n`);
        for (const [kk, vv] of Object.entries(v as Record<string, unknown>)) out(`  ${kk}: ${String(vv)}\n`);
      } else out(`${k}: ${String(v)}\n`);
    }
  }
  return 0;
}
