/**
 * @weft/models — architectures assembled from weft parts, and their loaders.
 * @packageDocumentation
 */

export { RecurrentLinearAttention, withRecurrentLinearAttention } from './linear-attention.js';
export {
  type AttentionBlock,
  type BlockContext,
  GqaAttention,
  type GqaWeights,
  KvState,
  type LayerState,
} from './llama/blocks.js';
export { type ForwardDetails, LlamaCache, type LlamaForwardOptions, LlamaModel, type LlamaWeights } from './llama/model.js';
export {
  type GgufFile,
  type GgufTensorInfo,
  type GgufValue,
  ggmlTypeName,
  ggufNumber,
  ggufTensorData,
  parseGguf,
  writeGguf,
} from './loaders/gguf.js';
export {
  exportGgufLlama,
  type GgufLoadOptions,
  type GgufVocabulary,
  ggufVocabulary,
  loadGgufLlama,
} from './loaders/gguf-llama.js';
export { type HfLoadOptions, loadHfLlama } from './loaders/hf-llama.js';
export { type Llama2cHeader, type LoadOptions, loadLlama2c, readLlama2cHeader } from './loaders/llama2c.js';
export {
  parseSafetensors,
  type SafetensorsDType,
  type SafetensorsFile,
  type SafetensorsTensor,
  safetensorsHost,
  safetensorsToF32,
  writeSafetensors,
} from './loaders/safetensors.js';
export {
  convertToMla,
  convertToMlaAsync,
  gqaToMlaWeights,
  MlaAttention,
  type MlaConversion,
  partialPairsRope,
  partialPairsRopeCall,
} from './mla.js';
