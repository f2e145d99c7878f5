/**
 * @weft/decoding — decoding strategies over any CausalLM's logits.
 * @packageDocumentation
 */
export * from './constraints/index.js';
export { type GenerateTokensOptions, generateTokens } from './generate-tokens.js';
export { argmax, llama2cSample, sampleMult, sampleTopP, softmaxF32 } from './sampling/llama2c.js';
