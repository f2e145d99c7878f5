/**
 * @weft/onnx — onnxruntime sessions as weft CausalLMs.
 * @packageDocumentation
 */
export { OnnxCausalLM, OnnxCache, type OnnxCausalLMOptions, type OrtModule } from './causal-lm.js';
export { loadOnnxCausalLM, type LoadOnnxOptions, type OrtRuntime } from './load.js';
