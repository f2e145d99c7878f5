/**
 * @weft/tokenizers — every tokenizer format real models ship.
 * @packageDocumentation
 */

export * from './chat/index.js';
export * from './common/index.js';
export * from './json/index.js';
export * from './llama2c/index.js';
export * from './load.js';
export * from './sentencepiece/index.js';
export * from './tiktoken/index.js';
export * from './train/index.js';
