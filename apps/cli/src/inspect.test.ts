import { readFileSync } from 'node:fs';
import { InvalidFileError } from '@weft/core';
import { embeddedModel, fixture } from '@weft/testing';
import { describe, expect, it } from 'vitest';
import { describeFile } from './inspect.js';

describe('weft inspect', () => {
  it('recognises each supported format', () => {
    expect(describeFile(readFileSync(embeddedModel('stories260K.bin')), 's.bin')).toMatchObject({
      format: 'llama2.c checkpoint (version 0)',
      dim: 64,
      layers: 5,
      kvHeads: 4,
    });
    expect(describeFile(readFileSync(embeddedModel('tok512.bin')), 't.bin')).toMatchObject({
      format: 'llama2.c tokenizer',
      tokens: 512,
    });
    expect(describeFile(readFileSync(fixture('gguf/llama-2-tiny-random.gguf')), 'g.gguf')).toMatchObject({
      format: 'GGUF v3',
      tensors: 12,
      tensorTypes: { F16: 9, F32: 3 },
    });
    expect(describeFile(readFileSync(fixture('safetensors/samples/overall.safetensors')), 'o.safetensors')).toMatchObject({
      format: 'safetensors',
    });
  });
  it('names the file and every format it tried when nothing matches', () => {
    expect(() => describeFile(new TextEncoder().encode('hello world, not a model'), 'x.txt')).toThrow(InvalidFileError);
    expect(() => describeFile(new TextEncoder().encode('hello world, not a model'), 'x.txt')).toThrow(
      /x\.txt: not a recognised model or tokenizer file/,
    );
  });
});
