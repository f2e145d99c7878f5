/**
 * Hugging Face tokenizer.json support: every stage as its own class, a factory per stage
 * family, and {@link JsonTokenizer} tying them together.
 */

export * from './decoders/index.js';
export { type LoadOptions, tokenizerFromFile, tokenizerFromJSON } from './load.js';
export * from './models/index.js';
export * from './normalizers/index.js';
export * from './post-processors/index.js';
export * from './pre-tokenizers/index.js';
export { type EncodeDetailsOptions, JsonTokenizer, type TokenizerParts } from './tokenizer.js';
