/**
 * @weft/models — architectures assembled from weft parts, and their loaders.
 * @packageDocumentation
 */
export { LlamaModel, LlamaCache, type LlamaWeights, type LlamaForwardOptions, type ForwardDetails } from './llama/model.js';
export { GqaAttention, KvState, type AttentionBlock, type BlockContext, type LayerState, type GqaWeights } from './llama/blocks.js';
export { loadLlama2c, readLlama2cHeader, type Llama2cHeader, type LoadOptions } from './loaders/llama2c.js';
export { parseGguf, writeGguf, ggufNumber, ggufTensorData, ggmlTypeName, type GgufFile, type GgufTensorInfo, type GgufValue } from './loaders/gguf.js';
export { loadGgufLlama, exportGgufLlama, ggufVocabulary, type GgufLoadOptions, type GgufVocabulary } from './loaders/gguf-llama.js';
export { parseSafetensors, safetensorsToF32, safetensorsHost, writeSafetensors, type SafetensorsFile, type SafetensorsTensor, type SafetensorsDType } from './loaders/safetensors.js';
export { loadHfLlama, type HfLoadOptions } from './loaders/hf-llama.js';
