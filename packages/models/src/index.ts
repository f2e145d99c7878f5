/**
 * @weft/models — architectures assembled from weft parts, and their loaders.
 * @packageDocumentation
 */
export { LlamaModel, LlamaCache, type LlamaWeights, type LlamaForwardOptions, type ForwardDetails } from './llama/model.js';
export { GqaAttention, KvState, type AttentionBlock, type BlockContext, type LayerState, type GqaWeights } from './llama/blocks.js';
export { loadLlama2c, readLlama2cHeader, type Llama2cHeader, type LoadOptions } from './loaders/llama2c.js';
